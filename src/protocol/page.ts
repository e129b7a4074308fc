// Hop 1: page (MAIN world hook) → isolated content script (relay).
//
// The two worlds share the DOM but no JavaScript objects, so the hook sends
// each batch as a string in a CustomEvent dispatched synchronously on window.
// Synchronous matters: the last batch before a navigation is dispatched from
// `pagehide` and must reach the relay before the document goes away, which a
// window.postMessage task would not. A nonce exchanged at start, before any
// page script runs, names the batch events: the page cannot listen for them or
// forge them. After the handshake both sides stop listening for the fixed
// handshake names, so a page using those names sees ordinary events.

import { metaCode, metaDir, metaId, metaOpcode, type KIND_EVENTSOURCE, type PageContextType } from '../core/wire';

// The encoding's constants live in core (core imports no protocol constants); the hook takes them from here.
export {
  DIR_RECEIVE,
  DIR_SEND,
  PAGE_CONTEXT_TYPES,
  PREVIEW_COMPLETE,
  PREVIEW_HELD_BLOB,
  PREVIEW_NONE,
  PREVIEW_TRUNCATED,
  PROTOCOL_VERSION,
  KIND_EVENTSOURCE,
  packMeta,
  type PageContextType,
} from '../core/wire';
/** The code the hook records for a socket its document's going away ended (the browser sends it to the server). */
export { CLOSE_ABNORMAL, CLOSE_GOING_AWAY, CLOSE_NO_STATUS } from '../core/closeCodes';

/** Hook → relay: `detail` = nonce (handshake). Dispatched at start, and on READY unless READY answered that first HELLO. */
export const EVENT_HELLO = '__socketscope_hello';
/** Relay → hook: "I am listening now": the hook answers with HELLO (handles either injection order). */
export const EVENT_READY = '__socketscope_ready';
/** Hook → relay: batches are CustomEvents whose type is the nonce itself, `detail` = nonce + JSON of a PageBatch. */
export const batchEventType = (nonce: string): string => nonce;
/**
 * Relay → hook: commands from the extension's own pages (simulate a policy, act on one socket) are CustomEvents
 * of this type, `detail` = JSON of a PageCommand. Derived from the nonce: the page can neither send nor see them.
 * Events dispatched by the relay are not trusted (`isTrusted` false, script-dispatched): the name is the protection.
 */
export const commandEventType = (nonce: string): string => nonce + '-c';

/** The largest preview, and the default: 64 Ki UTF-16 units of text, or 64 KiB of binary (DESIGN.md). */
export const PREVIEW_MAX = 65536;
/** The preview bounds a user can choose (Settings.previewBytes, the panel's Previews menu); 0: sizes only, no preview. */
export const PREVIEW_CHOICES: readonly number[] = [PREVIEW_MAX, 16384, 4096, 1024, 0];
export const isPreviewChoice = (value: unknown): value is number => typeof value === 'number' && PREVIEW_CHOICES.includes(value);
/**
 * Under sustained traffic the hook sends a batch at most this often (docs/decisions.md, 64); the background's
 * persist takes a quiet spell longer than this gap for the end of a burst (66), so both read it here.
 */
export const FLUSH_INTERVAL_MS = 200;

/**
 * A command to the hook. Every field is always present (the hook reads own properties only).
 * `policy`: enforce on sockets whose URL, without query, is `endpoint` ('' = all): `idle` (no message for `ms`
 * counted on `basis`), `lifetime` (age `ms`), `offline` (drop every socket now, fail new ones for `ms`, then end).
 * `stop`: end the policy. `drop`: end socket `id` as a 1006. `close`: end it as the server would (`code`, `reason`).
 * `send`: send as the page would; `inject`: deliver as if received. Payload: `text`, or base64 `b64` when `binary`.
 */
export type PageCommand =
  | { c: 'policy'; kind: 'idle' | 'lifetime' | 'offline'; ms: number; basis: 'any' | 'received' | 'sent'; endpoint: string }
  | { c: 'stop' }
  | { c: 'drop'; id: number }
  | { c: 'close'; id: number; code: number; reason: string }
  | { c: 'send' | 'inject'; id: number; binary: boolean; text: string; b64: string }
  /** `preview`: bound every later message's preview to `bytes` (one of PREVIEW_CHOICES: characters of text, bytes of binary). */
  | { c: 'preview'; bytes: number }
  /**
   * `live`: whether the relay hands each batch over as it comes (something reads the tab) or holds them (decisions 73,
   * 74, 77). Sent by the relay itself, at each change. While held, the hook reads no Blob over BLOB_HELD_READ_MAX (78),
   * and only so many of the others (BLOB_HELD_READS_BURST, 81).
   */
  | { c: 'live'; on: boolean };

/**
 * Received Blobs larger than this (bytes) are not read for their preview while the document holds its batches
 * (docs/decisions.md, 78): each such read cost the browser about 40 ms of CPU on the 2-core machine, Blobs of 16 KiB
 * and less nothing measurable. Since decision 86 the same bound holds for every binary message, ArrayBuffers and
 * views included (sent or received): none over it keeps a preview while the document holds.
 */
export const BLOB_HELD_READ_MAX = 16384;
/**
 * While the document holds its batches, it reads at most BLOB_HELD_READS_BURST received Blobs at once for their
 * previews, and BLOB_HELD_READS_PER_S more a second (docs/decisions.md, 81): each Blob read costs the browser 0.15 to
 * 0.3 ms of CPU however small it is, and the character budget alone let thousands of small ones through.
 */
