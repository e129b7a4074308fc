// MAIN-world hook: runs at document_start in every frame of every page, before
// any page script. It wraps window.WebSocket so that the page sees the same
// WebSocket as without it (what a page can still observe: README, Security
// model), records what its sockets do, and hands batches to the relay
// (src/content/relay.ts). No imports but protocol constants: every byte here
// is paid by every frame the user ever loads.
import {
  CLOSE_GOING_AWAY,
  DIR_RECEIVE,
  DIR_SEND,
  EVENT_HELLO,
  EVENT_READY,
  PROTOCOL_VERSION,
  batchEventType,
  commandEventType,
  PREVIEW_MAX,
  PREVIEW_HELD_BLOB,
  BLOB_HELD_READ_MAX,
  BLOB_HELD_READS_BURST,
  BLOB_HELD_READS_PER_S,
  FLUSH_INTERVAL_MS,
  type PackedColumns,
  type PageCommand,
  type PageBatch,
  type PageContextType,
  type PageRecord,
} from '../protocol/page';
import { hookLongLived } from './eventSource';

/** Flush as soon as the page's current task ends when this many messages are queued, without waiting for the timer... */
const FLUSH_MESSAGES = 4096;
/** ...or this many preview characters. */
const FLUSH_CHARS = 1 << 20;
/**
 * Flush at once, inside the page's task, only past these: a page sending in one long synchronous loop
 * would otherwise queue without bound. Below them the flush waits for the loop to end, off its critical path.
 */
const FLUSH_NOW_MESSAGES = 32768;
const FLUSH_NOW_CHARS = 4 << 20;
/** A record queued after a quiet spell is flushed this soon (the panel shows an open, a close or a message at once)... */
const FLUSH_DELAY_MS = 40;
// ...but under sustained traffic the timer flushes at most every FLUSH_INTERVAL_MS (src/protocol/page.ts). Each batch
// costs every hop something whatever it carries (the event, the relay's Port, the worker's parse and ingest): on a
// binary flood of 2,000 messages, profiles show the page's flush path and the worker's handling a few ms lighter; the
// bench cannot resolve it (docs/decisions.md, 64). The size thresholds above still flush at once.
/** While no relay has answered (e.g. a frame the relay cannot reach), keep at most this many messages. */
const UNRELAYED_MAX = 10000;
/**
 * Preview budgets, per document: a burst of this many preview characters, refilled at
 * PREVIEW_REFILL_PER_MS. A page receiving more than that (e.g. 64 KiB binary frames
 * back to back) gets its messages recorded in full (time, size, opcode) but
 * previews only while the budget lasts: the rest are marked evicted, exactly
 * as the background's memory cap (4 MiB a tab by default) would have done a
 * moment later, and counted the same way. Without it the hook would encode,
 * and every hop copy, megabytes a second only for the cap to throw them away.
 */
const PREVIEW_BUDGET_CHARS = 1 << 20;
/**
 * Text refills at 256 Ki characters a second (1 Mi until docs/decisions.md, 68). The refill is what a
 * flood sends every second it lasts, and on a slow machine a flood lasts longer: 50k messages of 100 B
 * over 3 s let about 4 M characters of previews through at 1 Mi a second, and the tab's cap kept 1.6 M
 * of them; at 256 Ki a second about 1.7 M go through and are all kept, for 280 ms less CPU.
 * Per millisecond, so 262.144: until 2026-12-03 it was 256 (250 Ki a second), and a second's refill then fell
 * 6,144 characters short of four 64 Ki-character previews (the e2e test of 68 failed on a fast send loop).
 */
const PREVIEW_REFILL_PER_MS = (256 * 1024) / 1000;
/**
 * Binary previews have a budget of their own, a quarter of the text one: four whole 64 KiB
 * previews (their base64, 87,384 characters each), refilled at 128 Ki characters (96 KiB of
 * binary) a second. Every preview character costs about 40 ns of CPU on its way to the
 * background (mostly the Port's serialization, in the page's renderer and the service worker:
 * docs/performance.md), and a binary flood spends the text budget in 64 KiB strides, content
 * that is rarely read past the first frames. Separate, so a binary flood leaves the text
 * budget (and a text flood the binary one) untouched.
 */
const BINARY_BUDGET_CHARS = 4 * 87_384;
const BINARY_REFILL_PER_MS = (128 * 1024) / 1000;
const PROBE_INTERVAL_MS = 1000;
/**
 * While the page is hidden the probe asks for a short delay: a browser that
 * aligns hidden pages' timers to whole seconds (Chrome's and Firefox's basic
 * throttling) fires it ~1 s later, and intensive throttling (Chrome, after
 * 5 minutes hidden) about a minute later. A visible page's 1 s probe cannot
 * see alignment to 1 s at all.
 */
const HIDDEN_PROBE_MS = 250;
/**
 * A hidden probe this late: its timer waited for the next whole second (an
 * unthrottled timer fires within a few ms; aligned, a 250 ms one is 0 to 750 ms late).
 */
const BASIC_THROTTLE_LATE_MS = 100;
/** …and this long: timers run once a minute. */
const INTENSIVE_THROTTLE_MS = 50_000;
/** How long the probe goes on after the last socket closed. */
const PROBE_LINGER_MS = 10_000;
/** Page-context records (online, offline, visibility, lifecycle, timer-late) kept per type and second; the rest are counted in `droppedRecords`. */
const PAGE_RECORDS_PER_SECOND = 10;
/** A probe timer firing this much later than due means the page's timers are being throttled. */
const LATE_THRESHOLD_MS = 1000;

interface Budget {
  left: number;
  at: number;
  max: number;
  refill: number;
}

interface SocketState {
  id: number;
  opened: boolean;
  /** Recorded as ended by the document going away (pagehide): a close event after that is not recorded again. */
  ended?: boolean;
  /** The socket, while alive (for the extension's commands). */
  ws?: WebSocket;
  /** When it opened (hook clock), and, once a command arrived, its last message received and sent. */
  t?: number;
  rx?: number;
  tx?: number;
  /** Ended by a command or a simulated policy: what its close event must read. `live`: it was OPEN, and reads OPEN until its close event, like a socket whose TCP connection died. */
  sim?: { code: number; reason: string; wasClean: boolean };
  live?: 1;
}

