// Turns what a page posted (untrusted: a page can forge anything the hook
// sends) into a SessionDelta. Each record is checked for shape and size; a
// bad record is refused and counted, never trusted, and never aborts the
// rest of the batch.
import type { CloseInitiator, Connection, Message, PageEvent, PageEventType, Session } from './model';
import type { ConnectionPatch, SessionDelta } from './delta';
import { CLOSE_ABNORMAL, CLOSE_GOING_AWAY } from './closeCodes';

import { isObject as isRecord } from './json';
import { base64Length, base64Prefix } from './bytes';
import { DIR_SEND, KIND_EVENTSOURCE, PAGE_CONTEXT_TYPES, PREVIEW_COMPLETE, PREVIEW_HELD_BLOB, PREVIEW_NONE, PREVIEW_TRUNCATED, PROTOCOL_VERSION, metaCode, metaDir, metaId, metaOpcode } from './wire';
import type { PageBatch, PageRecord } from '../protocol/page';

import {
  MAX_BATCH_CHARS,
  MAX_CLOSE_CODE,
  MAX_DETAIL_CHARS,
  MAX_LATE_MS,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGES_PER_BATCH,
  MAX_PREVIEW_CHARS,
  MAX_PROTOCOLS,
  MAX_REASON_CHARS,
  MAX_RECORDS_PER_BATCH,
  MAX_SHORT_CHARS,
  MAX_URL_CHARS,
  MIN_TIME_MS,
  MAX_FUTURE_MS,
  isPlausibleTime,
  type TimeBounds,
} from './limits';

/** How long before its document's pagehide a 1001 close counts as the document going away (Firefox: 3–30 ms seen). */
const CLOSE_BEFORE_PAGEHIDE_MS = 1000;

export { MAX_BATCH_CHARS, MAX_PREVIEW_CHARS };

/** A batch refused whole; `records` is how many records and messages it carried (counted as rejected). */
export class RefusedBatch extends Error {
  constructor(
    message: string,
    readonly records = 1,
  ) {
    super(message);
  }
}

const PAGE_EVENT_TYPES: ReadonlySet<string> = new Set<PageEventType>(PAGE_CONTEXT_TYPES);

export interface DocumentContext {
  /** Random id the relay gave its document: connection ids are `${docId}:${hookId}`. */
  docId: string;
  frameId?: number;
  frameUrl: string;
  /** Plausible times for this document's records (src/core/limits.ts timeBounds); default: 2000-01-01 to now + 1 day. */
  timeBounds?: TimeBounds;
  /**
   * When the document's latest `beforeunload` fired (its navigation began), until its `pagehide`. State of the
   * document across its batches: batchToDelta sets and clears it, the caller keeps it for the next batch.
   */
  leavingAt?: number;
  /**
   * The user's preview bound (Settings.previewBytes) when it is below the default: a longer preview (recorded before
   * the document's hook had the setting, or in a batch already on its way) is cut to it here, and marked truncated.
   */
  previewBytes?: number;
}

/** A compact record leaves out at most this many messages of a connection (a document's held batches are capped far below). */
const MAX_UNREAD_PER_CONNECTION = 1e8;
/** A relative message time beyond this many microseconds (a year) is refused: no document lives that long. */
const MAX_RELATIVE_MICROS = 365 * 24 * 3600 * 1e6;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isCountUpTo = (value: unknown, max: number): value is number => isCount(value) && value <= max;
const isCloseCode = (value: unknown): value is number => isCountUpTo(value, MAX_CLOSE_CODE);
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/** Parses and checks the envelope. Throws with a reason when the batch is unusable as a whole. */
export function parseBatch(json: string): PageBatch {
  if (json.length > MAX_BATCH_CHARS) throw new Error(`batch too large (${json.length} characters)`);
  const value: unknown = JSON.parse(json);
  if (!isRecord(value) || value.v !== PROTOCOL_VERSION) throw new Error('not a SocketScope batch of this version');
  if (!isCount(value.seq) || !Array.isArray(value.records) || !isRecord(value.messages) || !isCount(value.droppedMessages)) {
    throw new Error('malformed batch');
  }
  // The hook's packed columns (PackedColumns), or the long form; packed times are differences from t0 on, so t0 is required.
  const columns = value.messages;
  const packed = columns.meta !== undefined;
  const lead = packed ? columns.meta : columns.id;
  const length = Array.isArray(lead) ? lead.length : -1;
  if (value.records.length > MAX_RECORDS_PER_BATCH) {
    throw new RefusedBatch(`too many records in one batch (${value.records.length})`, value.records.length + Math.max(length, 0));
  }
  if (packed && value.t0 === undefined) throw new Error('packed message columns without t0');
  const names: string[] = packed ? ['meta', 'time', 'size', 'preview'] : ['id', 'dir', 'time', 'opcode', 'size', 'preview', 'truncated'];
  if (length < 0 || length > MAX_MESSAGES_PER_BATCH || names.some((name) => !Array.isArray(columns[name]) || columns[name].length !== length)) {
    throw new Error('malformed message columns');
  }
  return value as unknown as PageBatch;
}

