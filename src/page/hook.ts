// MAIN-world hook: runs at document_start in every frame of every page, before
// any page script. It wraps window.WebSocket so that the page cannot tell the
// difference, records what its sockets do, and hands batches to the relay
// (src/content/relay.ts). No imports but protocol constants: every byte here
// is paid by every frame the user ever loads.
import {
  DIR_RECEIVE,
  DIR_SEND,
  EVENT_BATCH,
  EVENT_HELLO,
  EVENT_READY,
  PROTOCOL_VERSION,
  type MessageColumns,
  type PageBatch,
  type PageContextType,
  type PageRecord,
} from '../protocol/page';

/** Default preview bound: 64 Ki UTF-16 units of text, or 64 KiB of binary. */
const PREVIEW_CAP = 65536;
/** Flush when this many messages are queued, without waiting for the timer. */
const FLUSH_MESSAGES = 4096;
/** Flush when this many preview characters are queued. */
const FLUSH_CHARS = 1 << 20;
const FLUSH_DELAY_MS = 40;
/** While no relay has answered (e.g. a frame the relay cannot reach), keep at most this many messages. */
const UNRELAYED_MAX = 10000;
/**
 * Preview budget, per document: a burst of this many preview characters, refilled at
 * PREVIEW_REFILL_PER_MS. A page receiving more than that (e.g. 64 KiB binary frames
 * back to back) gets its messages recorded in full (time, size, opcode) but
 * previews only while the budget lasts: the rest are marked evicted, exactly
 * as the background's memory cap (4 MiB a tab by default) would have done a
 * moment later, and counted the same way. Without it the hook would encode,
 * and every hop copy, megabytes a second only for the cap to throw them away.
 */
const PREVIEW_BUDGET_CHARS = 1 << 20;
const PREVIEW_REFILL_PER_MS = 1024;
const PROBE_INTERVAL_MS = 1000;
/** A probe timer firing this much later than due means the page's timers are being throttled. */
const LATE_THRESHOLD_MS = 1000;

interface SocketState {
  id: number;
  opened: boolean;
}

