// Plausible ranges for everything recorded: one place for the background's
// ingest (src/core/ingest.ts), the caps, and the HAR import. A record outside
// them is refused and counted (dropped.rejected), never stored: a page can
// post anything (a redefined toJSON pushed times to 1e19 ms, which hung the
// panel's timeline).

/** No recording is older than this: 2000-01-01T00:00:00Z, epoch ms. */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1);
/** Times may run ahead of the background's clock by at most this (clocks differ a little; a day is generous). */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
/**
 * A document's records may precede its time origin (performance.timeOrigin,
 * sent by the relay's hello) by at most this: the hook and the relay read the
 * same clock, so this is only slack for rounding.
 */
export const MAX_BEFORE_DOCUMENT_MS = 1000;

export interface TimeBounds {
  min: number;
  max: number;
}

/** The range of plausible times at `now` (the background's clock), for a document whose time origin is `documentTime` (if known). */
export function timeBounds(now: number, documentTime?: number): TimeBounds {
  const max = now + MAX_FUTURE_MS;
  const min = documentTime !== undefined && isPlausibleTime(documentTime, { min: MIN_TIME_MS, max }) ? Math.max(MIN_TIME_MS, documentTime - MAX_BEFORE_DOCUMENT_MS) : MIN_TIME_MS;
  return { min, max };
}

export function isPlausibleTime(value: unknown, bounds: TimeBounds): value is number {
  return typeof value === 'number' && value >= bounds.min && value <= bounds.max; // NaN fails both comparisons
}

/** A WebSocket close code: an integer 0..4999 (1000-4999 on the wire, 1005/1006/1015 reported locally). */
export const MAX_CLOSE_CODE = 4999;
/** One message's size in bytes (browsers refuse far less). */
export const MAX_MESSAGE_BYTES = 2 ** 32;
/** How late a timer may be reported to have fired. */
export const MAX_LATE_MS = MAX_FUTURE_MS;

/** A batch string larger than this is refused whole (the hook flushes at 1 Mi characters). */
export const MAX_BATCH_CHARS = 32 * 1024 * 1024;
/** Messages in one batch (columns). */
export const MAX_MESSAGES_PER_BATCH = 100_000;
/** Lifecycle and page records in one batch: a batch with more is refused whole and its records counted as rejected. */
export const MAX_RECORDS_PER_BATCH = 10_000;
/** Page events kept per tab; beyond it the oldest go, counted in dropped.droppedPageEvents. */
export const MAX_PAGE_EVENTS_PER_TAB = 10_000;

/** base64 of a 64 KiB preview is 87,384 characters. */
export const MAX_PREVIEW_CHARS = 90_000;
export const MAX_URL_CHARS = 65_536;
/** Negotiated protocol, extensions, each requested sub-protocol. */
export const MAX_SHORT_CHARS = 4096;
export const MAX_PROTOCOLS = 64;
/** A close reason is at most 123 bytes on the wire; a page may ask for anything, which the browser then refuses. */
export const MAX_REASON_CHARS = 1024;
/** A page event's detail from the page ('persisted' …); navigations carry a URL (MAX_URL_CHARS). */
export const MAX_DETAIL_CHARS = 256;
/** A note's text. */
export const MAX_NOTE_CHARS = 2000;
