// Memory caps. A tab's session is bounded by an estimate of its size; when it
// grows past the cap, the oldest payload previews go first (their metadata
// stays, so timelines and diagnosis still work), and only when metadata
// alone is too big do the oldest messages go. Every loss is counted.
//
// An eviction is described by a time cut, not by a list of messages, so the
// background and each panel apply exactly the same eviction to their copies.
import type { Connection, Note, PageEvent, Session } from './model';
import { handshakeCost } from './headers';

export interface Caps {
  /** Per tab, estimated bytes. */
  maxTabBytes: number;
  /** All tabs together (storage.session holds 10 MiB). */
  maxTotalBytes: number;
}

export const DEFAULT_CAPS: Caps = { maxTabBytes: 4 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 };

/**
 * What a message's metadata costs once stored, roughly: the background
 * persists messages as columns (src/core/stored.ts), about 30 characters of
 * metadata per message besides its preview.
 */
export const MESSAGE_OVERHEAD_BYTES = 40;
/** A connection's fixed fields (ids, times, close, counters) once stored, besides its strings. */
export const CONNECTION_OVERHEAD_BYTES = 256;
/** A page event's or a note's fixed fields once stored, besides its strings. */
export const PAGE_EVENT_OVERHEAD_BYTES = 64;
export const NOTE_OVERHEAD_BYTES = 64;

/**
 * An eviction. Applied in this order: previews, messages (by time), the
 * oldest `pageEvents` page events, then whole `connections` (by id).
 * Infinity ("every message") reaches a panel through Chrome's ports (JSON) as
 * null, which applyEviction reads as Infinity again.
 */
export interface EvictionCut {
  /** Messages with time ≤ previewsUpTo lose their preview. */
  previewsUpTo?: number;
  /** Messages with time ≤ messagesUpTo are dropped. */
  messagesUpTo?: number;
  /** How many of the session's first (oldest) page events are dropped. */
  pageEvents?: number;
  /** Connections dropped whole. */
  connections?: string[];
}

/** "Every message": Infinity, which Chrome's ports (JSON) carry as null, read back as everything by applyEviction. */
const EVERYTHING = Infinity;

/** Everything of a connection but its messages: its strings, fixed fields and handshake (headers). */
export function connectionMetaCost(connection: Connection): number {
  let bytes = CONNECTION_OVERHEAD_BYTES + connection.id.length + connection.url.length + connection.frameUrl.length + handshakeCost(connection.handshake);
  for (const protocol of connection.protocols) bytes += protocol.length + 3;
  bytes += (connection.protocol?.length ?? 0) + (connection.extensions?.length ?? 0) + (connection.closeRequestedReason?.length ?? 0);
  if (connection.close) bytes += connection.close.reason.length + (connection.close.requestedReason?.length ?? 0);
  return bytes;
}

export function messagesCost(connection: Connection): number {
  let bytes = 0;
  for (const message of connection.messages) bytes += MESSAGE_OVERHEAD_BYTES + message.preview.length;
  return bytes;
}

export function pageEventCost(event: PageEvent): number {
  return PAGE_EVENT_OVERHEAD_BYTES + (event.detail?.length ?? 0) + (event.frameUrl?.length ?? 0);
}

export function noteCost(note: Note): number {
  return NOTE_OVERHEAD_BYTES + note.id.length + note.text.length;
}

/** The estimated stored size of everything in a session. */
export function sessionCost(session: Session): number {
  let bytes = (session.pageUrl?.length ?? 0) + (session.name?.length ?? 0);
  for (const connection of session.connections) bytes += connectionMetaCost(connection) + messagesCost(connection);
  for (const event of session.pageEvents) bytes += pageEventCost(event);
  for (const note of session.notes) bytes += noteCost(note);
  return bytes;
}

/** Positions of the chosen messages, sorted by time (a typed sort of the times, then a stable pairing). */
function byTime(session: Session, keep: (previewLength: number) => boolean): { times: Float64Array; previewBytes: Float64Array } {
  let count = 0;
  for (const connection of session.connections) for (const message of connection.messages) if (keep(message.preview.length)) count++;
  const times = new Float64Array(count);
  const previewBytes = new Float64Array(count);
  const order = new Uint32Array(count);
  let i = 0;
  for (const connection of session.connections) {
    for (const message of connection.messages) {
      if (!keep(message.preview.length)) continue;
      times[i] = message.time;
      previewBytes[i] = message.preview.length;
      order[i] = i++;
    }
  }
  order.sort((a, b) => times[a] - times[b] || a - b);
  const sortedTimes = new Float64Array(count);
  const sortedBytes = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    sortedTimes[k] = times[order[k]];
    sortedBytes[k] = previewBytes[order[k]];
  }
  return { times: sortedTimes, previewBytes: sortedBytes };
}

