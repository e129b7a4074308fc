// Panel state. The session is large and changes by appending, so it is kept
// as one mutable object and a `revision` signal says when it changed; every
// derived view is a `computed` of the revision, never stored twice.
import { computed, signal } from '@preact/signals';
import type { Connection, Session } from '../core/model';
import { emptySession } from '../core/model';
import { applyDelta, type SessionDelta } from '../core/delta';
import type { Settings } from '../protocol/messages';

export type LinkState = 'connecting' | 'live' | 'offline' | 'imported';

export const session = signal<Session>(emptySession('empty', Date.now()));
export const revision = signal(0);
export const link = signal<LinkState>('connecting');
export const linkError = signal<string | undefined>(undefined);
export const settings = signal<Settings | undefined>(undefined);
export const selectedConnectionId = signal<string | undefined>(undefined);
export const selectedMessageIndex = signal<number | undefined>(undefined);
export const urlFilter = signal('');

let connectionIndex = new Map<string, Connection>();

export function replaceSession(next: Session): void {
  connectionIndex = new Map(next.connections.map((c) => [c.id, c]));
  session.value = next;
  if (selectedConnectionId.value && !connectionIndex.has(selectedConnectionId.value)) {
    selectedConnectionId.value = undefined;
    selectedMessageIndex.value = undefined;
  }
  revision.value++;
}

export function applySessionDelta(delta: SessionDelta): void {
  applyDelta(session.peek(), delta, connectionIndex);
  revision.value++;
}

export const connections = computed(() => {
  void revision.value;
  const filter = urlFilter.value.trim().toLowerCase();
  const all = session.value.connections;
  return filter ? all.filter((c) => c.url.toLowerCase().includes(filter)) : all.slice();
});

export const selectedConnection = computed(() => {
  void revision.value;
  const id = selectedConnectionId.value;
  return id === undefined ? undefined : connectionIndex.get(id);
});
