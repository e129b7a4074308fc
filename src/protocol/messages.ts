// Hops 2 and 3: relay ⇄ background and panel ⇄ background, over runtime
// Ports. One union per direction; `TypedPort` makes postMessage accept only
// its hop's type.
import type { Session } from '../core/model';
import type { PackedConnectionMessages, SessionDelta } from '../core/delta';
import type { Caps } from '../core/caps';
import type { PageCommand } from './page';
import type { SimAction, SimPolicy, SimulationState } from '../core/simulation';

export { PROTOCOL_VERSION } from './page';

export const PORT_RELAY = 'socketscope-relay';
export const PORT_PANEL = 'socketscope-panel';
/**
 * A panel's or the popup's Port name with the tab it shows: the background counts the tab as read from the Port's
 * connection, before its subscribe, so the tab's pages start handing over what they hold at once (docs/decisions.md, 74).
 */
export const panelPortName = (tabId: number): string => `${PORT_PANEL}:${tabId}`;
/** The tab a panel Port's name names (panelPortName), or undefined (the plain PORT_PANEL, or not a tab id). */
export function tabOfPanelPort(name: string): number | undefined {
  const digits = name.startsWith(`${PORT_PANEL}:`) ? name.slice(PORT_PANEL.length + 1) : '';
  return /^\d{1,15}$/.test(digits) ? Number(digits) : undefined;
}

/**
 * Delay before a relay reconnects its Port after the background went away
 * (the service worker stopped or restarted). Short: batches wait, unacknowledged.
 */
export const RELAY_RECONNECT_DELAY_MS = 50;
/** Delay before a panel reconnects its Port after the background went away; it shows "offline" meanwhile. */
export const PANEL_RECONNECT_DELAY_MS = 200;

/** Longest recording name, in UTF-16 units: the popup's and panel's fields stop there, the background cuts there. */
export const RECORDING_NAME_MAX_CHARS = 120;
/** Longest note text, in UTF-16 units: the popup's and panel's fields stop there, the background cuts there. */
export const NOTE_MAX_CHARS = 2000;

export type RelayToBackground =
  /**
   * `time`: now in the document; `timeOrigin`: its performance.timeOrigin (records before it are implausible).
   * `deferred`: a top frame's hello sent with its first batch rather than at document_start (HELLO_AT_ONCE_KEY):
   * its navigation happened at `timeOrigin`, not at `time`. `holding`: the document holds batches nothing read yet
   * (docs/decisions.md, 73). `live`: it hands every batch over as it comes, told so by a worker before this one, and
   * would hold again if told `held` (77).
   */
  | { kind: 'hello'; v: number; docId: string; frameUrl: string; top: boolean; time: number; timeOrigin?: number; webdriver: boolean; deferred?: boolean; holding?: boolean; live?: boolean }
  /**
   * `json` is a PageBatch as the hook wrote it; the background parses and validates it off the page's thread.
   * A document's seqs go up by one from 1: a gap is batches lost (the relay's cap dropped them before the
   * background stored them), counted by the background (docs/decisions.md, 67). `span`: the relay's compact record of
   * the batches it held (docs/decisions.md, 73) stands for seqs `seq - span + 1` to `seq`; absent: 1.
   */
  | { kind: 'batch'; docId: string; seq: number; json: string; span?: number }
  /**
   * Several of a document's batches in one message, in seq order: a hand-over (what it held, or what the worker's
   * stop left unacknowledged) is one task for the worker and one message to each panel (docs/decisions.md, 76).
   */
  | { kind: 'batches'; docId: string; batches: { seq: number; json: string; span?: number }[] }
  /**
   * A document holding `batches` batches (`chars` characters) because nothing reads it (docs/decisions.md, 73): sent
   * every 20 s (the worker stays up), and with 0 once it handed them over (a panel waiting for them stops waiting).
   */
  | { kind: 'holding'; docId: string; batches: number; chars: number };

/**
 * `ack`: the background has stored (persisted) everything up to `seq`: the relay may forget it.
 * `command`: from the extension's own pages, for the hook (src/protocol/page.ts); `docId` absent: every document of the tab.
 * `live`: something reads the document's tab (its panel, the popup on it, a recording or a policy on it, or the
 * "Every tab live" setting): it hands over what it holds and every batch from then on as it comes (docs/decisions.md, 74).
 * `held`: nothing reads the tab any more (its last panel closed, a recording or policy ended): the document holds its
 * batches again, as before its `live` (docs/decisions.md, 77).
 */
export type BackgroundToRelay =
  | { kind: 'ack'; docId: string; seq: number }
  | { kind: 'command'; docId?: string; command: PageCommand }
  | { kind: 'live'; docId: string }
  | { kind: 'held'; docId: string };

