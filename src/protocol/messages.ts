// Hops 2 and 3: relay ⇄ background and panel ⇄ background, over runtime
// Ports. One union per direction; `TypedPort` makes postMessage accept only
// its hop's type.
import type { Session } from '../core/model';
import type { SessionDelta } from '../core/delta';
import type { Caps } from '../core/caps';

export { PROTOCOL_VERSION } from './page';

export const PORT_RELAY = 'socketscope-relay';
export const PORT_PANEL = 'socketscope-panel';

export type RelayToBackground =
  | { kind: 'hello'; v: number; docId: string; frameUrl: string; top: boolean; time: number; webdriver: boolean }
  /** `json` is a PageBatch as the hook wrote it; the background parses and validates it off the page's thread. */
  | { kind: 'batch'; docId: string; seq: number; json: string; lostBatches: number };

/** The background has stored (persisted) everything up to `seq`: the relay may forget it. */
export type BackgroundToRelay = { kind: 'ack'; docId: string; seq: number };

export interface Settings {
  /** Keep records across navigations (with a marker) instead of clearing. */
  preserveLog: boolean;
  caps: Caps;
}

export type PanelToBackground =
  | { kind: 'subscribe'; v: number; tabId: number }
  | { kind: 'clear'; tabId: number }
  | { kind: 'settings'; settings: Partial<Settings> };

export type BackgroundToPanel =
  | { kind: 'snapshot'; v: number; tabId: number; session: Session; settings: Settings }
  | { kind: 'delta'; tabId: number; delta: SessionDelta }
  | { kind: 'error'; message: string };

/** The subset of runtime.Port we use, typed per hop (works with chrome.* and the polyfill's browser.*). */
export interface TypedPort<Out, In> {
  readonly name: string;
  postMessage(message: Out): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: In) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}
