// Isolated-world relay: runs at document_start in every frame, as a
// standalone script (not loaded through an async import(), which would miss
// the first events). It takes the hook's batches off the page, and forwards
// them to the background through a Port. It holds each batch until the
// background says it was stored, so a service worker that stops and restarts
// loses nothing: on reconnect, unacknowledged batches are sent again (the
// background drops duplicates by seq).
//
// The logic is `startRelay(deps)`, which takes what it uses of the page
// (window's events, location, clock) and of the extension (a function that
// opens a Port) and registers its listeners; relay.ts is the entry that calls
// it with the real ones, the unit tests with fakes.
import { EVENT_HELLO, EVENT_READY, PROTOCOL_VERSION, batchEventType, commandEventType, type PageCommand } from '../protocol/page';
import { compactBatches } from './compact';
import { AUTOMATION_OPEN_PANEL, PORT_RELAY, type BackgroundToRelay, type RelayToBackground, type TypedPort } from '../protocol/messages';

/** Unacknowledged batches kept for resending; beyond this the oldest go (counted by the background if it never got them). */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;
/**
 * Batches a document holds while nothing reads it (docs/decisions.md, 73); past this it hands them over and stays live,
 * as the tab's memory cap (4 MiB) would keep no more of them anyway.
 */
export const HOLD_MAX_CHARS = 4 * 1024 * 1024;
/**
 * Batches posted together (a hand-over) go in messages of at most this many characters of JSON (well under a
 * Port message's 64 MiB in Chrome, JSON-escaped).
 */
export const SEND_MAX_CHARS = 4 * 1024 * 1024;
/**
 * A held document's Port closed by the worker's stop opens again after this. Sooner, in Chromium 156, a Port opened
 * while the worker was still stopping never reached the worker started after (the next message then went nowhere).
 */
export const HOLD_RECONNECT_MS = 1000;
/** How often a document holding batches tells the background (under Chrome's 30 s idle stop of a worker). */
export const HOLD_TICK_MS = 20_000;

export type RelayPort = TypedPort<RelayToBackground, BackgroundToRelay>;
type BatchMessage = Extract<RelayToBackground, { kind: 'batch' }>;

export interface RelayDeps {
  /** The window: the hook's events arrive on it, READY is dispatched on it. */
  target: EventTarget;
  top: boolean;
  /** The document's URL (read at each hello). */
  href(): string;
  /** performance.timeOrigin + performance.now(). */
  now(): number;
  /** performance.timeOrigin: when the document started (the hook's records cannot be older). */
  timeOrigin: number;
  webdriver: boolean;
  /** Opens a Port to the background (chrome.runtime.connect); throws when the extension is gone. */
  connect(name: string): RelayPort;
  setTimeout(callback: () => void, ms: number): unknown;
  /** Whether a top frame says hello at once: the background's HELLO_AT_ONCE_KEY in storage.local (decision 71). */
  helloAtOnce(): Promise<boolean>;
  /** Calls back when that key turns true later (a panel opened, a recording started, after this document's start). */
  watchHelloAtOnce?(callback: () => void): void;
  /** A random document id. */
  docId: string;
}