(() => {
  // Every native we need, taken before the page can replace or freeze it.
  const win = window;
  const NativeWebSocket = win.WebSocket;
  if (typeof NativeWebSocket !== 'function') return;
  const wsProto = NativeWebSocket.prototype;
  const { apply, construct, getOwnPropertyDescriptor: ownDesc } = Reflect;
  const defineProperty = Object.defineProperty;
  const getter = (proto: object, name: string) => ownDesc(proto, name)!.get!;
  const readyStateOf = getter(wsProto, 'readyState');
  const urlOf = getter(wsProto, 'url');
  const protocolOf = getter(wsProto, 'protocol');
  const extensionsOf = getter(wsProto, 'extensions');
  // Called once per message: an uncurried native (`dataOf(event)`) allocates no argument array, unlike Reflect.apply.
  const uncurry = (fn: (...args: never[]) => unknown) => apply(Function.prototype.bind, Function.prototype.call, [fn]) as (self: unknown, ...args: unknown[]) => unknown;
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
  function takeEventNatives(): void {
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
  const dispatch = EventTarget.prototype.dispatchEvent;
  const NativeCustomEvent = CustomEvent;
  const NativeUint8Array = Uint8Array;
  const isArray = Array.isArray;
  const stringify = JSON.stringify;
  const fromCharCode = String.fromCharCode;
  const btoa = win.btoa;
  const toBase64 = (NativeUint8Array.prototype as { toBase64?: () => string }).toBase64;
  const perf = performance;
  const now = perf.now.bind(perf);
  const timeOrigin = perf.timeOrigin;
  const setTimer = win.setTimeout.bind(win);
  const setRepeat = win.setInterval.bind(win);
  const clearRepeat = win.clearInterval.bind(win);
  const random = Math.random;
  const doc = document;
  const nativeToString = Function.prototype.toString;

  const states = new WeakMap<object, SocketState>();
  const disguised = new WeakMap<object, string>();
  let nextId = 1;
  let openSockets = 0;
  let anySocket = false;

  // ---- queue and flush ----
  const nonce = random().toString(36).slice(2) + random().toString(36).slice(2);
  let relayReady = false;
  let seq = 0;
  let records: PageRecord[] = [];
  let cols: MessageColumns = newColumns();
  let queuedMessages = 0;
  let queuedChars = 0;
  let droppedMessages = 0;
  let pendingReads = 0;
  let timer = 0;
  let previewBudget = PREVIEW_BUDGET_CHARS;
  let budgetAt = 0;

  function newColumns(): MessageColumns {
    return { id: [], dir: [], time: [], opcode: [], size: [], preview: [], truncated: [] };
  }
  const stamp = () => timeOrigin + now();

  function schedule(): void {
    if (queuedMessages >= FLUSH_MESSAGES || queuedChars >= FLUSH_CHARS) flush(false);
    else if (!timer) timer = setTimer(onTimer, FLUSH_DELAY_MS);
  }
  function onTimer(): void {
    timer = 0;
    flush(false);
  }
  /** `force`: the document is going away, send what we have even if a Blob is still being read. */
  function flush(force: boolean): void {
    if (!relayReady || (!records.length && !queuedMessages && !droppedMessages)) return;
    if (pendingReads && !force) {
      if (!timer) timer = setTimer(onTimer, FLUSH_DELAY_MS);
      return;
    }
    const batch: PageBatch = { v: PROTOCOL_VERSION, seq: ++seq, records, messages: cols, droppedMessages };
    records = [];
    cols = newColumns();
    queuedMessages = queuedChars = droppedMessages = 0;
    apply(dispatch, win, [new NativeCustomEvent(EVENT_BATCH, { detail: nonce + stringify(batch) })]);
  }

  function pushRecord(record: PageRecord): void {
    records[records.length] = record;
    schedule();
  }

  // ---- payloads ----
  // A plain loop: measured in Chromium, TextEncoder.encodeInto on 100-character messages is no faster once the loop is optimized.
  function utf8Length(text: string): number {
    let bytes = text.length;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) continue;
      if (unit < 0x800) bytes += 1;
      else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        bytes += 2; // a surrogate pair: 2 units, 4 bytes
        i++;
      } else bytes += 2; // lone surrogates become U+FFFD: 3 bytes
    }
    return bytes;
  }
  function base64(bytes: Uint8Array): string {
    if (toBase64) return apply(toBase64, bytes, []) as string;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 8192) {
      binary += apply(fromCharCode, null, bytes.subarray(i, i + 8192) as unknown as number[]) as string;
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

  /** Takes `chars` from the preview budget; false (and nothing taken) when it is spent. */
  function spend(chars: number, at: number): boolean {
    previewBudget += (at - budgetAt) * PREVIEW_REFILL_PER_MS;
    budgetAt = at;
    if (previewBudget > PREVIEW_BUDGET_CHARS) previewBudget = PREVIEW_BUDGET_CHARS;
    if (previewBudget < chars) return false;
    previewBudget -= chars;
    return true;
  }

  function pushMessage(id: number, dir: number, data: unknown): void {
    if (!relayReady && queuedMessages >= UNRELAYED_MAX) {
      droppedMessages++;
      return;
    }
    const at = now();
    const time = timeOrigin + at;
    let opcode = 2;
    let size: number;
    let preview = '';
    // 0 whole preview, 1 truncated, 2 no preview: over the preview budget.
    let truncated = 0;
    if (typeof data === 'string') {
      opcode = 1;
      size = utf8Length(data);
      const length = data.length > PREVIEW_CAP ? PREVIEW_CAP : data.length;
      if (!spend(length, at)) truncated = 2;
      else if (length < data.length) {
        preview = data.slice(0, PREVIEW_CAP);
        truncated = 1;
      } else preview = data;
    } else if (isView(data)) {
      const view = data as ArrayBufferView;
      size = view.byteLength;
      const length = size > PREVIEW_CAP ? PREVIEW_CAP : size;
      // A view on the page's own buffer, of the preview's bytes only: no copy of the payload, no transfer, nothing detached.
      if (!spend(((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        preview = base64(new NativeUint8Array(view.buffer, view.byteOffset, length));
        truncated = length < size ? 1 : 0;
      }
    } else if ((size = arrayBufferLength(data)) >= 0) {
      const length = size > PREVIEW_CAP ? PREVIEW_CAP : size;
      if (!spend(((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        preview = base64(new NativeUint8Array(data as ArrayBuffer, 0, length));
        truncated = length < size ? 1 : 0;
      }
    } else if ((size = blobLength(data)) >= 0) {
      const length = size > PREVIEW_CAP ? PREVIEW_CAP : size;
      if (!spend(((length + 2) / 3) << 2, at)) truncated = 2;
      else {
        truncated = length < size ? 1 : 0;
        readBlobPreview(data as Blob, length, cols, cols.preview.length);
      }
    } else {
      // Other values were converted by the browser with ToString; only primitives can be converted again without side effects.
      opcode = 1;
      preview = data === null || typeof data !== 'object' ? '' + (data as string) : '';
      size = utf8Length(preview);
    }
    const row = cols.id.length;
    cols.id[row] = id;
    cols.dir[row] = dir;
    cols.time[row] = time;
    cols.opcode[row] = opcode;
    cols.size[row] = size;
    cols.preview[row] = preview;
    cols.truncated[row] = truncated;
    queuedMessages++;
    queuedChars += preview.length;
    schedule();
  }

  /** Blobs are read asynchronously (the page is not delayed); the batch waits for the read. */
  function readBlobPreview(blob: Blob, length: number, target: MessageColumns, index: number): void {
    pendingReads++;
    const done = (buffer?: ArrayBuffer) => {
      pendingReads--;
      if (buffer) target.preview[index] = base64(new NativeUint8Array(buffer));
    };
    const slice = apply(blobSlice, blob, [0, length]) as Blob;
    apply(promiseThen, apply(blobArrayBuffer, slice, []), [done, () => done()]);
  }

  // ---- socket events (listeners added before the page can add its own) ----
  function on(target: EventTarget, type: string, listener: (this: never, event: never) => void, capture?: boolean): void {
    apply(addListener, target, [type, listener, capture]);
  }
  function onOpen(this: WebSocket): void {
    try {
      const state = states.get(this);
      if (!state) return;
      state.opened = true;
      if (!openSockets++) startProbe();
      pushRecord({ k: 'open', at: queuedMessages, id: state.id, time: stamp(), protocol: apply(protocolOf, this, []), extensions: apply(extensionsOf, this, []) });
    } catch {
      /* never let the hook break the page */
    }
  }
  function onError(this: WebSocket): void {
    try {
      const state = states.get(this);
      if (state) pushRecord({ k: 'error', at: queuedMessages, id: state.id, time: stamp() });
    } catch {
      /* never let the hook break the page */
    }
  }
  function onClose(this: WebSocket, event: CloseEvent): void {
    try {
      const state = states.get(this);
      if (!state) return;
      states.delete(this);
      pushRecord({ k: 'close', at: queuedMessages, id: state.id, time: stamp(), code: apply(codeOf, event, []), reason: apply(reasonOf, event, []), wasClean: apply(wasCleanOf, event, []) });
      if (state.opened && --openSockets <= 0) stopProbe();
    } catch {
      /* never let the hook break the page */
    }
  }

  function track(ws: WebSocket, protocolsArg: unknown): void {
    const id = nextId++;
    states.set(ws, { id, opened: false });
    // One listener per socket that knows its id: no lookup per message.
    const onMessage = (event: MessageEvent) => {
      try {
        pushMessage(id, DIR_RECEIVE, dataOf(event));
      } catch {
        /* never let the hook break the page */
      }
    };
    const protocols = typeof protocolsArg === 'string' ? [protocolsArg] : isArray(protocolsArg) ? protocolsArg.filter((p) => typeof p === 'string') : [];
    if (!anySocket) {
      anySocket = true;
      takeEventNatives();
      watchPage();
    }
    pushRecord({ k: 'create', at: queuedMessages, id, time: stamp(), url: apply(urlOf, ws, []), protocols });
    on(ws, 'open', onOpen);
    on(ws, 'message', onMessage as (event: never) => void);
    on(ws, 'error', onError);
    on(ws, 'close', onClose);
  }

  // ---- the wrapper ----
  const WrappedWebSocket = new Proxy(NativeWebSocket, {
    construct(target, args, newTarget) {
      // Subclasses keep their own prototype through newTarget; bad arguments throw the native exceptions.
      const ws = construct(target, args, newTarget) as WebSocket;
      try {
        track(ws, args[1]);
      } catch {
        /* never let the hook break the page */
      }
      return ws;
    },
  });
  // send() is the one wrapper on a hot path (pages send in tight loops), so it is a plain method,
  // far cheaper to call than a Proxy trap. A method has no `prototype`, and keeps the native's
  // name and length; toString is disguised below like the others.
  const sendNative = uncurry(wsProto.send);
  const readyState = uncurry(readyStateOf);
  const wrappedSend = {
    send(this: WebSocket, data: unknown) {
      // No argument must stay no argument: the native then throws its TypeError.
      const result = arguments.length ? sendNative(this, data) : sendNative(this);
      try {
        const state = states.get(this);
        // send() while CLOSING/CLOSED only grows bufferedAmount: nothing goes on the wire.
        if (state && readyState(this) === 1) pushMessage(state.id, DIR_SEND, data);
      } catch {
        /* never let the hook break the page */
      }
      return result;
    },
  }.send;
  const wrappedClose = new Proxy(wsProto.close, {
    apply(target, ws: WebSocket, args: unknown[]) {
      let before = 3;
      try {
        before = apply(readyStateOf, ws, []) as number;
      } catch {
        /* not a WebSocket: the native call below throws the page's TypeError */
      }
      const result = apply(target, ws, args);
      try {
        const state = states.get(ws);
        if (state && before < 2) {
          const code = args[0];
          const reason = args[1];
          pushRecord({ k: 'closing', at: queuedMessages, id: state.id, time: stamp(), code: typeof code === 'number' ? code : undefined, reason: typeof reason === 'string' ? reason : undefined });
        }
      } catch {
        /* never let the hook break the page */
      }
      return result;
    },
  });
  // Function.prototype.toString must keep printing "function WebSocket() { [native code] }".
  const wrappedToString = new Proxy(nativeToString, {
    apply(target, self: object, args: unknown[]) {
      const source = disguised.get(self);
      return source === undefined ? apply(target, self, args) : source;
    },
  });
  for (const [wrapper, original] of [
    [WrappedWebSocket, NativeWebSocket],
    [wrappedSend, wsProto.send],
    [wrappedClose, wsProto.close],
    [wrappedToString, nativeToString],
  ] as const) {
    disguised.set(wrapper, apply(nativeToString, original, []) as string);
  }
  const replace = (owner: object, name: string, value: unknown) => defineProperty(owner, name, { ...ownDesc(owner, name), value });
  replace(win, 'WebSocket', WrappedWebSocket);
  replace(wsProto, 'constructor', WrappedWebSocket);
  replace(wsProto, 'send', wrappedSend);
  replace(wsProto, 'close', wrappedClose);
  replace(Function.prototype, 'toString', wrappedToString);

  // ---- page context: only once the page has a socket, so pages without one pay nothing ----
  function pageRecord(type: PageContextType, detail?: string, lateMs?: number): void {
    pushRecord({ k: 'page', at: queuedMessages, type, time: stamp(), detail, lateMs });
  }
  function watchPage(): void {
    if (apply(visibilityOf, doc, []) === 'hidden') pageRecord('hidden');
    const guard = (fn: (event: Event) => void) => (event: Event) => {
      try {
        fn(event);
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
    on(win, 'pagehide', guard((event) => {
      pageRecord('pagehide', apply(persistedOf, event, []) ? 'persisted' : undefined);
      // Synchronous: the relay gets this batch before the document goes away.
      flush(true);
    }), true);
  }

  // Timer lateness: a 1 s probe while a socket is open. Late by more than a
  // second means intensive throttling (hidden tab) or a frozen page, the
  // usual reason a page's own heartbeat goes out late.
  let probe = 0;
  let probeLast = 0;
  function startProbe(): void {
    probeLast = now();
    probe = setRepeat(() => {
      const t = now();
      const lateMs = t - probeLast - PROBE_INTERVAL_MS;
      probeLast = t;
      if (lateMs > LATE_THRESHOLD_MS) pageRecord('timer-late', undefined, Math.round(lateMs));
    }, PROBE_INTERVAL_MS);
  }
  function stopProbe(): void {
    openSockets = 0;
    if (probe) clearRepeat(probe);
    probe = 0;
  }

  // ---- handshake with the relay (either may be injected first) ----
  const hello = () => apply(dispatch, win, [new NativeCustomEvent(EVENT_HELLO, { detail: nonce })]);
  function onReady(): void {
    if (relayReady) return;
    relayReady = true;
    hello();
    flush(false);
  }
  on(win, EVENT_READY, onReady, true);
  hello();
})();