/**
 * The storage.local key the background sets (to true) while a new document's hello matters at once: a panel or the
 * popup is open, a tab is recording or simulating, the previews' bound is not the default, or "Every tab live" is on.
 * Read by every top frame's relay at document_start; without it, a top frame connects with its first batch, so a page
 * without sockets never wakes (or keeps awake) the service worker (docs/decisions.md, 71). It says nothing about
 * whether a document hands its batches over: the background tells the documents of a read tab so (`live`, 74).
 */
export const HELLO_AT_ONCE_KEY = 'helloAtOnce';

/** A top document whose URL ends so, in a browser driven by automation (navigator.webdriver), opens the panel as a tab (Firefox's e2e tests). */
export const AUTOMATION_OPEN_PANEL = '#socketscope-open-panel';

export interface Settings {
  /** Keep records across navigations (with a marker) instead of clearing. */
  preserveLog: boolean;
  caps: Caps;
  /**
   * Each message's preview: at most this many characters of text or bytes of binary, one of PREVIEW_CHOICES
   * (src/protocol/page.ts; 0: sizes only). Sent to every hook; a document's messages before its hook has it use the default.
   */
  previewBytes: number;
  /**
   * Every tab's documents hand their batches over as they come, as if each tab were read (docs/decisions.md, 74).
   * Off (the default): only a tab something reads does; the others keep theirs in their pages until read or left.
   */
  everyTabLive?: boolean;
}

/**
 * A named recording on a tab's always-on session (the QA workflow, src/background/recording.ts):
 * Record marks a start time and a name, Stop marks the end. It never gates or resets capture.
 */
export interface Recording {
  tabId: number;
  name: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; absent while recording. */
  endedAt?: number;
}

/** Commands on a tab's recording, from the panel (over its Port) or the popup (runtime.sendMessage). */
export type RecordingCommand =
  | { kind: 'record-start'; tabId: number; name?: string }
  | { kind: 'record-stop'; tabId: number }
  /** `time`: when the tester started writing the note (epoch ms); the background's clock when absent. */
  | { kind: 'note-add'; tabId: number; text: string; time?: number };

export type PanelToBackground =
  | { kind: 'subscribe'; v: number; tabId: number }
  | { kind: 'clear'; tabId: number }
  | { kind: 'settings'; settings: Partial<Settings> }
  /** Simulate a policy on the tab's sockets (null: stop it), or act on one connection now (README, Reproduce and verify). */
  | { kind: 'sim-policy'; tabId: number; policy: SimPolicy | null }
  | { kind: 'sim-action'; tabId: number; action: SimAction }
  | RecordingCommand;

/** One-shot messages from the action popup (runtime.sendMessage); each is answered with a RecordingStatus. */
export type PopupToBackground = { kind: 'recording-status'; tabId: number } | RecordingCommand;

export interface RecordingStatus {
  tabId: number;
  /** The tab's current or last recording (until a new one starts or the tab closes). */
  recording?: Recording;
  recordingActive: boolean;
  pageUrl?: string;
  connections: number;
  notes: number;
}

export type BackgroundToPanel =
  /** `holding`: a document of the tab holds batches it has not handed over yet (docs/decisions.md, 73). */
  /** `packed`: the session's messages in columns, its connections' `messages` then empty (unpackSession; decision 83). */
  | { kind: 'snapshot'; v: number; tabId: number; session: Session; settings: Settings; holding?: boolean; packed?: PackedConnectionMessages[] }
  /** Whether a document of the tab still holds batches: sent when that changes. */
  | { kind: 'holding'; tabId: number; holding: boolean }
  | { kind: 'delta'; tabId: number; delta: SessionDelta }
  /** The deltas of one relay message of several batches, in order: applied together, drawn once (docs/decisions.md, 76). */
  | { kind: 'deltas'; tabId: number; deltas: SessionDelta[] }
  /** The settings changed (from any panel, or in storage): sent to every panel of every tab. */
  | { kind: 'settings'; settings: Settings }
  | { kind: 'error'; message: string }
  /** Sent after each snapshot and whenever the tab's recording changes; `recording` absent: none yet. */
  | { kind: 'recording'; tabId: number; recording?: Recording }
  /** Sent after each snapshot and whenever the tab's simulation changes. */
  | { kind: 'simulation'; tabId: number; simulation: SimulationState };

/** The subset of runtime.Port we use, typed per hop (works with chrome.* and the polyfill's browser.*). */
export interface TypedPort<Out, In> {
  readonly name: string;
  postMessage(message: Out): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: In) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}