function validRecord(record: unknown, isTime: (value: unknown) => value is number): record is PageRecord {
  if (!isRecord(record) || !isTime(record.time)) return false;
  if (record.k === 'page') {
    return typeof record.type === 'string' && PAGE_EVENT_TYPES.has(record.type) && (record.detail === undefined || isText(record.detail, MAX_DETAIL_CHARS)) && (record.lateMs === undefined || isCountUpTo(record.lateMs, MAX_LATE_MS));
  }
  if (!isCount(record.id)) return false;
  switch (record.k) {
    case 'create':
      return (
        isText(record.url, MAX_URL_CHARS) &&
        Array.isArray(record.protocols) &&
        record.protocols.length <= MAX_PROTOCOLS &&
        record.protocols.every((p) => isText(p, MAX_SHORT_CHARS)) &&
        (record.kind === undefined || record.kind === KIND_EVENTSOURCE) &&
        (record.credentials === undefined || record.credentials === 1) &&
        (record.after === undefined || isCount(record.after))
      );
    case 'open':
      return isText(record.protocol, MAX_SHORT_CHARS) && isText(record.extensions, MAX_SHORT_CHARS);
    case 'error':
      return true;
    case 'closing':
      return (record.code === undefined || isCloseCode(record.code)) && (record.reason === undefined || isText(record.reason, MAX_REASON_CHARS));
    case 'close':
      return isCloseCode(record.code) && isText(record.reason, MAX_REASON_CHARS) && typeof record.wasClean === 'boolean' && (record.navigation === undefined || record.navigation === 1) && (record.sim === undefined || record.sim === 1);
    default:
      return false;
  }
}

/** The sparse EventSource column (`row, type, lastEventId` triples) by row; malformed triples are ignored. */
function eventSourceRows(column: unknown): Map<number, [string, string]> | undefined {
  if (!Array.isArray(column) || !column.length) return undefined;
  const rows = new Map<number, [string, string]>();
  for (let i = 0; i + 2 < column.length; i += 3) {
    const row: unknown = column[i];
    const type: unknown = column[i + 1];
    const lastEventId: unknown = column[i + 2];
    if (isCount(row) && isText(type, MAX_SHORT_CHARS) && isText(lastEventId, MAX_SHORT_CHARS)) rows.set(row, [type, lastEventId]);
  }
  return rows;
}

/**
 * Converts a parsed batch into a delta against `session` (which is read, not
 * changed: message indices continue each connection's count). `index` maps
 * connection ids to the session's connections. `context.leavingAt` is updated
 * (the document's state from one batch to the next).
 */
