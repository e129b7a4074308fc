// Memory caps. A tab's session is bounded by an estimate of its size; when it
// grows past the cap, the oldest payload previews go first (their metadata
// stays, so timelines and diagnosis still work), and only when metadata
// alone is too big do the oldest messages go. Every loss is counted.
//
// An eviction is described by a time cut, not by a list of messages, so the
// background and each panel apply exactly the same eviction to their copies.
import type { Session } from './model';

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

/** Messages with time ≤ previewsUpTo lose their preview; with time ≤ messagesUpTo are dropped. */
export interface EvictionCut {
  previewsUpTo?: number;
  messagesUpTo?: number;
}

export function sessionCost(session: Session): number {
  let bytes = 0;
  for (const connection of session.connections) {
    bytes += 256 + connection.url.length;
    for (const message of connection.messages) bytes += MESSAGE_OVERHEAD_BYTES + message.preview.length;
  }
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

/** The cut that frees at least `bytesToFree`, oldest first; undefined when nothing needs to go. */
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
  const cut: EvictionCut = { previewsUpTo: Infinity };
  for (let k = 0; k < all.times.length; k++) {
    freed += MESSAGE_OVERHEAD_BYTES;
    if (freed >= bytesToFree) return { ...cut, messagesUpTo: all.times[k] };
  }
  return { ...cut, messagesUpTo: Infinity };
}

/** Applies a cut and counts what went, on the session and on each connection. */
export function applyEviction(session: Session, cut: EvictionCut): { previews: number; messages: number } {
  const previewsUpTo = cut.previewsUpTo ?? -Infinity;
  const messagesUpTo = cut.messagesUpTo ?? -Infinity;
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
  session.dropped.previews += previews;
  session.dropped.messages += messages;
  return { previews, messages };
}
