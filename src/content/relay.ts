// Isolated-world relay: runs at document_start in every frame, as a
// standalone script (not loaded through an async import(), which would miss
// the first events). It takes the hook's batches off the page, and forwards
// them to the background through a Port. It holds each batch until the
// background says it was stored, so a service worker that stops and restarts
// loses nothing: on reconnect, unacknowledged batches are sent again (the
// background drops duplicates by seq).
//
// It uses chrome.runtime directly: both Chrome and Firefox provide it, and
// the promise polyfill would add kilobytes to every frame for nothing here.
import { EVENT_HELLO, EVENT_READY, PROTOCOL_VERSION, batchEventType } from '../protocol/page';
import { PORT_RELAY, type BackgroundToRelay, type RelayToBackground, type TypedPort } from '../protocol/messages';

/** Unacknowledged batches kept for resending; beyond this the oldest go (and are counted). */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

// The one API used here; declared instead of pulling in all of @types/chrome.
declare const chrome: { runtime: { connect(connectInfo: { name: string }): unknown } };

type RelayPort = TypedPort<RelayToBackground, BackgroundToRelay>;
type BatchMessage = Extract<RelayToBackground, { kind: 'batch' }>;

(() => {
  const top = window === window.top;
  const docId = Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-4);
  let nonce: string | undefined;
  let port: RelayPort | undefined;
  const pending: BatchMessage[] = [];
  let pendingChars = 0;
  let lostBatches = 0;
  let alive = true;

  function hello(): RelayToBackground {
    return { kind: 'hello', v: PROTOCOL_VERSION, docId, frameUrl: location.href, top, time: performance.timeOrigin + performance.now(), webdriver: navigator.webdriver === true };
  }

  function connect(): RelayPort | undefined {
    if (port || !alive) return port;
    try {
      port = chrome.runtime.connect({ name: PORT_RELAY }) as unknown as RelayPort;
    } catch {
      // The extension was reloaded or removed: this document's relay is orphaned for good.
      alive = false;
      return undefined;
    }
    const current = port;
    current.onMessage.addListener((message) => {
      if (message.kind !== 'ack' || message.docId !== docId) return;
      while (pending.length && pending[0].seq <= message.seq) pendingChars -= pending.shift()!.json.length;
    });
    current.onDisconnect.addListener(() => {
      if (port !== current) return;
      port = undefined;
      // The service worker stopped (or restarted): reconnect now if anything is unacknowledged.
      if (pending.length) setTimeout(connect, 50);
    });
    current.postMessage(hello());
    // Everything not yet acknowledged, in order: the background drops a seq at or below the last it applied.
    for (const message of pending) current.postMessage(message);
    return current;
  }

  function forward(seq: number, json: string): void {
    const message: BatchMessage = { kind: 'batch', docId, seq, json, lostBatches };
    lostBatches = 0;
    pending.push(message);
    pendingChars += json.length;
    while (pendingChars > MAX_PENDING_CHARS && pending.length > 1) {
      pendingChars -= pending.shift()!.json.length;
      lostBatches++;
    }
    try {
      if (port) port.postMessage(message);
      else connect(); // a new port sends every pending batch, this one included
    } catch {
      port = undefined;
      setTimeout(connect, 50);
    }
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
    window.removeEventListener(EVENT_HELLO, onHello, true);
    window.addEventListener(batchEventType(nonce), onBatch, true);
    window.dispatchEvent(new CustomEvent(EVENT_READY));
  }
  window.addEventListener(EVENT_HELLO, onHello, true);

  // The top frame says hello at once, so the background sees every navigation.
  if (top) connect();
  window.dispatchEvent(new CustomEvent(EVENT_READY));
})();