/**
 * The cut that frees at least `bytesToFree`, oldest first; undefined when
 * nothing needs to go. Previews go first, then whole messages, then page
 * events, and only when all that is not enough whole connections: closed ones
 * first (earliest closed first), then open ones (earliest created first).
 */
export function chooseEvictionCut(session: Session, bytesToFree: number): EvictionCut | undefined {
  if (bytesToFree <= 0) return undefined;
  // Previews first, oldest first: already evicted (empty) previews free nothing, so they are left out of the sort.
  const withPreview = byTime(session, (length) => length > 0);
  let freed = 0;
  for (let k = 0; k < withPreview.times.length; k++) {
    freed += withPreview.previewBytes[k];
    if (freed >= bytesToFree) return { previewsUpTo: withPreview.times[k] };
  }
  // Previews alone are not enough: drop whole messages, oldest first.
  const all = byTime(session, () => true);
  const cut: EvictionCut = { previewsUpTo: EVERYTHING };
  for (let k = 0; k < all.times.length; k++) {
    freed += MESSAGE_OVERHEAD_BYTES;
    if (freed >= bytesToFree) return { ...cut, messagesUpTo: all.times[k] };
  }
  if (all.times.length) cut.messagesUpTo = EVERYTHING;
  // Then page events, oldest first.
  for (let k = 0; k < session.pageEvents.length; k++) {
    freed += pageEventCost(session.pageEvents[k]);
    cut.pageEvents = k + 1;
    if (freed >= bytesToFree) return cut;
  }
  // Then whole connections: closed first (earliest closed first), then open (earliest created first).
  const closedAt = (c: Connection) => c.closedAt ?? c.close?.time;
  const closed = session.connections.filter((c) => closedAt(c) !== undefined).sort((a, b) => closedAt(a)! - closedAt(b)!);
  const open = session.connections.filter((c) => closedAt(c) === undefined).sort((a, b) => a.createdAt - b.createdAt);
  const ids: string[] = [];
  for (const connection of [...closed, ...open]) {
    freed += connectionMetaCost(connection);
    ids.push(connection.id);
    if (freed >= bytesToFree) break;
  }
  if (ids.length) cut.connections = ids;
  return cut;
}

/** A cut's time bound. A cut that went through JSON has null where a value was not finite: null means everything. */
const bound = (value: number | null | undefined): number => (value === null ? Infinity : (value ?? -Infinity));

/** The latest message time a cut can change (its previews emptied or the message dropped): -Infinity if none. */
export function evictionReach(cut: EvictionCut): number {
  return Math.max(bound(cut.previewsUpTo), bound(cut.messagesUpTo));
}

/** Applies a cut and counts what went, on the session and on each connection; `index` (id → connection) loses the dropped connections. */
export function applyEviction(session: Session, cut: EvictionCut, index?: Map<string, Connection>): { previews: number; messages: number; pageEvents?: number; connections?: number } {
  const previewsUpTo = bound(cut.previewsUpTo);
  const messagesUpTo = bound(cut.messagesUpTo);
  let previews = 0;
  let messages = 0;
  for (const connection of session.connections) {
    let dropped = 0;
    for (const message of connection.messages) {
      if (message.time > previewsUpTo && message.time > messagesUpTo) break;
      if (message.time <= messagesUpTo) dropped++;
      else if (!message.evicted && message.preview) {
        message.preview = '';
        message.evicted = true;
        connection.evictedPreviews = (connection.evictedPreviews ?? 0) + 1;
        previews++;
      }
    }
    if (dropped) {
      connection.messages.splice(0, dropped);
      connection.droppedMessages = (connection.droppedMessages ?? 0) + dropped;
      messages += dropped;
    }
  }
  const pageEvents = Math.min(session.pageEvents.length, Math.max(0, Math.floor(cut.pageEvents ?? 0)));
  if (pageEvents) session.pageEvents.splice(0, pageEvents);
  let connections = 0;
  if (cut.connections?.length) {
    const gone = new Set(cut.connections);
    session.connections = session.connections.filter((connection) => {
      if (!gone.has(connection.id)) return true;
      connections++;
      messages += connection.messages.length; // its remaining messages go with it
      index?.delete(connection.id);
      return false;
    });
  }
  session.dropped.previews += previews;
  session.dropped.messages += messages;
  if (pageEvents) session.dropped.droppedPageEvents = (session.dropped.droppedPageEvents ?? 0) + pageEvents;
  if (connections) session.dropped.droppedConnections = (session.dropped.droppedConnections ?? 0) + connections;
  const result: { previews: number; messages: number; pageEvents?: number; connections?: number } = { previews, messages };
  if (pageEvents) result.pageEvents = pageEvents;
  if (connections) result.connections = connections;
  return result;
}
