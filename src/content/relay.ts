// Isolated-world relay entry: runs at document_start in every frame, as a
// standalone script (not loaded through an async import(), which would miss
// the first events). The logic is in relayCore.ts.
//
// It uses chrome.runtime directly: both Chrome and Firefox provide it, and
// the promise polyfill would add kilobytes to every frame for nothing here.
import { startRelay, type RelayPort } from './relayCore';

// The one API used here; declared instead of pulling in all of @types/chrome.
declare const chrome: { runtime: { connect(connectInfo: { name: string }): unknown } };

startRelay({
  target: window,
  top: window === window.top,
  href: () => location.href,
  now: () => performance.timeOrigin + performance.now(),
  timeOrigin: performance.timeOrigin,
  webdriver: navigator.webdriver === true,
  connect: (name) => chrome.runtime.connect({ name }) as RelayPort,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  docId: Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-4),
});
