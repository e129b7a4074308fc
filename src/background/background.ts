// Background (Chrome: MV3 service worker; Firefox: event page). Keeps one
// session per tab, fed by the relays of all its frames, bounded by the caps,
// persisted to storage.session so that a stopped service worker loses
// nothing, and streamed to every panel that watches the tab.
import type { BackgroundApi, Clock, PortSender } from './api';
import { realClock } from './api';
import type { Connection, Session } from '../core/model';
import { emptySession } from '../core/model';
import { applyDelta, packDelta, packSession, type ConnectionPatch, type SessionDelta } from '../core/delta';
import { CLOSE_GOING_AWAY } from '../core/closeCodes';
import { endedAt } from '../core/facts';
import { DEFAULT_CAPS, MESSAGE_OVERHEAD_BYTES, applyEviction, evictionReach, chooseEvictionCut, connectionMetaCost, noteCost, pageEventCost, sessionCost } from '../core/caps';
import { RefusedBatch, batchToDelta, parseBatch, type DocumentContext } from '../core/ingest';
import { MAX_PAGE_EVENTS_PER_TAB, MAX_URL_CHARS, isPlausibleTime, timeBounds } from '../core/limits';
import { TAB_KEY_PREFIX, decodeStoredTabs, storedTabWriter, type RestoredChunks, type StoredTabWriter } from '../core/stored';
import { initRecordings } from './recording';
import { createHandshakeObserver, handshakeDelta, type HandshakeObserver } from './handshakes';
import { describePolicy, encodePayload, evaluateVerification, isSimulableCloseCode, SIM_POLICY_KINDS, type SimAction, type SimPolicy, type SimulationState } from '../core/simulation';
import { FLUSH_INTERVAL_MS, PREVIEW_MAX, isPreviewChoice, type PageCommand } from '../protocol/page';
import {
  AUTOMATION_OPEN_PANEL,
  HELLO_AT_ONCE_KEY,
  tabOfPanelPort,
  PORT_PANEL,
  PORT_RELAY,
  PROTOCOL_VERSION,
  type BackgroundToPanel,
  type BackgroundToRelay,
  type PanelToBackground,
  type RelayToBackground,
  type Settings,
  type TypedPort,
} from '../protocol/messages';

type RelayPort = TypedPort<BackgroundToRelay, RelayToBackground>;
type PanelPort = TypedPort<BackgroundToPanel, PanelToBackground>;

interface DocumentState {
  frameId?: number;
  frameUrl: string;
  /** Highest batch seq applied: resent batches at or below it are duplicates. */
  lastSeq: number;
  /** The document's performance.timeOrigin (from the relay's hello): its records cannot be older. */
  timeOrigin?: number;
  /** Its latest beforeunload, until its pagehide (src/core/ingest.ts DocumentContext). */
  leavingAt?: number;
  /** It holds batches nothing read yet (docs/decisions.md, 73): a panel opened on its tab waits for them. */
  holding?: boolean;
}

/** What is persisted per tab. */
interface StoredTab {
  session: Session;
  docs: Record<string, DocumentState>;
}

interface TabState extends StoredTab {
  index: Map<string, Connection>;
  cost: number;
  /** Acks to send once the tab is persisted: per relay port, per document, highest seq. */
  acks: Map<RelayPort, Map<string, number>>;
  /** Writes of this tab that failed in a row (quota): after the second, the caps evict to make room. */
  failures: number;
  /** Characters the tab's last write (or try) occupies in storage: its real size, where `cost` is an estimate. */
  storedChars: number;
  /** Writes the tab append-only: its entry, and the chunks of messages sealed since the last write (src/core/stored.ts). */
  writer: StoredTabWriter;
}

/** What a document's entry costs once stored (it is persisted with the session, for the duplicate check). */
const DOC_OVERHEAD_BYTES = 64;
function docsCost(docs: Record<string, DocumentState>): number {
  let bytes = 0;
  for (const [docId, doc] of Object.entries(docs)) bytes += DOC_OVERHEAD_BYTES + docId.length + doc.frameUrl.length;
  return bytes;
}

/**
 * A persist waits until the tabs have been quiet this long (each batch pushes it back): two of the hook's flush
 * intervals under sustained traffic (400 ms), so the gaps between a flood's batches are not taken for the end of it
 * (docs/decisions.md, 66)...
 */
const PERSIST_DELAY_MS = 2 * FLUSH_INTERVAL_MS;
/**
 * ...or, under sustained traffic, until the oldest unpersisted change is this old. Each persist hands the tab's new
 * and changed chunks to storage.session (the worker's serialization and the browser's handling of every character),
 * and a flood over the tab's cap evicts its oldest previews within seconds: written once after the flood, they are
 * never written only to be rewritten without them (decision 66). Acks wait for the persist, and the relays keep every
 * unacknowledged batch meanwhile (the previews' budget and a row per message: about 2 Mi characters a second on a
 * flood of 50k messages a second; their own cap is 16 Mi, src/content/relayCore.ts).
 */
const MAX_UNPERSISTED_MS = 5000;
/** And never more often than this: a full tab with a message every few hundred ms would otherwise be rewritten after each. */
const MIN_PERSIST_INTERVAL_MS = 1000;
/** After an eviction the session is brought down to this share of its cap, so evictions stay rare (each one sorts the tab's messages by time). */
const EVICT_TO = 0.75;
/** A failed write is retried after this long; its batches stay unacknowledged meanwhile. */
const RETRY_DELAY_MS = 1000;
/** When a tab still cannot be stored, the largest tab gives up this share of its estimated size (counted) before the next try. */
const QUOTA_RELIEF_SHARE = 0.25;
/** While a connection's handshake evidence is still open, look for it this often (matching settles within ~3 s). */
const HANDSHAKE_POLL_MS = 1000;
/** The pages' hosts: webRequest sees a socket's handshake only with host access to its URL. */
const ALL_HOSTS = ['<all_urls>'];