(() => {
  // Every native we need, taken before the page can replace or freeze it. The page may
  // later redefine any prototype, getter, toJSON or setter: after start-up the hook reads
  // no property a page can intercept (no method lookups on shared prototypes, null-prototype
  // objects and arrays for everything it builds, natives called through saved references).
  const win = window;
  const NativeWebSocket = win.WebSocket;
  if (typeof NativeWebSocket !== 'function') return;
  const wsProto = NativeWebSocket.prototype;
  const { apply, construct, getOwnPropertyDescriptor: ownDesc, defineProperty, setPrototypeOf, getPrototypeOf } = Reflect;
  const getter = (proto: object, name: string) => ownDesc(proto, name)!.get!;
  const readyStateOf = getter(wsProto, 'readyState');
  const urlOf = getter(wsProto, 'url');
  const protocolOf = getter(wsProto, 'protocol');
  const extensionsOf = getter(wsProto, 'extensions');
  const FunctionProto = Function.prototype;
  // `uncurry(fn)(self, ...args)` calls the native fn on self: a bound Function.prototype.call, so no
  // lookup of `call` at run time, and (measured) as fast as a method call once optimized.
  const uncurry = (fn: (...args: never[]) => unknown) => apply(FunctionProto.bind, FunctionProto.call, [fn]) as (self: unknown, ...args: unknown[]) => unknown;
  const weakGet = uncurry(WeakMap.prototype.get) as (map: WeakMap<object, unknown>, key: unknown) => unknown;
  const weakSet = uncurry(WeakMap.prototype.set);
  const weakDelete = uncurry(WeakMap.prototype.delete);
  const charCodeAt = uncurry(String.prototype.charCodeAt) as (text: string, index: number) => number;
  // The native exec on a regex of our own: it reads only the regex's own lastIndex, never a method of
  // RegExp.prototype (test() would look up `exec`, which the page may replace).
  const regexExec = uncurry(RegExp.prototype.exec) as (regex: RegExp, text: string) => unknown;
  const nonAscii = /[^\0-\x7f]/;
  const strSlice = uncurry(String.prototype.slice) as (text: string, start: number, end: number) => string;
  const numberToString = uncurry(Number.prototype.toString) as (value: number, radix: number) => string;
  const round = Math.round;
  const iteratorSymbol = Symbol.iterator;
  /** An array the page cannot intercept: indexed stores on a null-prototype array never meet an Array.prototype setter. */
  const bare = <T extends object>(value: T): T => (setPrototypeOf(value, null), value);
  // V8 puts an own `stack` on errors, and Error.captureStackTrace can take it again without the hook's
  // frame. Firefox keeps `stack` on the prototype and would gain an own property: there the frame stays
  // (docs/decisions.md). Checked on the error itself: creating one at start-up costs 0.9 ms.
  const recapture = (Error as { captureStackTrace?: (error: object, above: unknown) => void }).captureStackTrace;
  /** Rethrows a native's error as if the page had called the native itself: no stack frame of the hook. */
  const rethrow = (error: unknown, frame: unknown): never => {
    try {
      if (recapture && ownDesc(error as object, 'stack')) recapture(error as object, frame);
    } catch {
      /* a primitive thrown, or a frozen error: keep it as it is */
    }
    throw error;
  };
  // Event and Blob natives are taken at the page's first socket instead: touching those
  // interfaces makes the browser build them, which every page without a socket would pay
  // for (measured: about a third of the hook's start-up). A page that redefines these
  // getters before opening its first socket is the price, and an unlikely one.
  let dataOf: (event: unknown) => unknown;
  let codeOf: () => number;
  let reasonOf: () => string;
  let wasCleanOf: () => boolean;
  let persistedOf: () => boolean;
  let blobSizeOf: () => number;
  let blobSlice: Blob['slice'];
  let blobArrayBuffer: Blob['arrayBuffer'];
  let NativeMessageEvent: typeof MessageEvent;
  let NativeBlob: typeof Blob;
  let blobProto: object;
  function takeEventNatives(): void {
    NativeMessageEvent = MessageEvent;
    NativeBlob = Blob;
    blobProto = Blob.prototype;
    dataOf = uncurry(getter(MessageEvent.prototype, 'data'));
    codeOf = getter(CloseEvent.prototype, 'code');
    reasonOf = getter(CloseEvent.prototype, 'reason');
    wasCleanOf = getter(CloseEvent.prototype, 'wasClean');
    persistedOf = getter(PageTransitionEvent.prototype, 'persisted');
    blobSizeOf = getter(Blob.prototype, 'size');
    blobSlice = Blob.prototype.slice;
    blobArrayBuffer = Blob.prototype.arrayBuffer;
  }
  const visibilityOf = getter(Document.prototype, 'visibilityState');
  const byteLengthOf = getter(ArrayBuffer.prototype, 'byteLength');
  const isView = ArrayBuffer.isView;
  const promiseThen = Promise.prototype.then;
  const addListener = EventTarget.prototype.addEventListener;
  const removeListener = EventTarget.prototype.removeEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const NativeCustomEvent = CustomEvent;
  const detailOf = getter(NativeCustomEvent.prototype, 'detail');
  const parse = JSON.parse;
  const NativeUint8Array = Uint8Array;
  // JavaScript's own (not the browser's) interfaces: there from the start, free to take now.
  const typedArrayProto = Object.getPrototypeOf(NativeUint8Array.prototype) as object;
  const viewBufferOf = getter(typedArrayProto, 'buffer');
  const viewOffsetOf = getter(typedArrayProto, 'byteOffset');
  const viewLengthOf = getter(typedArrayProto, 'byteLength');
  const dataViewBufferOf = getter(DataView.prototype, 'buffer');
  const dataViewOffsetOf = getter(DataView.prototype, 'byteOffset');
  const dataViewLengthOf = getter(DataView.prototype, 'byteLength');
  // isTrusted is an own, unforgeable accessor of every event; Event's getter accepts every kind of event
  // (CustomEvent's would not: checked in Chromium). Event is CustomEvent's parent, so already built.
  // Taken now: it is what tells the page's synthetic events from the browser's.
  const NativeEvent = Reflect.getPrototypeOf(NativeCustomEvent) as typeof Event;
  const trusted = uncurry(getter(new NativeEvent(''), 'isTrusted'));
  const isArray = Array.isArray;
  // Applied only to null-prototype objects and arrays built here, and primitives: JSON.stringify then
  // looks up no toJSON (it does only on objects, and these have none in their chain) and calls no getter.
  const stringify = JSON.stringify;
  const fromCharCode = String.fromCharCode;
  const btoa = win.btoa;
  const toBase64 = (NativeUint8Array.prototype as { toBase64?: () => string }).toBase64;
  const perf = performance;
  const now = perf.now.bind(perf);
  const timeOrigin = perf.timeOrigin;
  const setTimer = win.setTimeout.bind(win);
  const doc = document;
  const nativeToString = FunctionProto.toString;
  const atob = win.atob;
  const binaryTypeOf = getter(wsProto, 'binaryType');
  const stopImmediate = NativeEvent.prototype.stopImmediatePropagation;

  const states = new WeakMap<object, SocketState>();
  const disguised = new WeakMap<object, string>();
  let nextId = 1;
  let openSockets = 0;
  /** Sockets not closed yet, by id (a null-prototype object: iterating it reads nothing the page controls). */
  const alive = { __proto__: null } as unknown as Record<string, SocketState>;
  let anySocket = false;

  // ---- queue and flush ----
  // Not Math.random: the page shares its generator, and could work back to past outputs from its own.
  // randomUUID (secure contexts: https and localhost) where it exists: 122 random bits for 0.02 ms, where a process's
  // first getRandomValues takes 0.4–1 ms of the page's start-up in Chromium (docs/decisions.md, 69).
  const cryptoObject = crypto;
  const randomUUID = (cryptoObject as { randomUUID?: () => string }).randomUUID;
  // A string, checked: never a value whose conversion could run someone else's code.
  const uuid: unknown = typeof randomUUID === 'function' ? apply(randomUUID, cryptoObject, []) : undefined;
  let nonce = '';
  if (typeof uuid === 'string' && uuid.length >= 32) nonce = uuid;
  else {
    const nonceWords = cryptoObject.getRandomValues(new Uint32Array(4));
    for (let i = 0; i < 4; i++) nonce += numberToString(nonceWords[i], 36);
  }
  nonce += 'x'; // never shorter than 8 characters (the relay's minimum)
  const batchType = batchEventType(nonce);
  let relayReady = false;
  let seq = 0;
  /** Set only by the extension's commands (simulate, act on a socket): all false/undefined on a page that never gets one. */
  let simOn = false;
  let simNext = false;
  let simRows: number[] | undefined;
  let records: PageRecord[] = bare([]);
  let cols: PackedColumns = newColumns();
  /** The last row's time, in whole microseconds since timeOrigin (0 before a batch's first row): rows carry differences. */
  let lastMicros = 0;
  let queuedMessages = 0;
  let queuedChars = 0;
  let droppedMessages = 0;
  let droppedRecords = 0;
  let pendingReads = 0;
  /** Blobs (or their preview's slice) whose preview is still to be read, and their rows in `cols`. */
  let blobQueue: Blob[] = bare([]);
  let blobRows: number[] = bare([]);
  let timer = 0;
  /** When the last batch was sent (hook clock): the next timer flush waits until FLUSH_INTERVAL_MS after it. */
  let lastFlushAt = -FLUSH_INTERVAL_MS;
  /** A zero-delay timer: the flush due once the page's current task (e.g. a loop of send()) has ended. */
  let soon = 0;
  // Objects read on every message are made with bare() rather than a `__proto__: null` literal: V8 gives such a
  // literal dictionary properties (slower to read), and keeps fast ones when the prototype is dropped afterwards.
  // Either way the literal defines its properties, and no setter of the page's Object.prototype runs.
  /** Each message's preview: at most this many UTF-16 units of text or bytes of binary (a 'preview' command sets it). */
  let previewCap = PREVIEW_MAX;
  /** Whether the relay hands each batch over as it comes (a 'live' command says); until then it holds them, and binary messages over BLOB_HELD_READ_MAX keep no preview (Blobs are not read). */
  let live = false;
  /** The two preview budgets: characters left, as of `at` (hook clock). */
  const textBudget: Budget = bare({ left: PREVIEW_BUDGET_CHARS, at: 0, max: PREVIEW_BUDGET_CHARS, refill: PREVIEW_REFILL_PER_MS });
  const binaryBudget: Budget = bare({ left: BINARY_BUDGET_CHARS, at: 0, max: BINARY_BUDGET_CHARS, refill: BINARY_REFILL_PER_MS });
  /** Blob reads while held, counted, not characters (81). */
  const heldReads: Budget = bare({ left: BLOB_HELD_READS_BURST, at: 0, max: BLOB_HELD_READS_BURST, refill: BLOB_HELD_READS_PER_S / 1000 });

  function newColumns(): PackedColumns {
    return bare({ meta: bare([]), time: bare([]), size: bare([]), preview: bare([]), sse: bare([]) }) as PackedColumns;
  }
  const stamp = () => timeOrigin + now();

  function schedule(): void {
    if (queuedMessages >= FLUSH_NOW_MESSAGES || queuedChars >= FLUSH_NOW_CHARS) flush(false);
    else if (queuedMessages >= FLUSH_MESSAGES || queuedChars >= FLUSH_CHARS) {
      if (!soon) soon = setTimer(onSoon, 0);
    } else if (!timer) {
      const wait = lastFlushAt + FLUSH_INTERVAL_MS - now();
      timer = setTimer(onTimer, wait > FLUSH_DELAY_MS ? wait : FLUSH_DELAY_MS);
    }
  }
  function onTimer(): void {
    timer = 0;
    flush(false);
  }
  function onSoon(): void {
    soon = 0;
    flush(false);
  }
  /** `force`: the document is going away, send what we have even if a Blob is still being read. */
  function flush(force: boolean): void {
    if (!relayReady || (!records.length && !queuedMessages && !droppedMessages && !droppedRecords)) return;
    if (pendingReads && !force) {
      if (blobQueue.length) startReads();
      if (!timer) timer = setTimer(onTimer, FLUSH_DELAY_MS);
      return;
    }
    if (blobQueue.length) {
      // Leaving (force): the Blobs not yet read keep no preview, as a read not yet answered.
      pendingReads -= blobQueue.length;
      blobQueue = bare([]);
      blobRows = bare([]);
    }
    const batch = { __proto__: null, v: PROTOCOL_VERSION, seq: ++seq, t0: timeOrigin, records, messages: cols, droppedMessages } as PageBatch;
    if (droppedRecords) batch.droppedRecords = droppedRecords;
    if (simRows) batch.simRows = simRows;
    simRows = undefined;
    records = bare([]);
    cols = newColumns();
    lastMicros = 0;
    queuedMessages = queuedChars = droppedMessages = droppedRecords = 0;
    lastFlushAt = now();
    send(batchType, nonce + stringify(batch));
  }
  /** The event's init dictionary has no prototype: the page's Object.prototype getters (detail, bubbles...) are never consulted. */
  function send(type: string, detail: string): void {
    apply(dispatch, win, [new NativeCustomEvent(type, { __proto__: null, detail } as CustomEventInit)]);
  }

  function pushRecord(record: PageRecord): void {
    records[records.length] = record;
    schedule();
  }

  // ---- payloads ----
  // Most messages are ASCII: one native scan says so, and their size is their length (2x faster than the loop below,
  // measured on 100-character messages). A plain loop otherwise: in Chromium, TextEncoder.encodeInto on short
  // messages is no faster once the loop is optimized.
  function utf8Length(text: string): number {
    let bytes = text.length;
    if (regexExec(nonAscii, text) === null) return bytes;
    for (let i = 0; i < text.length; i++) {
      const unit = charCodeAt(text, i);
      if (unit < 0x80) continue;
      if (unit < 0x800) bytes += 1;
      else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (charCodeAt(text, i + 1) & 0xfc00) === 0xdc00) {
        bytes += 2; // a surrogate pair: 2 units, 4 bytes
        i++;
      } else bytes += 2; // lone surrogates become U+FFFD: 3 bytes
    }
    return bytes;
  }
  function base64(bytes: Uint8Array): string {
    if (toBase64) return apply(toBase64, bytes, []) as string;
    let binary = '';
    // A new view per chunk, not subarray(), which would look up the page's `constructor` (species).
    for (let i = 0; i < bytes.length; i += 8192) {
      binary += apply(fromCharCode, null, new NativeUint8Array(apply(viewBufferOf, bytes, []) as ArrayBuffer, (apply(viewOffsetOf, bytes, []) as number) + i, bytes.length - i < 8192 ? bytes.length - i : 8192) as unknown as number[]) as string;
    }
    return btoa(binary);
  }
  function arrayBufferLength(value: unknown): number {
    try {
      return apply(byteLengthOf, value, []) as number;
    } catch {
      return -1;
    }
  }
  function blobLength(value: unknown): number {
    try {
      return apply(blobSizeOf, value, []) as number;
    } catch {
      return -1;
    }
  }

  /** Takes `chars` from a preview budget; false (and nothing taken) when it is spent. */
  function spend(budget: Budget, chars: number, at: number): boolean {
    let left = budget.left + (at - budget.at) * budget.refill;
    budget.at = at;
    if (left > budget.max) left = budget.max;
    budget.left = left < chars ? left : left - chars;
    return left >= chars;
  }

  /** `event`: an EventSource event's type (and its lastEventId), kept in the sparse `sse` column. */
  function pushMessage(id: number, dir: number, data: unknown, event?: string, lastEventId?: string): void {
    if (!relayReady && queuedMessages >= UNRELAYED_MAX) {
      droppedMessages++;
      return;
    }
    const at = now();
    let opcode = 2;
    let size: number;
    let preview = '';
    // 0 whole preview, 1 truncated, 2 no preview: over the preview budget, 3 no preview: a large Blob while held (78).
    let truncated = 0;
    if (typeof data === 'string') {
      opcode = 1;
      size = utf8Length(data);
      const length = data.length > previewCap ? previewCap : data.length;
      if (!spend(textBudget, length, at)) truncated = 2;
      else if (length < data.length) {
        preview = strSlice(data, 0, length);
        truncated = 1;
      } else preview = data;
    } else if (isView(data)) {
      // Through the natives' getters: the page may have redefined byteLength, buffer or byteOffset.
      let buffer: ArrayBuffer;
      let offset: number;
      try {
        size = apply(viewLengthOf, data, []) as number;
        buffer = apply(viewBufferOf, data, []) as ArrayBuffer;
        offset = apply(viewOffsetOf, data, []) as number;
      } catch {
        size = apply(dataViewLengthOf, data, []) as number;
        buffer = apply(dataViewBufferOf, data, []) as ArrayBuffer;
        offset = apply(dataViewOffsetOf, data, []) as number;
      }
      const length = size > previewCap ? previewCap : size;
      // A view on the page's own buffer, of the preview's bytes only: no copy of the payload, no transfer, nothing detached.
      // While held, no preview of a binary message over BLOB_HELD_READ_MAX, as for Blobs (docs/decisions.md, 86).
      if (!live && size > BLOB_HELD_READ_MAX) truncated = PREVIEW_HELD_BLOB;
      else if (!spend(binaryBudget, ((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        preview = base64(new NativeUint8Array(buffer, offset, length));
        truncated = length < size ? 1 : 0;
      }
    } else if (!receivedBlob(dir, data) && (size = arrayBufferLength(data)) >= 0) {
      const length = size > previewCap ? previewCap : size;
      // While held, an ArrayBuffer over BLOB_HELD_READ_MAX keeps no preview: its base64 strings alone brought a young
      // collection into an idle page's flood, which put off the collection of its buffers (docs/decisions.md, 79 and 86).
      if (!live && size > BLOB_HELD_READ_MAX) truncated = PREVIEW_HELD_BLOB;
      else if (!spend(binaryBudget, ((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        preview = base64(new NativeUint8Array(data as ArrayBuffer, 0, length));
        truncated = length < size ? 1 : 0;
      }
    } else if ((size = blobLength(data)) >= 0) {
      const length = size > previewCap ? previewCap : size;
      // While nothing reads the tab: no large Blob (a read costs the browser tens of ms of CPU: docs/decisions.md, 78),
      // and a count of small ones (each costs 0.15 to 0.3 ms: 81).
      if (!live && length && (size > BLOB_HELD_READ_MAX || !spend(heldReads, 1, at))) truncated = PREVIEW_HELD_BLOB;
      else if (!spend(binaryBudget, ((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        truncated = length < size ? 1 : 0;
        if (length) queueBlobPreview(data as Blob, length < size ? length : -1, cols.preview.length);
      }
    } else {
      // Other values were converted by the browser with ToString; only primitives can be converted again without
      // side effects (an object's or a function's toString is the page's code, and the page would see a second call).
      opcode = 1;
      preview = data === null || (typeof data !== 'object' && typeof data !== 'function') ? '' + (data as string) : '';
      size = utf8Length(preview);
    }
    const row = cols.meta.length;
    if (simNext) {
      simNext = false;
      (simRows ??= bare([]))[simRows.length] = row;
    }
    // packMeta (src/core/wire.ts), written out: one number for four small columns.
    cols.meta[row] = id * 16 + truncated * 4 + dir * 2 + opcode - 1;
    // Whole microseconds since the document's timeOrigin (the batch's t0): integers print and parse several times
    // faster than epoch milliseconds with a fraction, in half the characters. The clock is coarser than 1 µs anyway.
    // As the difference from the row before (performance.now() never goes back): a few digits instead of up to ten.
    const micros = round(at * 1000);
    cols.time[row] = micros - lastMicros;
    lastMicros = micros;
    cols.size[row] = size;
    cols.preview[row] = preview;
    if (event !== undefined) {
      const sse = cols.sse!;
      sse[sse.length] = row;
      sse[sse.length] = event;
      sse[sse.length] = lastEventId!;
    }
    queuedMessages++;
    queuedChars += preview.length;
    schedule();
  }

  /**
   * A received message's data is the browser's own string, ArrayBuffer or Blob, never a page's object (our listener
   * runs first): its prototype says whether it is a Blob without the ArrayBuffer getter throwing (an exception
   * per message: 5 µs each, measured). Not for sent data, which may be a page's Proxy (getPrototypeOf is a trap).
   */
  function receivedBlob(dir: number, data: unknown): boolean {
    return dir === DIR_RECEIVE && typeof data === 'object' && data !== null && getPrototypeOf(data) === blobProto;
  }

  /**
   * Blobs are read asynchronously (the page is not delayed); the batch waits for the read. `length` -1: the whole Blob
   * (no slice to make). The Blob is only queued here: the batch's Blobs are read together when it is due (startReads).
   */
  function queueBlobPreview(blob: Blob, length: number, index: number): void {
    pendingReads++;
    const at = blobQueue.length;
    blobQueue[at] = length < 0 ? blob : (apply(blobSlice, blob, [0, length]) as Blob);
    blobRows[at] = index;
  }

  /**
   * A Blob of `parts` (a bare array). The constructor iterates its argument (a WebIDL sequence): through an iterator of
   * ours, own properties only, so neither the page's Array iterator nor any prototype of the page is consulted.
   */
  function newBlob(parts: unknown[]): Blob {
    let next = 0;
    const step = bare({ done: false, value: undefined as unknown });
    const iterator = bare({
      next: () => {
        step.done = next >= parts.length;
        step.value = step.done ? undefined : parts[next++];
        return step;
      },
    });
    defineProperty(parts, iteratorSymbol, { __proto__: null, value: () => iterator } as PropertyDescriptor);
    return new NativeBlob(parts as BlobPart[]);
  }

  /**
   * Reads the queued Blobs as one: a Blob made of them, read once, cut at their sizes. Each read costs the browser
   * CPU however small the Blob (a flood of 2,000 Blobs of 1 KiB: +422 ms for one read each, +75 ms for one a batch, against none:
   * docs/decisions.md, 75), so a batch's Blobs cost one read, not one each.
   */
  function startReads(): void {
    const parts = blobQueue;
    const rows = blobRows;
    const target = cols;
    blobQueue = bare([]);
    blobRows = bare([]);
    const done = (buffer?: ArrayBuffer) => {
      pendingReads -= rows.length;
      if (!buffer) return;
      // Never a throw out of this callback: the page would see an unhandled rejection.
      try {
        let offset = 0;
        for (let i = 0; i < rows.length; i++) {
          const length = apply(blobSizeOf, parts[i], []) as number;
          target.preview[rows[i]] = base64(new NativeUint8Array(buffer, offset, length));
          offset += length;
        }
      } catch {
        /* a read shorter than its parts: the rest keep no preview */
      }
    };
    try {
      const read = apply(blobArrayBuffer, rows.length === 1 ? parts[0] : newBlob(parts), []) as Promise<ArrayBuffer>;
      // then() looks up `constructor` (for a species); an own undefined one makes it use the native Promise.
      defineProperty(read, 'constructor', { __proto__: null, value: undefined } as PropertyDescriptor);
      apply(promiseThen, read, [done, () => done()]);
    } catch {
      done();
    }
  }

  // ---- socket events (listeners added before the page can add its own) ----
  // Only trusted events are recorded: a page can dispatch a forged MessageEvent or CloseEvent on its
  // own socket, and `isTrusted` (read through the native getter) is the one thing it cannot forge.
  function on(target: EventTarget, type: string, listener: (this: never, event: never) => void, capture?: boolean): void {
    apply(addListener, target, [type, listener, capture]);
  }
  const stateOf = (ws: unknown) => weakGet(states, ws) as SocketState | undefined;
  function onOpen(this: WebSocket, event: Event): void {
    try {
      const state = stateOf(this);
      if (!state || !trusted(event)) return;
      state.opened = true;
      state.t = now();
      if (!openSockets++) startProbe();
      pushRecord({ __proto__: null, k: 'open', at: queuedMessages, id: state.id, time: stamp(), protocol: apply(protocolOf, this, []), extensions: apply(extensionsOf, this, []) } as PageRecord);
    } catch {
      /* never let the hook break the page */
    }
  }
  function onError(this: WebSocket, event: Event): void {
    try {
      const state = stateOf(this);
      if (state && trusted(event)) pushRecord({ __proto__: null, k: 'error', at: queuedMessages, id: state.id, time: stamp() } as PageRecord);
    } catch {
      /* never let the hook break the page */
    }
  }
  function onClose(this: WebSocket, event: CloseEvent): void {
    try {
      const state = stateOf(this);
      if (!state || !trusted(event)) return;
      weakDelete(states, this);
      delete alive[state.id];
      state.ws = undefined;
      if (state.ended) return;
      const fake = state.sim;
      if (fake) weakSet(fakes, event, fake);
      pushRecord({ __proto__: null, k: 'close', at: queuedMessages, id: state.id, time: stamp(), code: fake ? fake.code : apply(codeOf, event, []), reason: fake ? fake.reason : apply(reasonOf, event, []), wasClean: fake ? fake.wasClean : apply(wasCleanOf, event, []), sim: fake ? 1 : undefined } as PageRecord);
      if (state.opened && --openSockets <= 0) stopProbe();
    } catch {
      /* never let the hook break the page */
    }
  }

  /** The protocols the page asked for: read once more from its own argument, own elements only (see README, Security model). */
  function protocolList(value: unknown): string[] {
    const list: string[] = bare([]);
    if (typeof value === 'string') list[0] = value;
    else if (isArray(value)) {
      const length = (value as unknown[]).length;
      for (let i = 0; i < length && i < 64; i++) {
        const item = (value as unknown[])[i];
        if (typeof item === 'string') list[list.length] = item;
      }
    }
    return list;
  }

  function firstConnection(): void {
    if (anySocket) return;
    anySocket = true;
    takeEventNatives();
    watchPage();
  }

  function track(ws: WebSocket, protocolsArg: unknown): void {
    const id = nextId++;
    const state = { __proto__: null, id, opened: false, ws } as SocketState;
    weakSet(states, ws, state);
    alive[id] = state;
    firstConnection();
    // One listener per socket that knows its id: no lookup per message.
    const onMessage = (event: MessageEvent) => {
      try {
        if (simOn && simReceived(state, event)) return;
        if (trusted(event)) pushMessage(id, DIR_RECEIVE, dataOf(event));
      } catch {
        /* never let the hook break the page */
      }
    };
    pushRecord({ __proto__: null, k: 'create', at: queuedMessages, id, time: stamp(), url: apply(urlOf, ws, []), protocols: protocolList(protocolsArg) } as PageRecord);
    on(ws, 'open', onOpen);
    on(ws, 'message', onMessage as (event: never) => void);
    on(ws, 'error', onError);
    on(ws, 'close', onClose);
    if (simOn) simCreated(state);
  }

  // ---- the wrappers ----
  // Proxy handlers have no prototype: a trap the page puts on Object.prototype (get, apply,
  // getPrototypeOf...) would otherwise become a trap of these proxies, and hand it the natives.
  // A native's exception is rethrown without the hook's stack frame (rethrow above).
  const constructHandler: ProxyHandler<typeof WebSocket> = {
    __proto__: null,
    construct(target, args, newTarget) {
      // Subclasses keep their own prototype through newTarget; bad arguments throw the native exceptions.
      let ws: WebSocket;
      try {
        ws = construct(target, args, newTarget) as WebSocket;
      } catch (error) {
        return rethrow(error, constructHandler.construct);
      }
      try {
        track(ws, args.length > 1 ? args[1] : undefined);
      } catch {
        /* never let the hook break the page */
      }
      return ws;
    },
  } as ProxyHandler<typeof WebSocket>;
  const WrappedWebSocket = new Proxy(NativeWebSocket, constructHandler);
  // send() is the one wrapper on a hot path (pages send in tight loops), so it is a plain method,
  // far cheaper to call than a Proxy trap. A method has no `prototype`, and keeps the native's
  // name and length; toString is disguised below like the others.
  const sendNative = uncurry(wsProto.send);
  const readyState = uncurry(readyStateOf);
  const wrappedSend = {
    send(this: WebSocket, data: unknown) {
      let result: unknown;
      try {
        // No argument must stay no argument: the native then throws its TypeError.
        result = arguments.length ? sendNative(this, data) : sendNative(this);
      } catch (error) {
        return rethrow(error, wrappedSend);
      }
      try {
        const state = stateOf(this);
        // send() while CLOSING/CLOSED only grows bufferedAmount: nothing goes on the wire.
        if (state && readyState(this) === 1) {
          pushMessage(state.id, DIR_SEND, data);
          if (simOn) state.tx = now();
        }
      } catch {
        /* never let the hook break the page */
      }
      return result;
    },
  }.send;
  const closeHandler: ProxyHandler<WebSocket['close']> = {
    __proto__: null,
    apply(target, ws: WebSocket, args: unknown[]) {
      let before = 3;
      try {
        before = apply(readyStateOf, ws, []) as number;
      } catch {
        /* not a WebSocket: the native call below throws the page's TypeError */
      }
      let result: unknown;
      try {
        result = apply(target, ws, args);
      } catch (error) {
        return rethrow(error, closeHandler.apply);
      }
      try {
        const state = stateOf(ws);
        if (state && before < 2) {
          const code = args.length > 0 ? args[0] : undefined;
          const reason = args.length > 1 ? args[1] : undefined;
          pushRecord({ __proto__: null, k: 'closing', at: queuedMessages, id: state.id, time: stamp(), code: typeof code === 'number' ? code : undefined, reason: typeof reason === 'string' ? reason : undefined } as PageRecord);
        }
      } catch {
        /* never let the hook break the page */
      }
      return result;
    },
  } as ProxyHandler<WebSocket['close']>;
  const closeNative = uncurry(wsProto.close);
  const wrappedClose = new Proxy(wsProto.close, closeHandler);
  // Function.prototype.toString must keep printing "function WebSocket() { [native code] }".
  const toStringHandler: ProxyHandler<typeof nativeToString> = {
    __proto__: null,
    apply(target, self: object, args: unknown[]) {
      const source = weakGet(disguised, self);
      if (source !== undefined) return source;
      try {
        return apply(target, self, args);
      } catch (error) {
        return rethrow(error, toStringHandler.apply);
      }
    },
  } as ProxyHandler<typeof nativeToString>;
  const wrappedToString = new Proxy(nativeToString, toStringHandler);
  weakSet(disguised, WrappedWebSocket, apply(nativeToString, NativeWebSocket, []));
  weakSet(disguised, wrappedSend, apply(nativeToString, wsProto.send, []));
  weakSet(disguised, wrappedClose, apply(nativeToString, wsProto.close, []));
  weakSet(disguised, wrappedToString, apply(nativeToString, nativeToString, []));
  const replace = (owner: object, name: string, value: unknown) => defineProperty(owner, name, { __proto__: null, ...ownDesc(owner, name), value } as PropertyDescriptor);
  replace(win, 'WebSocket', WrappedWebSocket);
  replace(wsProto, 'constructor', WrappedWebSocket);
  replace(wsProto, 'send', wrappedSend);
  replace(wsProto, 'close', wrappedClose);
  replace(FunctionProto, 'toString', wrappedToString);
  // EventSource and workers (src/page/eventSource.ts), with the same natives and queue.
  hookLongLived({
    win, uncurry, getter, rethrow, trusted, on, replace, stamp, pageRecord, firstConnection, alive, weakGet, weakSet, weakDelete, bare,
    disguise: (wrapper, native) => weakSet(disguised, wrapper, apply(nativeToString, native, [])),
    nextId: () => nextId++,
    record: (record) => {
      record.at = queuedMessages;
      pushRecord(record);
    },
    message: pushMessage,
    opened: () => {
      if (!openSockets++) startProbe();
    },
    closed: () => {
      if (--openSockets <= 0) stopProbe();
    },
  });

  // ---- page context: only once the page has a socket, so pages without one pay nothing ----
  // At most PAGE_RECORDS_PER_SECOND per type and second (a flood of real events, e.g. a flapping
  // network, must not flood every hop); the rest are counted in the batch's droppedRecords.
  const pageCounts = { __proto__: null } as unknown as Record<string, number>;
  let pageWindow = 0;
  function pageRecord(type: PageContextType, detail?: string, lateMs?: number): void {
    const time = stamp();
    if (time - pageWindow >= 1000) {
      pageWindow = time;
      for (const key in pageCounts) pageCounts[key] = 0;
    }
    const count = pageCounts[type] || 0;
    if (count >= PAGE_RECORDS_PER_SECOND) {
      droppedRecords++;
      schedule();
      return;
    }
    pageCounts[type] = count + 1;
    pushRecord({ __proto__: null, k: 'page', at: queuedMessages, type, time, detail, lateMs } as PageRecord);
  }
  function watchPage(): void {
    if (apply(visibilityOf, doc, []) === 'hidden') pageRecord('hidden');
    // Synthetic events (dispatched by the page) are ignored.
    const guard = (fn: (event: Event) => void) => (event: Event) => {
      try {
        if (trusted(event)) fn(event);
      } catch {
        /* never let the hook break the page */
      }
    };
    on(doc, 'visibilitychange', guard(() => pageRecord(apply(visibilityOf, doc, []) === 'hidden' ? 'hidden' : 'visible')), true);
    on(win, 'online', guard(() => pageRecord('online')), true);
    on(win, 'offline', guard(() => pageRecord('offline')), true);
    on(doc, 'freeze', guard(() => {
      pageRecord('freeze');
      flush(true);
    }), true);
    on(doc, 'resume', guard(() => pageRecord('resume')), true);
    on(win, 'pageshow', guard((event) => {
      if (apply(persistedOf, event, [])) pageRecord('pageshow', 'persisted');
    }), true);
    // The navigation's start, before Firefox fails the sockets still connecting (src/core/ingest.ts). Only recorded:
    // no preventDefault, no returnValue, so never a prompt; and it keeps the page eligible for the bfcache in
    // Chromium and Firefox (measured, docs/decisions.md 53), unlike an unload listener.
    on(win, 'beforeunload', guard(() => pageRecord('beforeunload')), true);
    on(win, 'pagehide', guard((event) => {
      pageRecord('pagehide', apply(persistedOf, event, []) ? 'persisted' : undefined);
      endAliveSockets();
      // Synchronous: the relay gets this batch before the document goes away.
      flush(true);
    }), true);
  }

  /**
   * The document is going away (reload, navigation, tab closed, bfcache): the browser ends its sockets itself
   * (sending 1001), and Chromium never fires their close events. Each socket still alive is recorded as ended
   * by the navigation now, in the batch flushed synchronously from pagehide; a close event that Firefox fires
   * later for it is not recorded again.
   */
  function endAliveSockets(): void {
    for (const key in alive) {
      const state = alive[key];
      delete alive[key];
      state.ended = true;
      pushRecord({ __proto__: null, k: 'close', at: queuedMessages, id: state.id, time: stamp(), code: CLOSE_GOING_AWAY, reason: '', wasClean: false, navigation: 1 } as PageRecord);
      if (state.opened && --openSockets <= 0) stopProbe();
    }
  }

  // Timer lateness while a socket is open: one chained timeout, 1 s while the page is visible (late by
  // more than a second means a frozen or blocked page), 250 ms while hidden, to tell basic throttling
  // (aligned to 1 s) and intensive throttling (once a minute) apart: the usual reason a page's own
  // heartbeat goes out late. A throttling level is recorded when it starts, not at every tick.
  let probe = 0;
  let throttleLevel = '';
  let lastSocketClosedAt = 0;
  function probeTick(scheduledAt: number, delayMs: number): void {
    probe = 0;
    const t = now();
    const elapsedMs = t - scheduledAt;
    const hidden = apply(visibilityOf, doc, []) === 'hidden';
    if (hidden && delayMs === HIDDEN_PROBE_MS) {
      const level = elapsedMs >= INTENSIVE_THROTTLE_MS ? 'intensive' : elapsedMs - delayMs >= BASIC_THROTTLE_LATE_MS ? 'basic' : '';
      if (level && level !== throttleLevel) pageRecord('timer-throttled', level, round(elapsedMs - delayMs));
      if (level) throttleLevel = level;
    } else {
      if (!hidden) throttleLevel = '';
      if (elapsedMs - delayMs > LATE_THRESHOLD_MS) pageRecord('timer-late', undefined, round(elapsedMs - delayMs));
    }
    // Probing goes on a while after the last socket closed: a page whose sockets die within a second
    // (a throttled heartbeat) would otherwise restart the probe with each one and never see it fire.
    if (openSockets > 0 || t - lastSocketClosedAt < PROBE_LINGER_MS) scheduleProbe(hidden ? HIDDEN_PROBE_MS : PROBE_INTERVAL_MS);
  }
  function scheduleProbe(delayMs: number): void {
    const scheduledAt = now();
    probe = setTimer(() => probeTick(scheduledAt, delayMs), delayMs);
  }
  function startProbe(): void {
    if (!probe) scheduleProbe(apply(visibilityOf, doc, []) === 'hidden' ? HIDDEN_PROBE_MS : PROBE_INTERVAL_MS);
  }
  /** The last open socket closed: the pending tick ends the probe once PROBE_LINGER_MS have passed. */
  function stopProbe(): void {
    openSockets = 0;
    lastSocketClosedAt = now();
  }

  // ---- commands from the extension's own pages (docs/decisions.md 39; README, Reproduce and verify) ----
  // They come from the relay under a name derived from the nonce: the page can neither send nor see them.
  // Nothing below runs, and nothing is replaced, until the first command arrives.
  const fakes = new WeakMap<object, SocketState['sim']>();
  let policy: Extract<PageCommand, { c: 'policy' }> | undefined;
  let policyAt = 0;
  let simTimer = 0;
  /** A getter that reads `value(self)` when it is defined, the native's otherwise; printed as the native. */
  function fakeGetter(proto: object, name: string, value: (self: unknown) => unknown): void {
    const native = getter(proto, name);
    const handler = {
      __proto__: null,
      apply(target: () => unknown, self: unknown, args: unknown[]) {
        const fake = value(self);
        if (fake !== undefined) return fake;
        try {
          return apply(target, self, args);
        } catch (error) {
          return rethrow(error, handler.apply);
        }
      },
    };
    const proxy = new Proxy(native, handler as ProxyHandler<() => unknown>);
    weakSet(disguised, proxy, apply(nativeToString, native, []));
    defineProperty(proto, name, { __proto__: null, ...ownDesc(proto, name), get: proxy } as PropertyDescriptor);
  }
  function simInstall(): void {
    simOn = true;
    const closeProto = CloseEvent.prototype;
    fakeGetter(closeProto, 'code', (self) => (weakGet(fakes, self) as SocketState['sim'])?.code);
    fakeGetter(closeProto, 'reason', (self) => (weakGet(fakes, self) as SocketState['sim'])?.reason);
    fakeGetter(closeProto, 'wasClean', (self) => (weakGet(fakes, self) as SocketState['sim'])?.wasClean);
    fakeGetter(wsProto, 'readyState', (self) => (stateOf(self)?.live ? 1 : undefined));
  }
  /** Ends a socket through the native close(); its close event then reads `code`, `reason`, `wasClean` (above). */
  function simEnd(state: SocketState, code: number, reason: string, wasClean: boolean): void {
    const ws = state.ws;
    if (!ws || state.sim) return;
    const before = readyState(ws) as number;
    if (before > 1) return;
    state.sim = { __proto__: null, code, reason, wasClean } as SocketState['sim'];
    if (before === 1 && !wasClean) state.live = 1;
    // CONNECTING: the browser fails it (error, then close 1006), as when the network is down. OPEN: a close frame
    // without a code; the page sees the close event when the server answers it.
    closeNative(ws);
  }
  /** A socket the extension ended delivers nothing more (a dead connection); otherwise its last message is noted. */
  function simReceived(state: SocketState, event: Event): boolean {
    if (state.sim) {
      apply(stopImmediate, event, []);
      return true;
    }
    // Only what came over the wire counts (not an injected or page-dispatched event), as for a real intermediary.
    if (trusted(event)) state.rx = now();
    return false;
  }
  function endpointOf(state: SocketState): string {
    const url = apply(urlOf, state.ws, []) as string;
    let end = url.length;
    for (let i = 0; i < end; i++) if (charCodeAt(url, i) === 63 || charCodeAt(url, i) === 35) end = i;
    return strSlice(url, 0, end);
  }
  const applies = (state: SocketState) => !!policy && (!policy.endpoint || endpointOf(state) === policy.endpoint);
  function simCreated(state: SocketState): void {
    if (policy && policy.kind === 'offline' && applies(state)) simEnd(state, 1006, '', false);
  }
  function simTick(): void {
    simTimer = 0;
    if (!policy) return;
    const t = now();
    const { kind, ms, basis } = policy;
    if (kind === 'offline' && t - policyAt >= ms) {
      policy = undefined;
      return;
    }
    for (const key in alive) {
      const state = alive[key];
      if (!state.ws || state.sim || !applies(state)) continue;
      if (kind === 'offline') simEnd(state, 1006, '', false);
      else if (state.t !== undefined) {
        const rx = state.rx || 0;
        const tx = state.tx || 0;
        const last = kind === 'lifetime' ? state.t : basis === 'received' ? rx : basis === 'sent' ? tx : rx > tx ? rx : tx;
        const since = kind === 'lifetime' ? last : last > policyAt ? (last > state.t ? last : state.t) : policyAt > state.t ? policyAt : state.t;
        if (t - since >= ms) simEnd(state, 1006, '', false);
      }
    }
    simTimer = setTimer(simTick, 50);
  }
  function payload(command: Extract<PageCommand, { binary: boolean }>, ws: WebSocket): unknown {
    if (!command.binary) return command.text;
    const text = atob(command.b64);
    const bytes = new NativeUint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = charCodeAt(text, i);
    return command.c === 'inject' && apply(binaryTypeOf, ws, []) === 'blob' ? newBlob(bare([bytes])) : apply(viewBufferOf, bytes, []);
  }
  function onCommand(event: Event): void {
    try {
      const command = bare(parse(apply(detailOf, event, []) as string) as PageCommand);
      // The user's preview bound (Settings.previewBytes), sent at the relay's hello and on every change.
      if (command.c === 'preview') {
        const bytes = command.bytes;
        if (typeof bytes === 'number' && bytes >= 0 && bytes <= PREVIEW_MAX && bytes % 1 === 0) previewCap = bytes;
        return;
      }
      if (command.c === 'live') {
        live = command.on === true;
        return;
      }
      // A stop (e.g. sent to the whole tab when a policy ended) changes nothing on a page that never had a command.
      if (command.c === 'stop') {
        policy = undefined;
        return;
      }
      if (!simOn) simInstall();
      if (command.c === 'policy') {
        policy = command;
        policyAt = now();
        if (!simTimer) simTick();
        return;
      }
      const state = alive[command.id];
      const ws = state?.ws;
      if (!ws) return;
      if (command.c === 'drop') simEnd(state, 1006, '', false);
      else if (command.c === 'close') simEnd(state, command.code, command.reason, true);
      else if (readyState(ws) === 1) {
        const data = payload(command, ws);
        simNext = true;
        if (command.c === 'send') {
          sendNative(ws, data);
          pushMessage(state.id, DIR_SEND, data);
          state.tx = now();
        } else {
          pushMessage(state.id, DIR_RECEIVE, data);
          const url = apply(urlOf, ws, []) as string;
          let end = 0;
          for (let slashes = 0; end < url.length && slashes < 3; end++) if (charCodeAt(url, end) === 47) slashes++;
          const origin = strSlice(url, 0, charCodeAt(url, end - 1) === 47 ? end - 1 : end);
          // Not trusted: a page checking event.isTrusted can tell (README, Security model).
          apply(dispatch, ws, [new NativeMessageEvent('message', { __proto__: null, data, origin } as MessageEventInit)]);
        }
        simNext = false;
      }
    } catch {
      /* never let the hook break the page */
    }
  }
  on(win, commandEventType(nonce), onCommand, true);

  // ---- handshake with the relay (either may be injected first) ----
  // Both run at document_start, before any page script: the handshake is over before the page
  // can listen. Then each side removes its listener for the fixed names, so a page using those
  // names sees ordinary events, and batches travel under the nonce itself as the event type.
  let greeting = false;
  const hello = () => {
    greeting = true;
    send(EVENT_HELLO, nonce);
    greeting = false;
  };
  function onReady(): void {
    if (relayReady) return;
    relayReady = true;
    apply(removeListener, win, [EVENT_READY, onReady, true]);
    // A relay that answered our own hello has the nonce already; a relay that came first has not.
    if (!greeting) hello();
    flush(false);
  }
  on(win, EVENT_READY, onReady, true);
  hello();
})();
