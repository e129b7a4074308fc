// Panel state. The session is large and changes by appending, so it is kept
// as one mutable object and a `revision` signal says when it changed; every
// derived view is a `computed` of the revision, never stored twice.
//
// The store holds ONE analysis of the session (src/core/analysis.ts: every
// connection's facts, the heartbeats, the findings). It is the expensive
// derivation: it runs at most every ANALYSIS_INTERVAL_MS, off the render path
// (on idle), and bumps `analysisRevision` when done. Views that show heartbeat
// roles, findings or facts only the analysis knows (silences, lifetimes)
// depend on that revision, not on every delta. What a row shows on every delta
// (state, age, severity, counts) is read from core's per-connection functions
// (src/core/facts.ts), the same definitions the analysis uses, so a row never
// lags its own close by up to half a second.
import { batch, computed, signal } from '@preact/signals';
import type { Connection, Direction, Session } from '../core/model';
import { emptySession } from '../core/model';
import { applyDelta, type SessionDelta } from '../core/delta';
import { reconnectChains, type Chain } from '../core/chains';
import { createAnalyzer, type SessionAnalysis } from '../core/analysis';
import { closeSeverity, connectionState, isDrop, type ConnectionFacts } from '../core/facts';
import { errorText } from '../core/format';
import type { Finding } from '../core/finding';
import type { Settings } from '../protocol/messages';
import { recordingEndMs, sessionNowMs } from './clock';

export type LinkState = 'connecting' | 'live' | 'offline' | 'imported';

// ---- the session ----
export const session = signal<Session>(emptySession('empty', Date.now()));
export const revision = signal(0);
export const link = signal<LinkState>('connecting');
export const linkError = signal<string | undefined>(undefined);
export const settings = signal<Settings | undefined>(undefined);
/**
 * True until the first session is shown (the background's first snapshot, or
 * a file): until then the panel says it is loading, never "no WebSocket",
 * since an empty session before the snapshot means nothing.
 */
export const awaitingFirstSnapshot = signal(true);
/**
 * The snapshot came without connections, but a document of the tab still holds batches nobody had read
 * (docs/decisions.md, 73): they are on their way, so the panel says it is loading rather than "no WebSocket", until
 * the background says they were handed over, or for HELD_WAIT_MS at most (a document that went away meanwhile).
 */
export const awaitingHeld = signal(false);
/**
 * What the panel shows as loading: no snapshot yet, or an empty one while a held page hands its messages over. Its
 * body says "Loading", and Export waits (an export then would write an empty file without saying so).
 */
export const sessionLoading = computed(() => {
  void revision.value;
  return awaitingFirstSnapshot.value || (awaitingHeld.value && session.value.connections.length === 0);
});
const HELD_WAIT_MS = 5000;
let heldTimer: ReturnType<typeof setTimeout> | undefined;
export function setAwaitingHeld(value: boolean): void {
  clearTimeout(heldTimer);
  awaitingHeld.value = value;
  if (value) heldTimer = setTimeout(() => (awaitingHeld.value = false), HELD_WAIT_MS);
}

// ---- selection ----
export const selectedConnectionId = signal<string | undefined>(undefined);
export const selectedMessageIndex = signal<number | undefined>(undefined);

// ---- connection list filters ----
export type StateFilter = 'all' | 'open' | 'closed';
export const urlFilter = signal('');
export const stateFilter = signal<StateFilter>('all');
/** WebSockets, event streams (EventSource), or both. */
export type KindFilter = 'all' | 'websocket' | 'eventsource';
export const kindFilter = signal<KindFilter>('all');
/** Chains folded in the list, by endpoint key. */
export const collapsedChains = signal<ReadonlySet<string>>(new Set());

// ---- message list filters ----
export type DirectionFilter = 'all' | Direction;
export const directionFilter = signal<DirectionFilter>('all');
export const messageFilter = signal('');
export const messageFilterIsRegex = signal(false);
export const hideHeartbeats = signal(false);

// ---- analysis (throttled) ----
const EMPTY_ANALYSIS: SessionAnalysis = { chains: [], facts: new Map(), findings: [] };
/** The last analysis of the session. */
export const analysis = signal<SessionAnalysis>(EMPTY_ANALYSIS);
export const findings = computed<Finding[]>(() => analysis.value.findings);
export const analysisRevision = signal(0);
/** Remembers each connection's facts between runs: a live session only rescans the connections that changed. */
let analyzer = createAnalyzer();

