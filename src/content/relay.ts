// Isolated-world relay entry: runs at document_start in every frame, as a
// standalone script (not loaded through an async import(), which would miss
// the first events). The logic is in relayCore.ts.
//
// It uses chrome.runtime directly: both Chrome and Firefox provide it, and
// the promise polyfill would add kilobytes to every frame for nothing here.
import { startRelay, type RelayPort } from './relayCore';
import { HELLO_AT_ONCE_KEY } from '../protocol/messages';

// The APIs used here; declared instead of pulling in all of @types/chrome.
declare const chrome: {
  runtime: { connect(connectInfo: { name: string }): unknown; lastError?: unknown };
  storage: {
    local: {
      get(key: string, callback: (items?: Record<string, unknown>) => void): void;
      onChanged?: { addListener(listener: (changes: Record<string, { newValue?: unknown }>) => void): void };
    };
  };
};

startRelay({
  target: window,
  top: window === window.top,
  href: () => location.href,
  now: () => performance.timeOrigin + performance.now(),
  timeOrigin: performance.timeOrigin,
  webdriver: navigator.webdriver === true,
  connect: (name) => chrome.runtime.connect({ name }) as RelayPort,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  // The callback form: both browsers take it on `chrome` (a promise there is Chrome's MV3). An error, thrown (it rejects the
  // promise) or reported in lastError, reads as "at once", as before.
  helloAtOnce: () =>
    new Promise((resolve) => chrome.storage.local.get(HELLO_AT_ONCE_KEY, (items) => resolve(Boolean(chrome.runtime.lastError) || items?.[HELLO_AT_ONCE_KEY] === true))),
  // storage.local's own event (Chrome 73, Firefox 101), not storage.onChanged: the background's storage.session writes
  // must never be offered to every page's relay.
  watchHelloAtOnce: (callback) =>
    chrome.storage.local.onChanged?.addListener((changes) => {
      if (changes[HELLO_AT_ONCE_KEY]?.newValue === true) callback();
    }),
  docId: Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-4),
});