export function startRelay(deps: RelayDeps): void {
  const { target, top, docId } = deps;
  let nonce: string | undefined;
  let port: RelayPort | undefined;
  const pending: BatchMessage[] = [];
  let pendingChars = 0;
  let alive = true;
  /** A top frame whose hello did not go at document_start: it goes later, and says so. */
  let deferred = false;
  /**
   * Live: every batch goes to the background as it comes. Until then (nothing reads this document's tab: no panel
   * or popup on it, no recording or policy on it, decisions 73 and 74), batches stay here, in `held`, and go when the
   * background says `live`, when they pass HOLD_MAX_CHARS, or, as a compact record, when the document goes away or
   * freezes.
   */
  let live = false;
  /** Live for the rest of its life: past HOLD_MAX_CHARS, or when the key could not be read (decision 77's `held` is ignored). */
  let stayLive = false;
  /** Between pagehide and pageshow (or freeze and resume): what the hook still sends goes at once, uncompacted. */
  let leaving = false;
  /**
   * Set when the document goes away (or freezes) before the hook's own last batch came: the page record that ends it,
   * as it reads in the batch's JSON (`"type":"pagehide"`); that batch is held too, then the compact record goes.
   */
  let due: string | undefined;
  /** Whether the key was asked for (top frames: at document_start; subframes: at their first batch). */
  let asked = false;

  function hello(): RelayToBackground {
    const message: RelayToBackground = { kind: 'hello', v: PROTOCOL_VERSION, docId, frameUrl: deps.href(), top, time: deps.now(), timeOrigin: deps.timeOrigin, webdriver: deps.webdriver };
    if (deferred) message.deferred = true;
    if (!live && held.length) message.holding = true;
    // Live, and may hold again: a worker started after the one that told it so learns it here (decision 77).
    else if (live && !stayLive) message.live = true;
    return message;
  }

  function connect(): RelayPort | undefined {
    if (port || !alive) return port;
    try {
      port = deps.connect(PORT_RELAY);
    } catch {
      // The extension was reloaded or removed: this document's relay is orphaned for good.
      alive = false;
      return undefined;
    }
    const current = port;
    current.onMessage.addListener((message) => {
      // Something reads this document's tab (decision 74): what it holds goes now, and every batch from now on.
      if (message.kind === 'live') {
        if (message.docId === docId) goLive(true);
        return;
      }
      // Nothing reads it any more (decision 77): it holds again, unless it must stay live.
      if (message.kind === 'held') {
        if (message.docId === docId && !stayLive && live) {
          live = false;
          command({ c: 'live', on: false });
        }
        return;
      }
      if (message.kind === 'command') {
        if (message.docId === undefined || message.docId === docId) command(message.command);
        return;
      }
      if (message.kind !== 'ack' || message.docId !== docId) return;
      while (pending.length && pending[0].seq <= message.seq) pendingChars -= pending.shift()!.json.length;
    });
    current.onDisconnect.addListener(() => {
      if (port !== current) return;
      port = undefined;
      // The service worker stopped (or restarted): reconnect now if anything is unacknowledged, or held (its Port must be
      // open when the document goes away: see forward).
      if (pending.length) deps.setTimeout(connect, 50);
      else if (held.length) deps.setTimeout(connect, HOLD_RECONNECT_MS);
    });
    current.postMessage(hello());
    // Everything not yet acknowledged, in order: the background drops a seq at or below the last it applied.
    send(current, pending);
    return current;
  }

  /** Batches not handed over yet (nothing reads this document), oldest first, and their characters. */
  let held: BatchMessage[] = [];
  let heldChars = 0;

  /** `late`: after document_start (a top frame's hello then says it was deferred). */
  function goLive(late: boolean): void {
    if (live) return;
    live = true;
    // The hook reads large Blobs again (decision 78); queued until its nonce is known, as every command.
    command({ c: 'live', on: true });
    if (!late) deferred = false;
    const batches = held;
    held = [];
    heldChars = 0;
    post(batches); // the hello first when the Port is new, then every held batch
    if (!port) connect();
    if (batches.length) handedOver();
  }

  /** Tells the background that this document holds nothing any more (a panel waiting for its batches stops waiting). */
  function handedOver(): void {
    try {
      port?.postMessage({ kind: 'holding', docId, batches: 0, chars: 0 });
    } catch {
      // the Port is gone: its next one says hello without `holding`
    }
  }

  /**
   * Whether this document says hello at once (decision 71's key: a panel, popup, recording or policy somewhere, or a
   * preview bound); asked once, and watched. The hello lets the background see the document (a navigation in its tab's
   * panel) and tell it `live` if its tab is read (decision 74); whether it is live is the background's to say.
   */
  function ask(): void {
    if (asked) return;
    asked = true;
    deps.helloAtOnce().then(
      (yes) => {
        if (!yes) return;
        if (!port) deferred = false;
        connect();
      },
      () => {
        stayLive = true; // unreadable: live, as before
        goLive(false);
      },
    );
    // A panel opened (or a recording started) after this document's start: it says hello now (deferred).
    deps.watchHelloAtOnce?.(() => connect());
  }

  /** The document goes away or freezes while held: its compact record goes (src/content/compact.ts), a seq for every batch held. */
  function release(): void {
    leaving = true;
    if (live || !held.length) return;
    const first = held[0];
    const last = held[held.length - 1];
    const json = compactBatches(held.map((message) => message.json));
    const batches = json === undefined ? held : [{ kind: 'batch', docId, seq: last.seq, json, span: last.seq - first.seq + 1 } satisfies BatchMessage];
    held = [];
    heldChars = 0;
    post(batches);
    handedOver();
  }

  function forward(seq: number, json: string): void {
    const message: BatchMessage = { kind: 'batch', docId, seq, json };
    if (!live && (!leaving || due !== undefined)) {
      held.push(message);
      heldChars += json.length;
      if (due !== undefined && json.includes(due)) {
        due = undefined;
        return release();
      }
      if (heldChars > HOLD_MAX_CHARS) {
        stayLive = true; // too much to hold: handed over, and live from now on
        return goLive(true);
      }
      // The background hears at once that the document holds (not at the next tick, nor only with a hello that has not
      // gone yet), so a panel opened meanwhile waits for what is held: a document holding again after being live
      // (decision 77), or one whose hello went at document_start.
      if (held.length === 1 && port) holdingNote();
      addLate();
      ask();
      // The Port opens (and the hello goes) with the first batch, while the document is alive: a Port first opened in
      // pagehide reaches a stopped worker too late, the document gone (seen in Chromium 156).
      if (!port) connect();
      if (!ticking) {
        ticking = true;
        deps.setTimeout(tick, HOLD_TICK_MS);
      }
      return;
    }
    post([message]);
  }

  /**
   * While it holds batches, a document tells the background so every HOLD_TICK_MS: the worker, which Chrome stops
   * after 30 s without events, stays up to take the compact record at pagehide; and a Port the worker's stop closed
   * opens again.
   */
  let ticking = false;
  function tick(): void {
    if (live || !held.length) {
      ticking = false;
      return;
    }
    holdingNote();
    deps.setTimeout(tick, HOLD_TICK_MS);
  }
  function holdingNote(): void {
    try {
      if (port) port.postMessage({ kind: 'holding', docId, batches: held.length, chars: heldChars });
      else connect();
    } catch {
      port = undefined;
    }
  }

  /** Hands batches over: kept until acknowledged, sent on the open Port or with a new one. */
  function post(messages: BatchMessage[]): void {
    if (!messages.length) return;
    for (const message of messages) {
      pending.push(message);
      pendingChars += message.json.length;
    }
    try {
      if (port) send(port, messages);
      else connect(); // a new port sends every pending batch, these included
    } catch {
      port = undefined;
      deps.setTimeout(connect, 50);
    }
    // A batch dropped here was posted if a Port was open: lost only if the background never stores it, which the
    // gap in seqs it then sees tells (docs/decisions.md, 67).
    while (pendingChars > MAX_PENDING_CHARS && pending.length > 1) pendingChars -= pending.shift()!.json.length;
  }

  /**
   * Posts batches on a Port: one alone as it is, several as one `batches` message (up to SEND_MAX_CHARS each), so a
   * hand-over is one task for the worker and one delta for a panel, not one per batch (docs/decisions.md, 76).
   */
  function send(target: RelayPort, messages: BatchMessage[]): void {
    let group: BatchMessage[] = [];
    let chars = 0;
    const flush = (): void => {
      if (group.length === 1) target.postMessage(group[0]);
      else if (group.length) target.postMessage({ kind: 'batches', docId, batches: group.map(({ seq, json, span }) => (span === undefined ? { seq, json } : { seq, json, span })) });
      group = [];
      chars = 0;
    };
    for (const message of messages) {
      if (group.length && chars + message.json.length > SEND_MAX_CHARS) flush();
      group.push(message);
      chars += message.json.length;
    }
    flush();
  }

  /** Commands wait for the nonce (a policy kept across reloads comes with the new document's hello). */
  const commands: PageCommand[] = [];
  function command(message: PageCommand): void {
    if (nonce === undefined) commands.push(message);
    // Not trusted (dispatched by a script): the hook cannot check isTrusted, the name derived from the nonce is the protection.
    else target.dispatchEvent(new CustomEvent(commandEventType(nonce), { detail: JSON.stringify(message) }));
  }

  function onBatch(event: Event): void {
    // Never let the page's own listeners see the batch (it cannot know the event's name anyway).
    event.stopImmediatePropagation();
    const detail = (event as CustomEvent<unknown>).detail;
    if (nonce === undefined || typeof detail !== 'string' || !detail.startsWith(nonce)) return;
    const json = detail.slice(nonce.length);
    // The seq is read without parsing the whole batch: the background parses it, off the page's thread.
    const match = /^\{"v":\d+,"seq":(\d+),/.exec(json.slice(0, 40));
    if (match) forward(Number(match[1]), json);
  }

  // The handshake happens at document_start, before any page script. Once it is done the relay
  // stops listening for the fixed name, so a page dispatching or listening for it sees nothing unusual;
  // batches come under the nonce as the event type, a name the page cannot know.
  function onHello(event: Event): void {
    event.stopImmediatePropagation();
    if (nonce !== undefined) return;
    const detail = (event as CustomEvent<unknown>).detail;
    if (typeof detail !== 'string' || detail.length < 8 || detail.length > 64) return;
    nonce = detail;
    target.removeEventListener(EVENT_HELLO, onHello, true);
    target.addEventListener(batchEventType(nonce), onBatch, true);
    target.dispatchEvent(new CustomEvent(EVENT_READY));
    for (const waiting of commands.splice(0)) command(waiting);
  }
  target.addEventListener(EVENT_HELLO, onHello, true);

  // A top frame says hello at once while the background wants to see every navigation (a panel open, a recording, a
  // policy, a preview bound: the key it keeps in storage.local); otherwise with its first batch, so a page without
  // sockets never starts the service worker (docs/decisions.md, 71). Either way it holds its batches until the
  // background says its tab is read (74), they pass the cap, or it goes away (73). Subframes ask at their first batch.
  // The top frame asks a task later, not while the browser waits for it to run the page's first script: Firefox builds
  // a content script's `storage` API on its first use, and that alone delayed a page's first script by about 10 ms
  // (docs/decisions.md, 85). A first batch before the timer asks at once (`asked` makes either a no-op).
  if (top) {
    deferred = true;
    if (deps.webdriver && deps.href().endsWith(AUTOMATION_OPEN_PANEL)) {
      stayLive = true;
      goLive(false);
    }
    else deps.setTimeout(ask, 0);
  }
  // The hook flushes its last batch in its own pagehide (and freeze) listener, which may run before or after this one
  // (either script may be injected first, and the hook adds its listeners with its first socket): the compact record
  // waits for that batch, recognised by its page record, so it is in the record. This listener is registered before
  // any page script, so the page cannot stop it; a later one, added with the first batch (after the hook's listeners:
  // Chromium 156 ran a window's listeners in the order they were added, capturing or not), sends the record if that
  // batch never came.
  const away = (type: string) => (): void => {
    leaving = true;
    if (live || !held.length) return;
    const marker = `"type":"${type}"`;
    if (held[held.length - 1].json.includes(marker)) release();
    else due = marker;
  };
  const late = (): void => {
    if (due === undefined) return;
    due = undefined;
    release();
  };
  const back = (): void => {
    leaving = false;
    due = undefined;
  };
  target.addEventListener('pagehide', away('pagehide'), true);
  target.addEventListener('freeze', away('freeze'), true);
  let lateAdded = false;
  function addLate(): void {
    if (lateAdded) return;
    lateAdded = true;
    target.addEventListener('pagehide', late);
    target.addEventListener('freeze', late);
  }
  target.addEventListener('pageshow', back, true);
  target.addEventListener('resume', back, true);
  target.dispatchEvent(new CustomEvent(EVENT_READY));
}