/** The last analysis' facts about a connection; undefined until the analysis has seen it. */
export function factsOf(id: string): ConnectionFacts | undefined {
  return analysis.peek().facts.get(id);
}

/** Wall clock for ages of open connections; ticks once a second while something is open. */
export const now = signal(Date.now());

/**
 * The time open connections are measured against (src/panel/clock.ts): the
 * wall clock for a live tab, the recording's end for an imported file.
 */
export const clock = computed(() => {
  if (link.value !== 'imported') return now.value;
  void revision.value;
  return recordingEndMs(session.value);
});

/** `clock` without subscribing, for drawing and hit-testing. */
export function clockNow(): number {
  return sessionNowMs(session.peek(), link.peek() === 'imported', Date.now());
}

let connectionIndex = new Map<string, Connection>();

export function connectionById(id: string | undefined): Connection | undefined {
  return id === undefined ? undefined : connectionIndex.get(id);
}

/** Replaces the whole session: a snapshot from the background, or an imported file (then set `link` to 'imported'). */
export function replaceSession(next: Session): void {
  connectionIndex = new Map(next.connections.map((c) => [c.id, c]));
  analyzer = createAnalyzer();
  batch(() => {
    // A new session (a clear, a navigation without preserve log, a file) has nothing to do with the frozen view.
    paused.value = false;
    session.value = next;
    awaitingFirstSnapshot.value = false;
    if (selectedConnectionId.value && !connectionIndex.has(selectedConnectionId.value)) {
      selectedConnectionId.value = undefined;
      selectedMessageIndex.value = undefined;
    }
    if (!next.connections.length) analysis.value = EMPTY_ANALYSIS;
    revision.value++;
  });
  scheduleAnalysis();
}

// ---- pause ----
// Paused, the store keeps applying every delta to the session (nothing is
// buffered, nothing is lost), but does not bump `revision` nor run the
// analysis: the views stay on the revision they showed when paused. What
// arrived meanwhile is counted for the "Paused · N new messages" bar.
export const paused = signal(false);
/** Messages, connections and page events that arrived while paused. */
export const arrivedWhilePaused = signal({ messages: 0, connections: 0, pageEvents: 0 });

export function pause(): void {
  if (paused.peek()) return;
  batch(() => {
    arrivedWhilePaused.value = { messages: 0, connections: 0, pageEvents: 0 };
    paused.value = true;
  });
}

/** Shows everything applied while paused. */
export function resume(): void {
  if (!paused.peek()) return;
  batch(() => {
    paused.value = false;
    arrivedWhilePaused.value = { messages: 0, connections: 0, pageEvents: 0 };
    revision.value++;
  });
  scheduleAnalysis();
}

export function applySessionDelta(delta: SessionDelta): void {
  applySessionDeltas([delta]);
}

/** Applies deltas in order; the views redraw once for all of them (a hand-over comes as one list: decision 76). */
export function applySessionDeltas(deltas: SessionDelta[]): void {
  const known = paused.peek() ? connectionIndex.size : 0;
  let messages = 0;
  let pageEvents = 0;
  for (const delta of deltas) {
    applyDelta(session.peek(), delta, connectionIndex);
    for (const group of delta.messages ?? []) messages += group.messages.length;
    pageEvents += delta.pageEvents?.length ?? 0;
  }
  if (paused.peek()) {
    const before = arrivedWhilePaused.peek();
    const connections = connectionIndex.size - known;
    if (messages || connections || pageEvents) {
      arrivedWhilePaused.value = { messages: before.messages + messages, connections: before.connections + connections, pageEvents: before.pageEvents + pageEvents };
    }
    return;
  }
  revision.value++;
  scheduleAnalysis();
}

export function selectConnection(id: string | undefined, messageIndex?: number): void {
  batch(() => {
    selectedConnectionId.value = id;
    selectedMessageIndex.value = messageIndex;
  });
}

// ---- throttled analysis ----
export const ANALYSIS_INTERVAL_MS = 500;
let analysisTimer: ReturnType<typeof setTimeout> | undefined;
let lastAnalysisAt = -Infinity;
/** Time the last analysis took, for the status bar's curious reader and the tests. */
export const analysisMs = signal(0);

