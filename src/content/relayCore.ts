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
import { AUTOMATION_OPEN_PANEL, PORT_RELAY, type BackgroundToRelay, type RelayToBackground, type TypedPort } from '../protocol/messages';

/** Unacknowledged batches kept for resending; beyond this the oldest go (counted by the background if it never got them). */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

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
  /** A top frame whose hello did not go at document_start: it goes with the first batch, and says so. */
  let deferred = false;
  let helloSent = false;

  function hello(): RelayToBackground {
    const message: RelayToBackground = { kind: 'hello', v: PROTOCOL_VERSION, docId, frameUrl: deps.href(), top, time: deps.now(), timeOrigin: deps.timeOrigin, webdriver: deps.webdriver };
    if (deferred) message.deferred = true;
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
      // The service worker stopped (or restarted): reconnect now if anything is unacknowledged.
      if (pending.length) deps.setTimeout(connect, 50);
    });
    current.postMessage(hello());
    helloSent = true;
    // Everything not yet acknowledged, in order: the background drops a seq at or below the last it applied.
    for (const message of pending) current.postMessage(message);
    return current;
  }

  function forward(seq: number, json: string): void {
    const message: BatchMessage = { kind: 'batch', docId, seq, json };
    pending.push(message);
    pendingChars += json.length;
    // A batch dropped here was posted if a Port was open: lost only if the background never stores it, which the
    // gap in seqs it then sees tells (docs/decisions.md, 67).
    while (pendingChars > MAX_PENDING_CHARS && pending.length > 1) pendingChars -= pending.shift()!.json.length;
    try {
      if (port) port.postMessage(message);
      else connect(); // a new port sends every pending batch, this one included
    } catch {
      port = undefined;
      deps.setTimeout(connect, 50);
    }
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

  // A top frame says hello at once while the background wants to see every navigation (a panel open, a recording,
  // a policy, a preview bound: the key it keeps in storage.local); otherwise with its first batch, so a page without
  // sockets never starts the service worker (docs/decisions.md, 71). Subframes always wait for their first batch.
  if (top) {
    if (deps.webdriver && deps.href().endsWith(AUTOMATION_OPEN_PANEL)) connect();
    else {
      deferred = true;
      /** `late`: the key turned true after this document's start, so its hello is late too (placed at its time origin). */
      const atOnce = (late: boolean): void => {
        if (helloSent) return; // a batch came first: its hello went, deferred
        if (!late) deferred = false;
        connect();
      };
      deps.helloAtOnce().then(
        (yes) => yes && atOnce(false),
        () => atOnce(false), // unreadable: as before, at once
      );
      // A panel opened (or a recording started) on this page after it loaded: the background wants its hello now, or
      // the page, if it never opens a socket, would not be on the tab's timeline at all, nor its address in the popup.
      deps.watchHelloAtOnce?.(() => atOnce(true));
    }
  }
  target.dispatchEvent(new CustomEvent(EVENT_READY));
}