export function batchToDelta(batch: PageBatch, context: DocumentContext, session: Session, index: Map<string, Connection>): SessionDelta {
  const bounds = context.timeBounds ?? { min: MIN_TIME_MS, max: Date.now() + MAX_FUTURE_MS };
  const isTime = (value: unknown): value is number => isPlausibleTime(value, bounds);
  const patches = new Map<string, ConnectionPatch>();
  const pageEvents: PageEvent[] = [];
  let rejected = 0;
  const connectionId = (hookId: number) => `${context.docId}:${hookId}`;
  const known = (id: string) => patches.has(id) || index.has(id);
  const patch = (id: string): ConnectionPatch => {
    let entry = patches.get(id);
    if (!entry) patches.set(id, (entry = { id }));
    return entry;
  };
  const field = <K extends keyof ConnectionPatch>(id: string, key: K): ConnectionPatch[K] | undefined =>
    patches.get(id)?.[key] ?? (index.get(id) as ConnectionPatch | undefined)?.[key];

  /**
   * Firefox fires a socket's close event (1001 Going Away, clean: the browser's own close frame, echoed) just
   * before its document's pagehide, tens of ms earlier. A 1001 "from the server" of this document that close
   * to its pagehide is the document going away.
   *
   * And when the navigation starts, Firefox fails the sockets still connecting (close 1006, sometimes after an
   * error), even when the server had answered 101: read as a failed handshake, that was "the browser refused
   * the answer". A socket of this document that never opened and failed after its latest beforeunload, the
   * document then going away, was ended by the navigation. Order, not a time window: a refusal before the
   * beforeunload stays a failed handshake (docs/decisions.md 53).
   *
   * Firefox ESR 140 also fails an open EventSource when the navigation starts (an error, then nothing: 28 ms after
   * the beforeunload, 26 ms before the pagehide, measured). An open stream's error after the latest beforeunload and
   * at most CLOSE_BEFORE_PAGEHIDE_MS before the pagehide was ended by the navigation (decision 80); an open
   * WebSocket's 1006 there stays a drop (Firefox ends those with 1001, the rule above).
   */
  function endedWithDocument(pagehideAt: number): void {
    const prefix = `${context.docId}:`;
    const candidates = new Set<string>([...patches.keys()]);
    for (const id of index.keys()) if (id.startsWith(prefix)) candidates.add(id);
    const leavingAt = context.leavingAt;
    for (const id of candidates) {
      const close = field(id, 'close');
      if (!close || close.time > pagehideAt) continue;
      const goingAway = close.initiator === 'server' && close.code === CLOSE_GOING_AWAY && pagehideAt - close.time <= CLOSE_BEFORE_PAGEHIDE_MS;
      const failedAt = field(id, 'errorAt') ?? close.time;
      const failedLeaving = leavingAt !== undefined && close.initiator === 'abnormal' && failedAt >= leavingAt;
      const neverOpened = field(id, 'openedAt') === undefined;
      const streamCut = field(id, 'kind') === 'eventsource' && pagehideAt - failedAt <= CLOSE_BEFORE_PAGEHIDE_MS;
      if (goingAway || (failedLeaving && (neverOpened || streamCut))) patch(id).close = { ...close, initiator: 'navigation' };
    }
  }

  for (const record of batch.records) {
    if (!validRecord(record, isTime)) {
      rejected++;
      continue;
    }
    if (record.k === 'page') {
      const event: PageEvent = { type: record.type, time: record.time, frameUrl: context.frameUrl, frameId: context.frameId };
      if (record.detail !== undefined) event.detail = record.detail;
      if (record.lateMs !== undefined) event.lateMs = record.lateMs;
      pageEvents.push(event);
      // A later beforeunload replaces an earlier one (whose navigation was cancelled, or it would have been the last).
      if (record.type === 'beforeunload') context.leavingAt = record.time;
      if (record.type === 'pagehide') {
        endedWithDocument(record.time);
        context.leavingAt = undefined;
      }
      continue;
    }
    const id = connectionId(record.id);
    if (record.k === 'create') {
      if (known(id)) {
        rejected++;
        continue;
      }
      const created: ConnectionPatch = { id, frameId: context.frameId, frameUrl: context.frameUrl, url: record.url, protocols: record.protocols.slice(), createdAt: record.time };
      if (record.kind === KIND_EVENTSOURCE) {
        created.kind = 'eventsource';
        if (record.credentials === 1) created.withCredentials = true;
        // The attempt it follows must be a stream of the same document, already known.
        if (record.after !== undefined && known(connectionId(record.after))) created.reconnectOf = connectionId(record.after);
      }
      patches.set(id, created);
      continue;
    }
    if (!known(id)) {
      rejected++;
      continue;
    }
    const entry = patch(id);
    switch (record.k) {
      case 'open':
        entry.openedAt = record.time;
        entry.protocol = record.protocol;
        entry.extensions = record.extensions;
        break;
      case 'error':
        entry.errorAt = record.time;
        break;
      case 'closing':
        entry.closeRequestedAt = record.time;
        if (record.code !== undefined) entry.closeRequestedCode = record.code;
        if (record.reason !== undefined) entry.closeRequestedReason = record.reason;
        break;
      case 'close': {
        // The page asked first (close() while CONNECTING or OPEN), or a close frame came first, or neither: 1006.
        // Or the document went away (the hook's close at pagehide for a socket still alive).
        // A socket already recorded as ended by a navigation (the background saw the next document first,
        // as Firefox orders it) keeps that initiator; its close event gives the real time and code.
        const initiator: CloseInitiator =
          record.navigation === 1 || field(id, 'close')?.initiator === 'navigation'
            ? 'navigation'
            : field(id, 'closeRequestedAt') !== undefined
              ? 'page'
              : record.code === CLOSE_ABNORMAL
                ? 'abnormal'
                : 'server';
        entry.closedAt = record.time;
        entry.close = { time: record.time, code: record.code, reason: record.reason, wasClean: record.wasClean, initiator };
        if (record.sim === 1) entry.close.simulated = true;
        if (initiator === 'page') {
          const requestedCode = field(id, 'closeRequestedCode');
          const requestedReason = field(id, 'closeRequestedReason');
          if (requestedCode !== undefined) entry.close.requestedCode = requestedCode;
          if (requestedReason !== undefined) entry.close.requestedReason = requestedReason;
        }
        break;
      }
    }
  }

  // A compact record (docs/decisions.md, 73) left out each connection's oldest messages: counted as dropped, oldest
  // first, as the memory cap drops them, and the kept ones' indices continue after them.
  const unreadBefore = new Map<string, number>();
  let unread = 0;
  if (Array.isArray(batch.unread)) {
    for (let i = 0; i + 1 < batch.unread.length; i += 2) {
      const hookId: unknown = batch.unread[i];
      const count: unknown = batch.unread[i + 1];
      const id = isCount(hookId) ? connectionId(hookId) : '';
      if (!id || !known(id) || !isCountUpTo(count, MAX_UNREAD_PER_CONNECTION) || count === 0 || unreadBefore.has(id)) {
        rejected++;
        continue;
      }
      unreadBefore.set(id, count);
      patch(id).droppedMessages = (field(id, 'droppedMessages') ?? 0) + count;
      unread += count;
    }
  }

  // Per connection of this batch (a handful), not per message: the id string, whether it is known, its group, its next index.
  const groups = new Map<string, Message[]>();
  const targets = new Map<unknown, { id: string; group: Message[]; nextIndex: number; previewsSkipped: number } | null>();
  let previewsSkipped = 0;
  /** Of those, the Blobs the hook did not read while nothing read the tab (decisions 78, 81). */
  let heldBlobs = 0;
  const columns = batch.messages;
  const simRows = Array.isArray(batch.simRows) ? new Set(batch.simRows) : undefined;
  const { time: times, size: sizes, preview: previews } = columns;
  // The long form's own columns, or the packed one (PackedColumns: meta, and times as differences summed into `clock`).
  const meta = 'meta' in columns ? columns.meta : undefined;
  const long = 'meta' in columns ? undefined : columns;
  let clock = 0;
  const bound = context.previewBytes;
  const binaryBound = bound === undefined ? 0 : base64Length(bound);
  // Relative times (microseconds since the document's t0) when the batch says so; t0 itself must be plausible.
  // Each becomes a whole epoch microsecond (in ms: the nearest double to k / 1000), which the background stores as a
  // small integer (src/core/stored.ts); the clocks behind t0 and the column are no finer than that.
  // An implausible t0 makes every message time implausible: each is refused and counted, like any bad time.
  const t0 = batch.t0 === undefined ? undefined : isTime(batch.t0) ? batch.t0 : NaN;
  const sseRows = eventSourceRows(columns.sse);
  for (let i = 0; i < times.length; i++) {
    let hookId: unknown, dir: unknown, opcode: unknown, code: unknown, raw: unknown;
    if (meta) {
      const packed = meta[i];
      const step = times[i];
      // A row that cannot be read is refused; its step still counts when it is one, so the rows after it keep their times.
      if (!isCountUpTo(step, MAX_RELATIVE_MICROS)) {
        rejected++;
        continue;
      }
      clock += step;
      if (!isCount(packed)) {
        rejected++;
        continue;
      }
      raw = clock;
      hookId = metaId(packed);
      code = metaCode(packed);
      dir = metaDir(packed);
      opcode = metaOpcode(packed);
    } else {
      hookId = long!.id[i];
      dir = long!.dir[i];
      opcode = long!.opcode[i];
      code = long!.truncated[i];
      raw = times[i];
    }
    let target = targets.get(hookId);
    if (target === undefined) {
      const id = isCount(hookId) ? connectionId(hookId) : '';
      if (id && known(id)) {
        const existing = index.get(id);
        const group: Message[] = [];
        groups.set(id, group);
        target = { id, group, nextIndex: (existing ? existing.messages.length + (existing.droppedMessages ?? 0) : 0) + (unreadBefore.get(id) ?? 0), previewsSkipped: 0 };
      } else target = null;
      targets.set(hookId, target);
    }
    const time = t0 === undefined ? raw : isCountUpTo(raw, MAX_RELATIVE_MICROS) ? Math.round(t0 * 1000 + raw) / 1000 : NaN;
    const size = sizes[i];
    const preview = previews[i];
    if (!target || !isTime(time) || !isCountUpTo(size, MAX_MESSAGE_BYTES) || !isText(preview, MAX_PREVIEW_CHARS) || (opcode !== 1 && opcode !== 2) || (dir !== 0 && dir !== 1) || (code !== PREVIEW_COMPLETE && code !== PREVIEW_TRUNCATED && code !== PREVIEW_NONE && (code !== PREVIEW_HELD_BLOB || opcode !== 2))) {
      rejected++;
      continue;
    }
    // One literal per kind, every property in it: a property added afterwards (evicted) would give each such message a
    // second allocation for it (tens of thousands in a flood, where most messages have no preview).
    let message: Message;
    if (code === PREVIEW_NONE || code === PREVIEW_HELD_BLOB) {
      // No preview: the hook's preview budget was spent, or a large Blob was not read while nothing read the tab. Shown
      // and counted as an eviction by the memory cap, each cause counted apart.
      message = { index: target.nextIndex++, direction: dir === DIR_SEND ? 'send' : 'receive', time, opcode, size, preview: '', truncated: true, evicted: true };
      target.previewsSkipped++;
      previewsSkipped++;
      if (code === PREVIEW_HELD_BLOB) heldBlobs++;
    } else if (bound !== undefined && preview.length > (opcode === 1 ? bound : binaryBound)) {
      const kept = opcode === 1 ? preview.slice(0, bound) : base64Prefix(preview, bound);
      message = { index: target.nextIndex++, direction: dir === DIR_SEND ? 'send' : 'receive', time, opcode, size, preview: kept, truncated: true };
    } else message = { index: target.nextIndex++, direction: dir === DIR_SEND ? 'send' : 'receive', time, opcode, size, preview, truncated: code === PREVIEW_TRUNCATED };
    const sse = sseRows?.get(i);
    if (sse) {
      if (field(target.id, 'kind') !== 'eventsource' || dir === DIR_SEND) {
        rejected++;
        target.nextIndex--;
        continue;
      }
      message.event = sse[0];
      message.lastEventId = sse[1];
    }
    if (simRows?.has(i)) message.simulated = true;
    target.group.push(message);
  }
  for (const [id, group] of groups) if (!group.length) groups.delete(id);
  for (const target of targets.values()) {
    if (target?.previewsSkipped) patch(target.id).evictedPreviews = (field(target.id, 'evictedPreviews') ?? 0) + target.previewsSkipped;
  }

  const delta: SessionDelta = {};
  if (patches.size) delta.connections = [...patches.values()];
  if (groups.size) delta.messages = [...groups].map(([connectionId, messages]) => ({ connectionId, messages }));
  if (pageEvents.length) delta.pageEvents = pageEvents;
  // The hook's rate bound on page-context records (10 per type and second) drops the rest and counts them.
  const droppedPageEvents = isCount(batch.droppedRecords) ? batch.droppedRecords : 0;
  if (rejected || batch.droppedMessages || previewsSkipped || droppedPageEvents || unread) {
    delta.dropped = { rejected, messages: batch.droppedMessages + unread, previews: previewsSkipped };
    if (unread) delta.dropped.unreadMessages = unread;
    if (droppedPageEvents) delta.dropped.droppedPageEvents = droppedPageEvents;
    if (previewsSkipped > heldBlobs) delta.dropped.budgetPreviews = previewsSkipped - heldBlobs;
    if (heldBlobs) delta.dropped.heldBlobPreviews = heldBlobs;
  }
  return delta;
}