function whenIdle(run: () => void): void {
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, options?: { timeout: number }) => number }).requestIdleCallback;
  if (idle) idle(run, { timeout: ANALYSIS_INTERVAL_MS });
  else setTimeout(run, 0);
}

export function scheduleAnalysis(): void {
  if (analysisTimer !== undefined) return;
  const waitMs = Math.max(0, lastAnalysisAt + ANALYSIS_INTERVAL_MS - performance.now());
  analysisTimer = setTimeout(() => whenIdle(runAnalysis), waitMs);
}

/**
 * Shows a session that was already analysed elsewhere (a file imported in a
 * worker, src/panel/importHar.ts): its facts and findings are taken as they
 * are, and no analysis runs on this thread until the session changes.
 */
export function replaceAnalyzedSession(next: Session, analysed: Pick<SessionAnalysis, 'facts' | 'findings'>): void {
  replaceSession(next);
  if (analysisTimer !== undefined) clearTimeout(analysisTimer);
  analysisTimer = undefined;
  batch(() => {
    analysis.value = { chains: reconnectChains(next), facts: analysed.facts, findings: analysed.findings };
    analysisMs.value = 0;
    analysisRevision.value++;
  });
}

/** Analyses the session (heartbeat roles annotated in place, only on the connections that changed). */
export function runAnalysis(): void {
  if (analysisTimer !== undefined) clearTimeout(analysisTimer);
  analysisTimer = undefined;
  const started = performance.now();
  lastAnalysisAt = started;
  let next = EMPTY_ANALYSIS;
  try {
    next = analyzer.analyze(session.peek());
  } catch (error) {
    console.error('SocketScope: analysis failed', error);
  }
  batch(() => {
    analysis.value = next;
    analysisMs.value = performance.now() - started;
    analysisRevision.value++;
  });
}

// ---- derived views ----
/** The reconnect chains on every delta (a new socket shows in the list at once), not at the analysis' pace. */
export const chains = computed<Chain[]>(() => {
  void revision.value;
  return reconnectChains(session.value);
});

export function matchesStateFilter(connection: Connection, filter: StateFilter): boolean {
  if (filter === 'all') return true;
  const state = connectionState(connection);
  const ended = state === 'closed' || state === 'failed';
  return filter === 'closed' ? ended : !ended;
}

/** Chains with only the connections that pass the URL and state filters; empty chains left out. */
export const visibleChains = computed<Chain[]>(() => {
  const text = urlFilter.value.trim().toLowerCase();
  const state = stateFilter.value;
  const kind = kindFilter.value;
  const result: Chain[] = [];
  for (const chain of chains.value) {
    const kept = chain.connections.filter((c) => (!text || c.url.toLowerCase().includes(text)) && matchesStateFilter(c, state) && (kind === 'all' || (c.kind ?? 'websocket') === kind));
    if (kept.length) result.push(kept.length === chain.connections.length ? chain : { ...chain, connections: kept });
  }
  return result;
});

/** The connections in list order (chains, then creation). */
export const connections = computed<Connection[]>(() => visibleChains.value.flatMap((chain) => chain.connections));

/** The rows the list shows: chain headers and, unless folded, their connections. */
export type ListRow = { kind: 'chain'; chain: Chain } | { kind: 'connection'; connection: Connection; chain: Chain };
export const listRows = computed<ListRow[]>(() => {
  const folded = collapsedChains.value;
  const rows: ListRow[] = [];
  for (const chain of visibleChains.value) {
    rows.push({ kind: 'chain', chain });
    if (!folded.has(chain.key)) for (const connection of chain.connections) rows.push({ kind: 'connection', connection, chain });
  }
  return rows;
});

/** Position in listRows of each shown connection, for scrolling the selection into view without a scan. */
export const listRowIndex = computed(() => {
  const byId = new Map<string, number>();
  listRows.value.forEach((row, index) => {
    if (row.kind === 'connection') byId.set(row.connection.id, index);
  });
  return byId;
});

export const selectedConnection = computed(() => {
  void revision.value;
  return connectionById(selectedConnectionId.value);
});