export const BLOB_HELD_READS_BURST = 64;
export const BLOB_HELD_READS_PER_S = 64;

/** Lifecycle records: rare, so plain objects. `at` = how many messages of the same batch were recorded before this one, to keep order. */
export type PageRecord =
  /**
   * `kind` 'es': an EventSource (absent: a WebSocket), `credentials` its withCredentials; `after`: the hook id of the
   * EventSource attempt this one follows (the browser reconnecting by itself, same object).
   */
  | { k: 'create'; at: number; id: number; time: number; url: string; protocols: string[]; kind?: typeof KIND_EVENTSOURCE; credentials?: 1; after?: number }
  | { k: 'open'; at: number; id: number; time: number; protocol: string; extensions: string }
  | { k: 'error'; at: number; id: number; time: number }
  | { k: 'closing'; at: number; id: number; time: number; code?: number; reason?: string }
  /** `navigation`: written by the hook at pagehide for a socket still alive: its document is going away, the browser ends it (and sends 1001). */
  | { k: 'close'; at: number; id: number; time: number; code: number; reason: string; wasClean: boolean; navigation?: 1; sim?: 1 }
  | { k: 'page'; at: number; type: PageContextType; time: number; detail?: string; lateMs?: number };

/**
 * Messages travel as parallel columns: far cheaper to build and to serialize
 * than one object per message, which matters at tens of thousands a second.
 */
export interface MessageColumns {
  /** Hook-local connection id. */
  id: number[];
  /** DIR_SEND or DIR_RECEIVE. */
  dir: number[];
  /** Whole microseconds since the batch's `t0` when the batch has one; otherwise epoch milliseconds. */
  time: number[];
  /** 1 text, 2 binary. */
  opcode: number[];
  /** Whole payload size in bytes. */
  size: number[];
  /** Text, or base64 for binary; bounded by the preview cap. */
  preview: string[];
  /** PREVIEW_COMPLETE, PREVIEW_TRUNCATED (shorter than the payload) or PREVIEW_NONE (the hook's preview budget was spent: counted like an eviction by the memory cap). */
  truncated: number[];
  /**
   * EventSource events only, sparse: for each such row, three entries `row, event type, lastEventId` (row = index in
   * these columns). Absent or empty in batches without one. Optional, so the version stays 1.
   */
  sse?: (number | string)[];
}

/**
 * What the hook sends: the rows of MessageColumns with connection id, direction, opcode and preview code packed in one
 * number, and each time as the difference from the row before. A flood's message without preview is then about 13
 * characters instead of 23, at every hop (docs/decisions.md, 60). The background reads both forms (tests and earlier
 * batches use MessageColumns); a batch with these columns must have a `t0`.
 */
export interface PackedColumns {
  /** `id * 16 + preview code * 4 + dir * 2 + (opcode - 1)`: packMeta (src/core/wire.ts). */
  meta: number[];
  /** Whole microseconds since the previous row of this batch (the first row: since the batch's `t0`). Never negative. */
  time: number[];
  size: number[];
  preview: string[];
  sse?: (number | string)[];
}

/**
 * PackedColumns in the long form, times as microseconds since t0: the reference reading, for tests and tools (the
 * background reads the packed form in place, validating each row: src/core/ingest.ts). Does not validate.
 */
export function unpackColumns(columns: PackedColumns): MessageColumns {
  const out: MessageColumns = { id: [], dir: [], time: [], opcode: [], size: columns.size, preview: columns.preview, truncated: [] };
  let clock = 0;
  for (let i = 0; i < columns.meta.length; i++) {
    const meta = columns.meta[i];
    clock += columns.time[i];
    out.id.push(metaId(meta));
    out.truncated.push(metaCode(meta));
    out.dir.push(metaDir(meta));
    out.opcode.push(metaOpcode(meta));
    out.time.push(clock);
  }
  if (columns.sse) out.sse = columns.sse;
  return out;
}

/**
 * Messages per connection a relay's compact record keeps of a document nothing was reading (docs/decisions.md, 73):
 * the silence before a drop, and the heartbeats of a busy connection's last minutes.
 */
export const KEPT_PER_CONNECTION = 256;

export interface PageBatch {
  v: number;
  /** Increasing per document; the relay and background use it to ack and to drop duplicates. */
  seq: number;
  /**
   * The document's performance.timeOrigin (epoch ms): the messages' `time` column counts whole microseconds from
   * it (integers print and parse faster than epoch milliseconds with a fraction, in half the characters). Optional,
   * so the version stays 1: without it the column holds epoch milliseconds. Records keep epoch milliseconds.
   */
  t0?: number;
  records: PageRecord[];
  messages: MessageColumns | PackedColumns;
  /** Messages the hook itself dropped (its queue was full while the page was busy). */
  droppedMessages: number;
  /** Page-context records the hook did not send (over its rate: 10 per type and second). Optional, absent when 0, so the version stays 1; ingest adds it to the session's dropped page events. */
  droppedRecords?: number;
  /** Rows of `messages` the extension sent or injected (a user's command, not the page): optional, absent when none. */
  simRows?: number[];
  /**
   * The relay's compact record of a document nothing was reading when it went away (src/content/compact.ts;
   * docs/decisions.md, 73): pairs `hook connection id, count` of the oldest messages of that connection it left out.
   * Optional, absent in the hook's own batches, so the version stays 1.
   */
  unread?: number[];
}
