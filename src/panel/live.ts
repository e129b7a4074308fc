// The panel's link to the background: subscribe to one tab, take the
// snapshot, then apply deltas. When the service worker stops, the port
// closes: reconnect and take a fresh snapshot (the background restored it
// from storage.session).
import browser from 'webextension-polyfill';
import { PANEL_RECONNECT_DELAY_MS, PROTOCOL_VERSION, panelPortName, type BackgroundToPanel, type PanelToBackground, type TypedPort } from '../protocol/messages';
import { applySessionDelta, applySessionDeltas, link, linkError, replaceSession, setAwaitingHeld, settings } from './store';
import { unpackDelta, unpackSession } from '../core/delta';
import { recording } from './recordingState';
import { simulation, simulationLink } from './simulationState';

type Port = TypedPort<PanelToBackground, BackgroundToPanel>;

let port: Port | undefined;
let watchedTabId: number | undefined;

export function watchTab(tabId: number): void {
  watchedTabId = tabId;
  connect();
}

/** Stops following the tab (an imported file replaces the live view). */
export function unwatch(): void {
  watchedTabId = undefined;
  const current = port;
  port = undefined;
  current?.disconnect();
}

function connect(): void {
  if (watchedTabId === undefined) return;
  const tabId = watchedTabId;
  link.value = 'connecting';
  // Marks for the first-paint measurement (test/e2e/devtools-dock.chromium.test.ts); a mark costs microseconds.
  performance.mark('socketscope:connect');
  // Named with its tab: the tab's pages start handing over what they hold as the Port connects (docs/decisions.md, 74).
  const current = browser.runtime.connect({ name: panelPortName(tabId) }) as unknown as Port;
  port = current;
  current.onMessage.addListener((message) => {
    if (message.kind === 'snapshot' && message.tabId === tabId) {
      performance.mark('socketscope:snapshot');
      replaceSession(unpackSession(message.session, message.packed));
      setAwaitingHeld(message.holding === true && message.session.connections.length === 0);
      settings.value = message.settings;
      link.value = 'live';
      linkError.value = undefined;
    } else if (message.kind === 'holding' && message.tabId === tabId) {
      if (!message.holding) setAwaitingHeld(false);
    } else if (message.kind === 'delta' && message.tabId === tabId) {
      // Their messages come in columns (docs/decisions.md, 83): objects again before the store counts and applies them.
      applySessionDelta(unpackDelta(message.delta));
    } else if (message.kind === 'deltas' && message.tabId === tabId) {
      applySessionDeltas(message.deltas.map(unpackDelta));
    } else if (message.kind === 'recording' && message.tabId === tabId) {
      recording.value = message.recording;
    } else if (message.kind === 'simulation' && message.tabId === tabId) {
      simulation.value = message.simulation;
    } else if (message.kind === 'settings') {
      settings.value = message.settings;
    } else if (message.kind === 'error') {
      linkError.value = message.message;
    }
  });
  current.onDisconnect.addListener(() => {
    if (port !== current) return;
    port = undefined;
    link.value = 'offline';
    setTimeout(connect, PANEL_RECONNECT_DELAY_MS);
  });
  current.postMessage({ kind: 'subscribe', v: PROTOCOL_VERSION, tabId });
}

export function send(message: PanelToBackground): void {
  port?.postMessage(message);
}
simulationLink.send = send;