export const selectedChain = computed<Chain | undefined>(() => {
  const id = selectedConnectionId.value;
  if (id === undefined) return undefined;
  return chains.value.find((chain) => chain.connections.some((c) => c.id === id));
});

/** Findings per connection id (a connection may be concerned by several). */
export const findingsByConnection = computed(() => {
  const byId = new Map<string, Finding[]>();
  for (const finding of findings.value) {
    for (const id of finding.connections) {
      const list = byId.get(id) ?? [];
      list.push(finding);
      byId.set(id, list);
    }
  }
  return byId;
});

/** What a chain's header row says about its shown connections: open (not ended), drops (core's isDrop of the close severity), and the findings about them. */
export interface ChainSummary {
  open: number;
  drops: number;
  findings: Finding[];
}

/**
 * Header summaries of the shown chains, by chain key: computed once per
 * revision, filter or analysis, not on every render of a header row.
 */
export const chainSummaries = computed(() => {
  const byConnection = findingsByConnection.value;
  const byKey = new Map<string, ChainSummary>();
  for (const chain of visibleChains.value) {
    let open = 0;
    let drops = 0;
    const concerned = new Set<Finding>();
    for (const connection of chain.connections) {
      const severity = closeSeverity(connection);
      if (severity === 'open') open++;
      else if (isDrop(severity)) drops++;
      for (const finding of byConnection.get(connection.id) ?? []) concerned.add(finding);
    }
    byKey.set(chain.key, { open, drops, findings: [...concerned] });
  }
  return byKey;
});

export function toggleChain(key: string): void {
  const next = new Set(collapsedChains.peek());
  if (next.has(key)) next.delete(key);
  else next.add(key);
  collapsedChains.value = next;
}

// ---- the selected connection's messages, filtered ----
/** Compiles the message filter; an invalid regex is reported, not thrown. */
export const messageMatcher = computed<{ test?: (text: string) => boolean; error?: string }>(() => {
  const text = messageFilter.value;
  if (!text) return {};
  if (messageFilterIsRegex.value) {
    try {
      const pattern = new RegExp(text, 'i');
      return { test: (value) => pattern.test(value) };
    } catch (error) {
      return { error: errorText(error) };
    }
  }
  const needle = text.toLowerCase();
  return { test: (value) => value.toLowerCase().includes(needle) };
});

/**
 * Positions (into connection.messages) of the messages the list shows, or
 * `undefined` when nothing is filtered out (the list then maps row i to
 * message i, with no array of 100k numbers).
 */
export const visibleMessages = computed<{ positions: Int32Array | undefined; count: number }>(() => {
  void revision.value;
  const connection = selectedConnection.value;
  if (!connection) return { positions: undefined, count: 0 };
  const messages = connection.messages;
  const direction = directionFilter.value;
  const hide = hideHeartbeats.value;
  if (hide) void analysisRevision.value;
  const { test } = messageMatcher.value;
  if (direction === 'all' && !hide && !test) return { positions: undefined, count: messages.length };
  const positions = new Int32Array(messages.length);
  let count = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (direction !== 'all' && message.direction !== direction) continue;
    if (hide && message.heartbeat) continue;
    if (test && !test(message.preview)) continue;
    positions[count++] = i;
  }
  return { positions: positions.subarray(0, count), count };
});

/** Position in connection.messages of a message index (indexes grow by one, minus the dropped head). */
export function positionOfIndex(connection: Connection, index: number): number {
  const messages = connection.messages;
  if (!messages.length) return -1;
  const guess = index - messages[0].index;
  if (messages[guess]?.index === index) return guess;
  return messages.findIndex((m) => m.index === index);
}

export const selectedMessage = computed(() => {
  void revision.value;
  const connection = selectedConnection.value;
  const index = selectedMessageIndex.value;
  if (!connection || index === undefined) return undefined;
  const position = positionOfIndex(connection, index);
  return position < 0 ? undefined : connection.messages[position];
});

/** Resets every filter (the toolbar's and the messages'). */
export function clearFilters(): void {
  batch(() => {
    urlFilter.value = '';
    stateFilter.value = 'all';
    kindFilter.value = 'all';
    directionFilter.value = 'all';
    messageFilter.value = '';
    hideHeartbeats.value = false;
  });
}
