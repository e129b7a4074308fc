// What the hook cannot see, said on screen (never missed silently), and the filter by connection kind once the
// session has event streams: a line under the toolbar.
import type { PageEvent, Session } from '../core/model';
import { kindFilter, session, type KindFilter } from './store';

const KINDS: [KindFilter, string][] = [
  ['all', 'All'],
  ['websocket', 'WebSocket'],
  ['eventsource', 'SSE'],
];

/** The sentences about what this session cannot show; exported for the unit tests. */
export function coverageNotes(current: Session): string[] {
  const notes: string[] = [];
  const workers = current.pageEvents.filter((event) => event.type === 'worker');
  if (workers.length) {
    const names = [...new Set(workers.map(workerName))];
    notes.push(
      `This page started ${workers.length === 1 ? '1 worker' : `${workers.length} workers`} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}): ` +
        'WebSockets and event streams opened inside workers are not captured (no content script runs in a worker).',
    );
  }
  if (current.connections.some((c) => c.kind === 'eventsource')) {
    notes.push('Event streams: comment lines (`: ping` heartbeats) and `retry:` never reach the page, so they are not shown; each reconnect by the browser is a connection of its own.');
  }
  return notes;
}

function workerName(event: PageEvent): string {
  const detail = event.detail ?? 'Worker';
  const space = detail.indexOf(' ');
  if (space < 0) return detail;
  const url = detail.slice(space + 1);
  return `${detail.slice(0, space)} ${url.length > 60 ? `${url.slice(0, 57)}…` : url}`;
}

export function Coverage() {
  const current = session.value;
  const notes = coverageNotes(current);
  const streams = current.connections.some((c) => c.kind === 'eventsource');
  if (!notes.length && !streams && kindFilter.value === 'all') return null;
  return (
    <div class="banner coverage" role="note">
      {(streams || kindFilter.value !== 'all') && (
        <span class="kind-filter" role="group" aria-label="Connection kind">
          {KINDS.map(([kind, label]) => (
            <button key={kind} type="button" aria-pressed={kindFilter.value === kind} onClick={() => (kindFilter.value = kind)}>
              {label}
            </button>
          ))}
        </span>
      )}
      {notes.map((note) => (
        <span key={note} class="coverage-note">
          {note}
        </span>
      ))}
    </div>
  );
}
