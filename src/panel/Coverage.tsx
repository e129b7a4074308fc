// What the hook cannot see, said on screen (never missed silently), and the filter by connection kind once the
// session has event streams: a line under the toolbar.
import { useEffect, useState } from 'preact/hooks';
import type { Connection, PageEvent, Session } from '../core/model';
import { kindFilter, session, type KindFilter } from './store';

/** What the panel needs of chrome.devtools.network (present only when the panel runs inside DevTools). */
interface DevtoolsNetwork {
  getHAR(callback: (har: { entries?: unknown[] }) => void): void;
}

/** One WebSocket of DevTools' network log that the hook did not record (a worker's, typically). */
export interface NetworkLogSocket {
  url: string;
  messages: number;
}

/**
 * WebSocket entries of DevTools' network log (chrome.devtools.network.getHAR) beyond those recorded: by URL, as
 * many as the log has more than the session. Chromium's log includes sockets opened by the page's workers.
 */
export function networkLogOnly(entries: unknown[], recorded: Connection[]): NetworkLogSocket[] {
  const counts = new Map<string, number>();
  for (const connection of recorded) if (connection.kind !== 'eventsource') counts.set(connection.url, (counts.get(connection.url) ?? 0) + 1);
  const extra: NetworkLogSocket[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { _resourceType: type, request, _webSocketMessages: messages } = entry as { _resourceType?: unknown; request?: { url?: unknown }; _webSocketMessages?: unknown };
    const url = request?.url;
    if (type !== 'websocket' || typeof url !== 'string') continue;
    const left = counts.get(url) ?? 0;
    if (left > 0) counts.set(url, left - 1);
    else extra.push({ url, messages: Array.isArray(messages) ? messages.length : 0 });
  }
  return extra;
}

function devtoolsNetwork(): DevtoolsNetwork | undefined {
  return (globalThis as { chrome?: { devtools?: { network?: DevtoolsNetwork } } }).chrome?.devtools?.network;
}

/** While the page has workers and the panel runs in DevTools: the network log's sockets the hook could not record. */
function useNetworkLogSockets(workers: number): NetworkLogSocket[] {
  const [found, setFound] = useState<NetworkLogSocket[]>([]);
  const network = workers ? devtoolsNetwork() : undefined;
  useEffect(() => {
    if (!network) return;
    const read = () => network.getHAR((har) => setFound(networkLogOnly(har.entries ?? [], session.peek().connections)));
    read();
    const timer = setInterval(read, 2000);
    return () => clearInterval(timer);
  }, [network]);
  return network ? found : [];
}

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
  const fromLog = useNetworkLogSockets(current.pageEvents.filter((event) => event.type === 'worker').length);
  if (fromLog.length) {
    notes.push(
      `From DevTools network log (not recorded by SocketScope, likely a worker's): ${fromLog
        .slice(0, 3)
        .map((socket) => `${socket.url} (${socket.messages} message${socket.messages === 1 ? '' : 's'})`)
        .join(', ')}${fromLog.length > 3 ? ', …' : ''}; only what DevTools saw while open.`,
    );
  }
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