/**
 * Registers the background's listeners on `api` (the real `browser` in
 * index.ts, fakes in the unit tests) and restores the persisted tabs.
 * Returns `ready`, which resolves once they are restored.
 */
export function startBackground(api: BackgroundApi, clock: Clock = realClock): { ready: Promise<void> } {
  const tabs = new Map<number, TabState>();
  const panels = new Map<number, Set<PanelPort>>();
  let settings: Settings = { preserveLog: true, caps: DEFAULT_CAPS, previewBytes: PREVIEW_MAX };
  const dirty = new Set<number>();
  let persistTimer: unknown;
  let persisting = false;
  /** When the oldest change not yet written happened (undefined: everything is written or being written). */
  let dirtySince: number | undefined;
  let lastPersistAt = -Infinity;
  /** The pending timer is a retry after a failed write: new changes do not bring it forward. */
  let retrying = false;
  /** Our own pages' ports (panels, viewers) now connected: while any is, top documents say hello at once (helloHint). */
  let ownPorts = 0;
  /** What HELLO_AT_ONCE_KEY says, as last read or written (undefined: not known yet). */
  let helloAtOnce: boolean | undefined;

  // ---- handshakes (webRequest, observe only): listeners registered now, synchronously, on the worker's first run ----
  const observer = createHandshakeObserver(api.webRequest);
  /** False once the host permissions are known to be withdrawn (Firefox: about:addons → Permissions). */
  let hostAccess = true;
  const handshakes: HandshakeObserver = {
    get available() {
      return observer.available && hostAccess;
    },
    observations: (tabId) => observer.observations(tabId),
    release: (tabId, requestIds) => observer.release(tabId, requestIds),
    forgetTab: (tabId) => observer.forgetTab(tabId),
    stop: () => observer.stop(),
  };
  let handshakeTimer: unknown;
  const checkHostAccess = (): void => {
    api.permissions
      ?.contains({ origins: ALL_HOSTS })
      .then((granted) => (hostAccess = granted))
      .catch(() => undefined);
  };
  checkHostAccess();
  api.permissions?.onAdded?.addListener(checkHostAccess);
  api.permissions?.onRemoved?.addListener(checkHostAccess);

  /** Chunk names: unique across service-worker restarts (a time-based prefix) and within one (a counter). */
  const chunkPrefix = `${Math.floor(clock.now()).toString(36)}.`;
  let chunkCount = 0;
  const chunkName = (): string => chunkPrefix + (chunkCount++).toString(36);

  function newTab(tabId: number, session?: Session, chunks?: RestoredChunks): TabState {
    const fresh = session ?? { ...emptySession(`tab-${tabId}-${clock.now()}`, clock.now()), tabId, source: 'live' as const };
    return { session: fresh, docs: {}, index: new Map(fresh.connections.map((c) => [c.id, c])), cost: sessionCost(fresh), acks: new Map(), failures: 0, storedChars: 0, writer: storedTabWriter(tabId, chunkName, chunks) };
  }

  function tabState(tabId: number): TabState {
    let state = tabs.get(tabId);
    if (!state) tabs.set(tabId, (state = newTab(tabId)));
    return state;
  }

  // ---- restore after a service worker restart: every event waits for it ----
  /**
   * Settings from the panel or storage (also written by hand, or by an older version): a preview bound that is
   * not one of the choices is ignored. A new preview bound goes to every hook at once (each new document gets
   * it at its hello), and ingest cuts to it whatever a hook recorded before it knew (decision 61).
   */
  function takeSettings(next: unknown): void {
    if (typeof next !== 'object' || next === null) return;
    const { previewBytes, ...rest } = next as Partial<Settings>;
    const before = settings.previewBytes;
    const everyTabLiveBefore = settings.everyTabLive === true;
    settings = { ...settings, ...rest, previewBytes: isPreviewChoice(previewBytes) ? previewBytes : settings.previewBytes };
    if (typeof settings.everyTabLive !== 'boolean') delete settings.everyTabLive;
    if (settings.previewBytes !== before) {
      for (const port of new Set([...relayOf.values()].map((entry) => entry.port))) sendCommand(port, previewCommand());
    }
    if (settings.previewBytes !== before || (settings.everyTabLive === true) !== everyTabLiveBefore) helloHint();
    // Every open panel shows the settings as they are now (each panel's next snapshot would too).
    for (const tabId of panels.keys()) broadcast(tabId, { kind: 'settings', settings });
  }
  const previewCommand = (): PageCommand => ({ c: 'preview', bytes: settings.previewBytes });
  function sendCommand(port: RelayPort, command: PageCommand, docId?: string): void {
    try {
      port.postMessage({ kind: 'command', docId, command });
    } catch {
      /* the frame is gone */
    }
  }

  const ready: Promise<void> = (async () => {
    const [stored, local] = await Promise.all([api.storage.session.get(null), api.storage.local.get(['settings', HELLO_AT_ONCE_KEY])]);
    if (local.settings) takeSettings(local.settings);
    helloAtOnce = local[HELLO_AT_ONCE_KEY] === true;
    const restored = decodeStoredTabs<StoredTab['docs']>(stored);
    for (const [tabId, storedTab] of restored.tabs) {
      const state = newTab(tabId, storedTab.session, storedTab.chunks);
      state.docs = storedTab.docs;
      state.cost += docsCost(state.docs);
      tabs.set(tabId, state);
    }
    // Chunks no tab refers to: a write interrupted between storing and removing.
    if (restored.orphans.length) void api.storage.session.remove(restored.orphans).catch(() => undefined);
  })().catch((error: unknown) => console.error('SocketScope: could not restore sessions', error));
  // Connections restored while their handshake was still being matched: settle them (unmatched after the window).
  void ready.then(() => scheduleHandshakes());
  // The hint as it should be now (a worker stopped with a panel open left it set).
  void ready.then(() => helloHint());

  function schedulePersist(tabId: number): void {
    dirty.add(tabId);
    dirtySince ??= clock.now();
    if (persisting || retrying) return; // persist() schedules the next one when it is done; a retry keeps its delay
    if (persistTimer !== undefined) clock.clearTimeout(persistTimer);
    persistTimer = clock.setTimeout(persist, persistDelay());
  }
  /** Quiet for PERSIST_DELAY_MS, or MAX_UNPERSISTED_MS after the oldest unwritten change, whichever comes first; at most once every MIN_PERSIST_INTERVAL_MS. */
  function persistDelay(): number {
    const now = clock.now();
    const due = Math.min(now + PERSIST_DELAY_MS, (dirtySince ?? now) + MAX_UNPERSISTED_MS);
    return Math.max(0, due, lastPersistAt + MIN_PERSIST_INTERVAL_MS) - now;
  }

  /**
   * Writes every dirty tab, each in its own storage.session.set: one tab that
   * cannot be stored does not keep the others from being stored. A tab's
   * batches are acknowledged only once its write succeeded; when it fails they
   * stay unacknowledged (the relays keep them), the tab is retried, and from
   * the second failure in a row the caps evict (counted) to make room.
   */
  async function persist(): Promise<void> {
    persistTimer = undefined;
    persisting = true;
    retrying = false;
    dirtySince = undefined;
    lastPersistAt = clock.now();
    const ids = [...dirty];
    dirty.clear();
    let failed = false;
    // Each write's string and acks are taken synchronously, before any of the writes is awaited.
    const writes = ids.map(async (tabId) => {
      const state = tabs.get(tabId);
      if (!state) return;
      // JSON strings (src/core/stored.ts): counted by their length against the quota, and far cheaper to store than
      // objects. Only the tab's entry and the chunks of messages sealed since the last write are new.
      const write = state.writer.write(state.session, state.docs);
      state.storedChars = write.chars;
      const acks = state.acks;
      state.acks = new Map();
      try {
        await api.storage.session.set(write.items);
      } catch (error) {
        write.done(false);
        failed = true;
        writeFailed(tabId, acks, error);
        return;
      }
      write.done(true);
      if (!tabs.has(tabId)) {
        void api.storage.session.remove(write.keys).catch(() => undefined); // the tab closed during the write
        return;
      }
      if (write.remove.length) void api.storage.session.remove(write.remove).catch(() => undefined); // left for the tab's removal
      state.failures = 0;
      sendAcks(acks);
    });
    await Promise.all(writes);
    persisting = false;
    if (dirty.size) {
      retrying = failed;
      persistTimer = clock.setTimeout(persist, failed ? RETRY_DELAY_MS : persistDelay());
    }
  }

  function sendAcks(acks: Map<RelayPort, Map<string, number>>): void {
    for (const [port, docs] of acks) {
      for (const [docId, seq] of docs) {
        try {
          port.postMessage({ kind: 'ack', docId, seq });
        } catch {
          /* the frame is gone */
        }
      }
    }
  }

  function writeFailed(tabId: number, acks: Map<RelayPort, Map<string, number>>, error: unknown): void {
    const state = tabs.get(tabId);
    if (!state) return; // closed meanwhile: nothing to keep
    console.warn('SocketScope: could not persist a tab; its batches stay unacknowledged', error);
    // Owed again, after the next successful write.
    for (const [port, docs] of acks) {
      const owed = state.acks.get(port) ?? new Map<string, number>();
      state.acks.set(port, owed);
      for (const [docId, seq] of docs) owed.set(docId, Math.max(owed.get(docId) ?? 0, seq));
    }
    state.failures++;
    if (state.failures >= 2) relieveStorage();
    dirty.add(tabId);
    dirtySince ??= clock.now();
  }

  /** The estimate said it fits, the storage disagrees: the largest tab gives up a share of its records, counted in that tab. */
  function relieveStorage(): void {
    const largest = largestTab(true);
    if (!largest) return;
    const [tabId, state] = largest;
    const delta: SessionDelta = {};
    evict(tabId, state, delta, Math.max(1, state.cost * QUOTA_RELIEF_SHARE));
    if (delta.evict) broadcast(tabId, { kind: 'delta', tabId, delta });
  }

  /** The largest tab by its estimated cost, or (`measured`) by the larger of its estimate and the size of its last write. */
  function largestTab(measured = false): [number, TabState] | undefined {
    let largest: [number, TabState] | undefined;
    const size = (state: TabState) => (measured ? Math.max(state.cost, state.storedChars) : state.cost);
    for (const entry of tabs) if (!largest || size(entry[1]) > size(largest[1])) largest = entry;
    return largest;
  }

  /**
   * While a relay's message of several batches is taken (decision 76): each tab's deltas, copied as they are made
   * (an eviction later in the same message empties previews in place), sent as one message when it is done.
   */
  let collected: Map<number, SessionDelta[]> | undefined;

  function collectDeltas(take: () => void): void {
    const outer = collected;
    collected ??= new Map();
    try {
      take();
    } finally {
      if (!outer) {
        const done = collected;
        collected = undefined;
        for (const tabId of done.keys()) sendCollected(tabId, done);
      }
    }
  }

  function sendCollected(tabId: number, from: Map<number, SessionDelta[]>): void {
    const deltas = from.get(tabId);
    from.delete(tabId);
    if (!deltas?.length) return;
    post(tabId, deltas.length === 1 ? { kind: 'delta', tabId, delta: deltas[0] } : { kind: 'deltas', tabId, deltas });
  }

  function broadcast(tabId: number, message: BackgroundToPanel): void {
    if (collected) {
      if (message.kind === 'delta') {
        if (panels.get(tabId)?.size) {
          const list = collected.get(tabId) ?? [];
          collected.set(tabId, list);
          list.push(structuredClone(message.delta));
        }
        return;
      }
      sendCollected(tabId, collected); // anything else keeps its place after the deltas before it
    }
    post(tabId, message);
  }

  function post(tabId: number, message: BackgroundToPanel): void {
    const ports = panels.get(tabId);
    if (!ports?.size) return;
    // A panel's deltas travel with their messages in columns, as its snapshots do (docs/decisions.md, 83).
    const wire: BackgroundToPanel =
      message.kind === 'delta' ? { ...message, delta: packDelta(message.delta) } : message.kind === 'deltas' ? { ...message, deltas: message.deltas.map(packDelta) } : message;
    for (const port of ports) {
      try {
        port.postMessage(wire);
      } catch {
        panels.get(tabId)?.delete(port);
      }
    }
  }

  function snapshot(tabId: number): BackgroundToPanel {
    // The session's messages in columns beside a copy of it without them (decision 83); the tab's own is not changed.
    const message: BackgroundToPanel = { kind: 'snapshot', v: PROTOCOL_VERSION, tabId, ...packSession(tabState(tabId).session), settings };
    if (holding(tabId)) message.holding = true;
    return message;
  }

  /** Whether a document of the tab holds batches it has not handed over (decision 73). */
  function holding(tabId: number): boolean {
    const docs = tabs.get(tabId)?.docs;
    return docs !== undefined && Object.values(docs).some((doc) => doc.holding === true);
  }

  /** Applies a delta to a tab, enforces the caps (adding the eviction to the same delta), sends it to panels. */
  function commit(tabId: number, state: TabState, delta: SessionDelta): void {
    // The estimated cost of everything the delta adds (src/core/caps.ts): connection metadata, messages, page events, notes.
    const patched = new Set((delta.connections ?? []).map((patch) => patch.id));
    let cost = -(state.session.pageUrl?.length ?? 0);
    for (const id of patched) {
      const existing = state.index.get(id);
      if (existing) cost -= connectionMetaCost(existing);
    }
    applyDelta(state.session, delta, state.index);
    cost += state.session.pageUrl?.length ?? 0;
    for (const id of patched) {
      const connection = state.index.get(id);
      if (connection) cost += connectionMetaCost(connection);
    }
    for (const group of delta.messages ?? []) for (const message of group.messages) cost += MESSAGE_OVERHEAD_BYTES + message.preview.length;
    for (const event of delta.pageEvents ?? []) cost += pageEventCost(event);
    for (const note of delta.notes ?? []) cost += noteCost(note);
    state.cost += cost;
    // Page events are capped by count too: the oldest go, counted.
    const excessEvents = state.session.pageEvents.length - MAX_PAGE_EVENTS_PER_TAB;
    if (excessEvents > 0) {
      for (let i = 0; i < excessEvents; i++) state.cost -= pageEventCost(state.session.pageEvents[i]);
      applyEviction(state.session, { pageEvents: excessEvents }, state.index);
      delta.evict = { pageEvents: excessEvents };
    }
    if (state.cost > settings.caps.maxTabBytes) evict(tabId, state, delta, state.cost - settings.caps.maxTabBytes * EVICT_TO);
    broadcast(tabId, { kind: 'delta', tabId, delta });
    schedulePersist(tabId);
    enforceTotalCap();
  }

  const awaitsHandshake = (state: TabState): boolean => state.session.connections.some((connection) => connection.handshakeEvidence === undefined);

  /** Writes the handshakes seen so far onto the tab's connections, through the same path as a batch's delta. */
  function applyHandshakes(tabId: number, state: TabState): void {
    const delta = handshakeDelta(state.session, handshakes, clock.now());
    if (delta) commit(tabId, state, delta);
    scheduleHandshakes();
  }

  /** Polls while some connection still waits for its handshake evidence; stops when none does. */
  function scheduleHandshakes(): void {
    if (handshakeTimer !== undefined) return;
    if (![...tabs.values()].some(awaitsHandshake)) return;
    handshakeTimer = clock.setTimeout(() => {
      handshakeTimer = undefined;
      for (const [tabId, state] of tabs) if (awaitsHandshake(state)) applyHandshakes(tabId, state);
      scheduleHandshakes();
    }, HANDSHAKE_POLL_MS);
  }

  /** Evicts from a tab (counted in it), adding the cut to `delta` (merged with a cut already there) for the panels. */
  function evict(tabId: number, state: TabState, delta: SessionDelta, bytesToFree: number): void {
    const cut = chooseEvictionCut(state.session, bytesToFree);
    if (!cut) return;
    applyEviction(state.session, cut, state.index);
    // Previews were emptied in place up to a time, and the oldest messages perhaps cut: their chunks are written again.
    state.writer.changed(evictionReach(cut));
    // Applied after the earlier cut on the same copy: the panels apply both at once, which removes the same page events.
    delta.evict = delta.evict ? { ...cut, pageEvents: (delta.evict.pageEvents ?? 0) + (cut.pageEvents ?? 0) || undefined } : cut;
    state.cost = sessionCost(state.session) + docsCost(state.docs);
    schedulePersist(tabId);
  }

  /** All tabs together must fit storage.session: evict from the largest tab, counted in it, until they do. */
  function enforceTotalCap(): void {
    let total = 0;
    for (const state of tabs.values()) total += state.cost;
    while (total > settings.caps.maxTotalBytes) {
      const [tabId, largest] = largestTab()!;
      const before = largest.cost;
      const delta: SessionDelta = {};
      evict(tabId, largest, delta, Math.min(before, total - settings.caps.maxTotalBytes * EVICT_TO));
      if (delta.evict) broadcast(tabId, { kind: 'delta', tabId, delta });
      if (largest.cost >= before) break;
      total -= before - largest.cost;
    }
  }

  function resetTab(tabId: number): void {
    const old = tabs.get(tabId);
    const state = newTab(tabId);
    if (old) state.docs = old.docs;
    state.cost += docsCost(state.docs);
    tabs.set(tabId, state);
    schedulePersist(tabId);
    broadcast(tabId, snapshot(tabId));
  }

  /**
   * Automation only (navigator.webdriver): a page whose URL ends with AUTOMATION_OPEN_PANEL makes the extension
   * open its panel in a tab for that page. WebDriver BiDi cannot navigate to moz-extension:// URLs, so this is
   * how the Firefox tests reach the panel. A browser that is not driven by WebDriver ignores it.
   */
  function openPanelTab(tabId: number): void {
    void api.tabs.create({ url: api.runtime.getURL(`src/panel/index.html?tabId=${tabId}`) });
  }

  /**
   * A new top-level document: every socket of the tab's earlier documents that is still open in the records
   * ended with them. The hook records that at pagehide; this covers a pagehide batch that never arrived
   * (a crashed or killed renderer), at the navigation's time.
   */
  function endedByNavigation(session: Session, time: number): ConnectionPatch[] {
    const patches: ConnectionPatch[] = [];
    for (const connection of session.connections) {
      if (endedAt(connection) !== undefined) continue;
      const at = Math.max(time, connection.openedAt ?? connection.createdAt);
      patches.push({ id: connection.id, closedAt: at, close: { time: at, code: CLOSE_GOING_AWAY, reason: '', wasClean: false, initiator: 'navigation' } });
    }
    return patches;
  }

  // ---- relays ----
  /** Tabs closed while this worker ran (ids are never reused): what their documents still post is ignored. */
  const closedTabs = new Set<number>();
  function onRelayMessage(port: RelayPort, sender: PortSender, message: RelayToBackground): void {
    const tabId = sender.tab?.id;
    // A closed tab's last document may speak after the tab's removal (its compact record, posted at pagehide: decision 73).
    if (tabId === undefined || tabId < 0 || closedTabs.has(tabId)) return;
    const state = tabState(tabId);
    if (message.kind === 'hello') {
      if (typeof message.docId !== 'string') return;
      // A known document says hello again on a new Port (the worker restarted): commands and `live` go on that one.
      const known = state.docs[message.docId] !== undefined;
      relayOf.set(message.docId, { port, tabId });
      // A document live since an earlier worker told it so is counted as told: told `held` if nothing reads its tab now.
      if (message.live === true) liveTold.add(message.docId);
      else liveTold.delete(message.docId);
      if (known) return tellLive();
      const frameUrl = (typeof message.frameUrl === 'string' ? message.frameUrl : (sender.url ?? '')).slice(0, MAX_URL_CHARS);
      const bounds = timeBounds(clock.now());
      const timeOrigin = isPlausibleTime(message.timeOrigin, bounds) ? message.timeOrigin : undefined;
      // A hello sent with the document's first batch (decision 71) comes when its first socket does: the navigation was at its time origin.
      const time = message.deferred === true && timeOrigin !== undefined ? timeOrigin : isPlausibleTime(message.time, bounds) ? message.time : clock.now();
      // A top document that went away before anything read it says hello with its compact record, at its pagehide
      // (decision 73): its successor may have spoken first. It is then a past document: no navigation now.
      const past = message.top && sender.frameId === 0 && timeOrigin !== undefined && Object.values(state.docs).some((doc) => doc.frameId === 0 && (doc.timeOrigin ?? 0) > timeOrigin);
      if (past && !settings.preserveLog && !recordings.isRecording(tabId)) return; // its successor cleared the tab already
      state.docs[message.docId] = { frameId: sender.frameId, frameUrl, lastSeq: 0, timeOrigin };
      if (message.holding === true) state.docs[message.docId].holding = true;
      state.cost += DOC_OVERHEAD_BYTES + message.docId.length + frameUrl.length;
      if (message.top && sender.frameId === 0 && !past) {
        recordings.onNavigation(tabId);
        if (message.webdriver && frameUrl.endsWith(AUTOMATION_OPEN_PANEL)) openPanelTab(tabId);
        // A recording keeps its session across navigations even with preserve log off.
        if (!settings.preserveLog && !recordings.isRecording(tabId) && state.session.connections.length) {
          resetTab(tabId);
          tabState(tabId).docs[message.docId] = { frameId: 0, frameUrl, lastSeq: 0, timeOrigin };
          commit(tabId, tabState(tabId), { pageUrl: frameUrl });
        } else {
          const hadHistory = state.session.pageUrl !== undefined;
          commit(tabId, state, {
            pageUrl: frameUrl,
            pageEvents: hadHistory ? [{ type: 'navigation', time, detail: frameUrl, frameId: 0 }] : [],
            connections: endedByNavigation(state.session, time),
          });
        }
        simulationNavigated(tabId, time);
      }
      if (settings.previewBytes !== PREVIEW_MAX) sendCommand(port, previewCommand(), message.docId);
      simulationHello(tabId, port, message.docId);
      tellLive();
      return;
    }
    if (message.kind === 'holding') {
      const doc = state.docs[message.docId];
      const now = message.batches > 0;
      if (!doc || (doc.holding === true) === now) return;
      const before = holding(tabId);
      if (now) doc.holding = true;
      else delete doc.holding;
      if (holding(tabId) !== before) broadcast(tabId, { kind: 'holding', tabId, holding: !before });
      return;
    }
    if (message.kind === 'batches') {
      // A hand-over: each batch as if it came alone, and one message to each panel of the tab (decision 76).
      if (typeof message.docId !== 'string' || !Array.isArray(message.batches)) return;
      const docId = message.docId;
      collectDeltas(() => {
        for (const item of message.batches as unknown[]) {
          if (typeof item !== 'object' || item === null) continue;
          const { seq, json, span } = item as { seq?: unknown; json?: unknown; span?: unknown };
          if (!Number.isInteger(seq) || typeof json !== 'string') continue;
          onBatch(port, tabId, state, { kind: 'batch', docId, seq: seq as number, json, span: typeof span === 'number' ? span : undefined });
        }
      });
      return;
    }
    if (message.kind === 'batch') onBatch(port, tabId, state, message);
  }

  function onBatch(port: RelayPort, tabId: number, state: TabState, message: Extract<RelayToBackground, { kind: 'batch' }>): void {
    const doc = state.docs[message.docId];
    if (!doc) return;
    const acks = state.acks.get(port) ?? new Map<string, number>();
    state.acks.set(port, acks);
    acks.set(message.docId, Math.max(acks.get(message.docId) ?? 0, message.seq));
    if (message.seq <= doc.lastSeq) {
      schedulePersist(tabId); // a resent duplicate: only the ack is owed
      return;
    }
    // Seqs go up by one: the ones skipped are batches the relay no longer had to send (its cap), lost. A compact record
    // stands for the `span` batches the relay held (docs/decisions.md, 73).
    const span = Number.isInteger(message.span) && message.span! >= 1 && message.span! <= message.seq ? message.span! : 1;
    const lostBatches = message.seq - span - doc.lastSeq;
    doc.lastSeq = message.seq;
    let delta: SessionDelta;
    try {
      const context: DocumentContext = { docId: message.docId, frameId: doc.frameId, frameUrl: doc.frameUrl, timeBounds: timeBounds(clock.now(), doc.timeOrigin), leavingAt: doc.leavingAt };
      // The bound is the setting, whether or not the hook had it when it recorded these messages.
      if (settings.previewBytes < PREVIEW_MAX) context.previewBytes = settings.previewBytes;
      delta = batchToDelta(parseBatch(message.json), context, state.session, state.index);
      doc.leavingAt = context.leavingAt;
    } catch (error) {
      // Refused whole (unparsable, or too many records): counted, and acknowledged like any batch.
      delta = { dropped: { rejected: error instanceof RefusedBatch ? error.records : 1 } };
    }
    if (lostBatches > 0) delta.dropped = { ...delta.dropped, lostBatches };
    commit(tabId, state, delta);
    if (awaitsHandshake(state)) applyHandshakes(tabId, state);
    if (simulations.get(tabId)?.policy?.verify) checkVerification(tabId);
  }

  // ---- simulation (README, Reproduce and verify): commands from our own pages to the hooks of one tab ----
  // Nothing is simulated until the user acts; a policy belongs to one tab and ends with it, or with its document unless `keep`.
  const simulations = new Map<number, SimulationState>();
  /** The relay port of each document, to reach its hook. */
  const relayOf = new Map<string, { port: RelayPort; tabId: number }>();

  function simulation(tabId: number): SimulationState {
    let sim = simulations.get(tabId);
    if (!sim) simulations.set(tabId, (sim = { results: [] }));
    return sim;
  }
  function toHooks(tabId: number, command: PageCommand, docId?: string): void {
    const ports = new Set<RelayPort>();
    for (const [id, entry] of relayOf) if (entry.tabId === tabId && (docId === undefined || id === docId)) ports.add(entry.port);
    for (const port of ports) sendCommand(port, command, docId);
  }
  const policyCommand = (policy: SimPolicy): PageCommand => ({ c: 'policy', kind: policy.kind, ms: policy.ms, basis: policy.basis, endpoint: policy.endpoint });
  function simulationEvent(tabId: number, detail: string, time = clock.now()): void {
    commit(tabId, tabState(tabId), { pageEvents: [{ type: 'simulation', time, detail: detail.slice(0, 256), frameId: 0 }] });
  }
  function publishSimulation(tabId: number): void {
    broadcast(tabId, { kind: 'simulation', tabId, simulation: simulation(tabId) });
  }
  function validPolicy(policy: SimPolicy): boolean {
    return (
      SIM_POLICY_KINDS.includes(policy.kind) &&
      Number.isFinite(policy.ms) && policy.ms >= 100 && policy.ms <= 3_600_000 &&
      ['any', 'received', 'sent'].includes(policy.basis) &&
      typeof policy.endpoint === 'string' && policy.endpoint.length <= MAX_URL_CHARS &&
      (policy.verify === undefined || (typeof policy.verify.finding === 'string' && Number.isInteger(policy.verify.periods) && policy.verify.periods >= 1 && policy.verify.periods <= 10))
    );
  }
  const verifyTimers = new Map<number, unknown>();
  function setPolicy(tabId: number, requested: SimPolicy | null, why?: string): void {
    const sim = simulation(tabId);
    if (requested && !validPolicy(requested)) return;
    if (sim.policy) simulationEvent(tabId, `Stopped: ${describePolicy(sim.policy)}${why ? ` (${why})` : ''}`);
    sim.policy = requested ? { ...requested, keep: requested.keep === true, startedAt: clock.now() } : undefined;
    if (sim.policy) {
      toHooks(tabId, policyCommand(sim.policy));
      simulationEvent(tabId, `${sim.policy.verify ? 'Verify the fix' : 'Started'}: ${describePolicy(sim.policy)}`, sim.policy.startedAt);
      // An outage ends by itself in the hook.
      if (sim.policy.kind === 'offline' && !sim.policy.keep) {
        const policy = sim.policy;
        clock.setTimeout(() => {
          if (simulation(tabId).policy === policy) setPolicy(tabId, null, 'the outage is over');
        }, policy.ms);
      }
      if (sim.policy.verify) scheduleVerification(tabId);
    } else toHooks(tabId, { c: 'stop' });
    publishSimulation(tabId);
    helloHint();
  }
  function scheduleVerification(tabId: number): void {
    if (verifyTimers.has(tabId)) clock.clearTimeout(verifyTimers.get(tabId));
    verifyTimers.set(tabId, clock.setTimeout(() => {
      verifyTimers.delete(tabId);
      if (simulations.get(tabId)?.policy?.verify && checkVerification(tabId) === undefined) scheduleVerification(tabId);
    }, 250));
  }
  /** A "Verify the fix" policy that has an outcome ends, and the outcome joins the tab's results. */
  function checkVerification(tabId: number): boolean | undefined {
    const sim = simulation(tabId);
    const session = tabs.get(tabId)?.session;
    if (!sim.policy || !session) return undefined;
    const result = evaluateVerification(session, sim.policy, clock.now());
    if (!result) return undefined;
    sim.results = [...sim.results.filter((r) => r.finding !== result.finding), result];
    setPolicy(tabId, null, result.summary);
    return result.passed;
  }
  function simulationNavigated(tabId: number, time: number): void {
    const policy = simulations.get(tabId)?.policy;
    if (policy && !policy.keep) setPolicy(tabId, null, `the page navigated at ${new Date(time).toISOString()}`);
  }
  /** A new document of a tab under a policy kept across reloads gets it at once (the relay holds it until the hook's nonce is known). */
  function simulationHello(tabId: number, port: RelayPort, docId: string): void {
    const policy = simulations.get(tabId)?.policy;
    if (policy) sendCommand(port, policyCommand(policy), docId);
  }
  function simulate(tabId: number, action: SimAction): void {
    const connection = tabs.get(tabId)?.index.get(action.connectionId);
    const split = action.connectionId.lastIndexOf(':');
    const docId = action.connectionId.slice(0, split);
    const id = Number(action.connectionId.slice(split + 1));
    if (!connection || !Number.isInteger(id) || !relayOf.has(docId)) return;
    let command: PageCommand;
    let what: string;
    if (action.kind === 'drop') {
      command = { c: 'drop', id };
      what = 'Drop now (1006)';
    } else if (action.kind === 'close') {
      if (!isSimulableCloseCode(action.code) || typeof action.reason !== 'string' || new TextEncoder().encode(action.reason).length > 123) return;
      command = { c: 'close', id, code: action.code, reason: action.reason };
      what = `Close as the server (${action.code}${action.reason ? ` ${action.reason}` : ''})`;
    } else if (action.kind === 'send' || action.kind === 'inject') {
      let payload: ReturnType<typeof encodePayload>;
      try {
        payload = encodePayload(action.format, String(action.data).slice(0, 1 << 20));
      } catch {
        return;
      }
      command = { c: action.kind, id, ...payload };
      what = action.kind === 'send' ? `Send as the page (${action.format})` : `Inject as received (${action.format})`;
    } else return;
    toHooks(tabId, command, docId);
    simulationEvent(tabId, `${what}: ${connection.url}`);
  }

  // ---- panels ----
  function onPanelMessage(port: PanelPort, message: PanelToBackground): void {
    switch (message.kind) {
      case 'subscribe': {
        for (const set of panels.values()) set.delete(port);
        const set = panels.get(message.tabId) ?? new Set<PanelPort>();
        panels.set(message.tabId, set);
        set.add(port);
        port.postMessage(snapshot(message.tabId));
        port.postMessage(recordings.message(message.tabId));
        port.postMessage({ kind: 'simulation', tabId: message.tabId, simulation: simulation(message.tabId) });
        tellLive();
        break;
      }
      case 'sim-policy':
        setPolicy(message.tabId, message.policy);
        break;
      case 'sim-action':
        simulate(message.tabId, message.action);
        break;
      case 'clear':
        resetTab(message.tabId);
        break;
      case 'settings':
        takeSettings(message.settings);
        void api.storage.local.set({ settings });
        break;
      case 'record-start':
      case 'record-stop':
      case 'note-add':
        void recordings.handle(message);
        break;
    }
  }

  // ---- recording (QA sessions: name, start/stop, notes, badge); never gates capture ----
  const recordings = initRecordings({
    api,
    clock,
    ready,
    session: (tabId) => tabs.get(tabId)?.session,
    addNotes: (tabId, notes) => commit(tabId, tabState(tabId), { notes }),
    broadcast,
    recordingsChanged: () => helloHint(),
  });

  // ---- which tabs are read: their documents hand every batch over as it comes (docs/decisions.md, 73 and 74) ----
  /** The tab each open panel or popup shows, from its Port's name (panelPortName). */
  const portReads = new Map<PanelPort, number>();
  /** Documents told `live` on their current Port (a new Port says hello again, and is told again). */
  const liveTold = new Set<string>();
  /** Whether something reads the tab: its panel, the popup on it, a recording or a policy on it, or "Every tab live". */
  function isRead(tabId: number): boolean {
    if (settings.everyTabLive === true || (panels.get(tabId)?.size ?? 0) > 0 || recordings.isRecording(tabId)) return true;
    if (simulations.get(tabId)?.policy !== undefined) return true;
    for (const read of portReads.values()) if (read === tabId) return true;
    return false;
  }
  /**
   * Tells every document of a read tab, not told yet on its Port, to go live; and every document told so whose tab
   * nothing reads any more, to hold again (decision 77). Cheap: one entry per connected document.
   */
  function tellLive(): void {
    for (const [docId, { port, tabId }] of relayOf) {
      const read = isRead(tabId);
      if (liveTold.has(docId) === read) continue;
      if (read) liveTold.add(docId);
      else liveTold.delete(docId);
      try {
        port.postMessage({ kind: read ? 'live' : 'held', docId });
      } catch {
        // the frame is gone
      }
    }
  }

  // ---- whether a new top document says hello at once (docs/decisions.md, 71) ----
  // Without the key its relay connects with its first batch: a page without sockets never starts this worker
  // (about 200 ms of the extension process's CPU on the 2-core machine, more with sessions to restore) nor
  // costs a hello, a commit and a write. With it, every top document's hello comes at document_start, as it
  // must while it matters at once: a panel shows navigations as they happen, a recording marks them (and puts
  // its badge back), a policy reaches the new document before its sockets, a preview bound before its messages.
  function helloHint(): void {
    tellLive();
    if (helloAtOnce === undefined) return; // not read yet: the start-up read calls this again
    const wanted =
      ownPorts > 0 || recordings.anyRecording() || [...simulations.values()].some((sim) => sim.policy !== undefined) || settings.previewBytes !== PREVIEW_MAX || settings.everyTabLive === true;
    if (wanted === helloAtOnce) return;
    helloAtOnce = wanted;
    const write = wanted ? api.storage.local.set({ [HELLO_AT_ONCE_KEY]: true }) : api.storage.local.remove(HELLO_AT_ONCE_KEY);
    write.catch((error: unknown) => {
      helloAtOnce = !wanted; // as if unwritten: the next change writes it again
      console.warn('SocketScope: could not write the hello hint', error);
    });
  }

  const isOwnPage = (sender: PortSender | undefined): boolean =>
    sender?.id === api.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(api.runtime.getURL(''));

  api.runtime.onConnect.addListener((rawPort) => {
    if (rawPort.name === PORT_RELAY) {
      const port = rawPort as unknown as RelayPort;
      const sender = rawPort.sender ?? {};
      port.onMessage.addListener((message) => void ready.then(() => onRelayMessage(port, sender, message)));
      port.onDisconnect.addListener(() => {
        for (const state of tabs.values()) state.acks.delete(port);
        for (const [docId, entry] of relayOf) {
          if (entry.port !== port) continue;
          relayOf.delete(docId);
          liveTold.delete(docId);
        }
      });
    } else if (rawPort.name === PORT_PANEL || tabOfPanelPort(rawPort.name) !== undefined) {
      // Sessions (every tab's traffic) and commands: for our own pages only (panel, viewer), never a content script or another extension.
      if (!isOwnPage(rawPort.sender)) {
        rawPort.disconnect();
        return;
      }
      const port = rawPort as unknown as PanelPort;
      ownPorts++;
      const reads = tabOfPanelPort(rawPort.name);
      if (reads !== undefined) portReads.set(port, reads);
      helloHint(); // and tells the documents of the tab it reads to go live (tellLive)
      port.onMessage.addListener((message) => void ready.then(() => onPanelMessage(port, message)));
      port.onDisconnect.addListener(() => {
        for (const set of panels.values()) set.delete(port);
        portReads.delete(port);
        ownPorts--;
        helloHint();
      });
    }
  });

  // Settings changed elsewhere (another panel, or storage directly): take them. Only the local
  // area's event: storage.onChanged would also deliver every persisted session (old and new, megabytes) back to us.
  api.storage.local.onChanged.addListener((changes) => {
    if (changes.settings?.newValue) takeSettings(changes.settings.newValue);
  });

  api.tabs.onRemoved.addListener((tabId) => {
    closedTabs.add(tabId);
    handshakes.forgetTab(tabId);
    void ready.then(() => {
      const keys = tabs.get(tabId)?.writer.keys() ?? [TAB_KEY_PREFIX + tabId];
      tabs.delete(tabId);
      dirty.delete(tabId);
      recordings.forget(tabId);
      simulations.delete(tabId);
      helloHint();
      void api.storage.session.remove(keys).catch(() => undefined);
    });
  });
  return { ready };
}
