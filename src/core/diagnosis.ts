// Diagnosis: why did this page's WebSockets drop? Pure and deterministic:
// a Session in, Findings out, most important first. Evidence rules follow
// DESIGN.md (Diagnosis) and shared/reference/intermediaries.md.

import { reconnectChains, type Chain } from './chains';
import { CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_SERVICE_RESTART, explainCloseCode } from './closeCodes';
import { connectionFacts, endedAt, handshakeOutcome, type ConnectionFacts, type SilenceBasis, type Silences } from './facts';
import type { Finding, FindingKind, Identified, Suspect } from './finding';
import { FINGERPRINTS, identifyIntermediaries, timeoutsOf, type IdentifiedIntermediary } from './fingerprints';
import { formatDuration } from './format';
import {
  explainHandshakeFailure,
  formatHandshakeStatus,
  HANDSHAKE_FAILURE_SUMMARY,
  handshakeFailureCategory,
  type HandshakeFailureCategory,
} from './handshakeStatus';
import { heartbeatTimes, median, medianAbsoluteDeviation, ROLE_PING, scanHeartbeats, type HeartbeatScan, type HeartbeatStats } from './heartbeat';
import { configurableSuspects, matchToleranceMs, suspectsFor } from './intermediaries';
import type { Connection, HandshakeInfo, PageEvent, Session } from './model';
import { onlySimulated, withoutSimulated } from './simulation';

type IdleBasis = SilenceBasis;
/** Tie-break order: nginx and most proxies count traffic either way, so 'any' is the likeliest reading. */
const IDLE_BASES: readonly IdleBasis[] = ['any', 'received', 'sent'];

const SECOND_MS = 1000;
/** Shorter silences or ages are ordinary traffic, not a timer. */
const MIN_TIMER_PERIOD_MS = SECOND_MS;
/** Share of the closes of a group that must agree on one period. */
const MIN_CONSISTENT_SHARE = 0.6;
/** Spreads closer than this are a tie: clock and event-loop jitter. */
const SPREAD_TIE_MS = 100;
const OFFLINE_BEFORE_CLOSE_MS = 30 * SECOND_MS;
const OFFLINE_AFTER_CLOSE_MS = SECOND_MS;
const SIMULTANEOUS_CLOSE_MS = SECOND_MS;
const NAVIGATION_NEAR_CLOSE_MS = 2 * SECOND_MS;
const RECONNECT_WITHIN_MS = 60 * SECOND_MS;
const TIMER_LATE_LOOKBACK_MS = 60 * SECOND_MS;
const MIN_TIMER_LATENESS_MS = SECOND_MS;
/** Gaps between the page's sends, while visible, needed to know its cadence. */
const MIN_VISIBLE_GAPS = 3;
/** A throttled gap is at least this much longer than the visible cadence (timer alignment and jitter are less). */
const THROTTLE_MIN_EXTRA_MS = 500;
const STORM_MIN_RECONNECTS = 4;
const STORM_MAX_DELAY_MS = 5 * SECOND_MS;
/** A storm is connections that die within seconds of opening… */
const STORM_MAX_LIFETIME_MS = 5 * SECOND_MS;
/** …or that are replaced at once. */
const STORM_NEAR_ZERO_DELAY_MS = 250;
/** Findings that explain why connections die: a fixed reconnect delay beside one of them is a secondary remark. */
const ROOT_CAUSES: ReadonlySet<FindingKind> = new Set(['idle-timeout', 'max-lifetime', 'heartbeat-too-slow', 'tab-throttled', 'network-offline', 'server-restart', 'client-close']);
/** Share of a storm's dead connections a root cause must explain. */
const STORM_EXPLAINED_SHARE = 0.8;
/** Timers that a throttled tab sets off (the other side's reaction to a late heartbeat). */
const THROTTLE_MECHANISMS: ReadonlySet<FindingKind> = new Set(['idle-timeout', 'max-lifetime', 'heartbeat-too-slow']);
/** A secondary remark ranks below every root cause. */
const SECONDARY_MAX_CONFIDENCE = 0.5;
const MAX_LISTED_SUSPECTS = 5;

const KIND_RANK: Readonly<Record<FindingKind, number>> = {
  'handshake-failed': 0,
  'idle-timeout': 1,
  'max-lifetime': 2,
  'heartbeat-too-slow': 3,
  'network-offline': 4,
  'server-restart': 5,
  'tab-throttled': 6,
  'reconnect-storm': 7,
  'client-close': 8,
};

/** Timers fire a few hundred ms late and vendors round: the spread allowed around a period. */
function jitterToleranceMs(periodMs: number): number {
  return Math.max(750, periodMs * 0.03);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Two consistent closes are a hint (< 0.6); three or more a finding (≥ 0.7), lowered when some closes disagree. */
function repetitionConfidence(consistentCount: number, totalCount: number): number {
  const base = consistentCount >= 3 ? Math.min(0.95, 0.7 + 0.05 * (consistentCount - 3)) : 0.5;
  const disagreeing = 1 - consistentCount / totalCount;
  return round2(Math.max(consistentCount >= 3 ? 0.7 : 0.3, base - 0.1 * disagreeing));
}

/** The facts and heartbeat scans of a session's connections, computed once by src/core/analysis.ts. */
export interface DiagnosisInput {
  facts: ReadonlyMap<string, ConnectionFacts>;
  scans: ReadonlyMap<string, HeartbeatScan>;
}

/** Facts and scans of the connections, looked up (from the analysis) or computed once (diagnose() called on its own). */
interface Lookup {
  factsOf(connection: Connection): ConnectionFacts;
  scanOf(connection: Connection): HeartbeatScan;
}

function lookupFor(input: DiagnosisInput | undefined): Lookup {
  const facts = new Map<Connection, ConnectionFacts>();
  const scans = new Map<Connection, HeartbeatScan>();
  const scanOf = (connection: Connection): HeartbeatScan => {
    let scan = input?.scans.get(connection.id) ?? scans.get(connection);
    if (!scan) scans.set(connection, (scan = scanHeartbeats(connection)));
    return scan;
  };
  return {
    scanOf,
    factsOf(connection) {
      let found = input?.facts.get(connection.id) ?? facts.get(connection);
      if (!found) facts.set(connection, (found = connectionFacts(connection, scanOf(connection))));
      return found;
    },
  };
}

const closeTimeOf = endedAt;

/** Ended without a close frame, or uncleanly by the server: what an intermediary's timer produces. */
function isAbnormalClose(lookup: Lookup, connection: Connection): boolean {
  return lookup.factsOf(connection).severity === 'abnormal';
}

/** Page events are tab-wide (visibility, network) unless they name another frame. */
function concernsConnection(event: PageEvent, connection: Connection): boolean {
  return event.frameId === undefined || connection.frameId === undefined || event.frameId === connection.frameId;
}

function eventsBetween(events: PageEvent[], fromTime: number, toTime: number, types: readonly string[]): PageEvent[] {
  return events.filter((event) => event.time >= fromTime && event.time <= toTime && types.includes(event.type));
}

function closedByNavigation(connection: Connection, events: PageEvent[], closeTime: number): boolean {
  return eventsBetween(events, closeTime - NAVIGATION_NEAR_CLOSE_MS, closeTime + NAVIGATION_NEAR_CLOSE_MS, ['pagehide', 'navigation']).some(
    (event) => concernsConnection(event, connection),
  );
}

/** A normal close by the server, or the page leaving: nothing went wrong. */
function isDeliberateClose(lookup: Lookup, connection: Connection, events: PageEvent[]): boolean {
  const close = connection.close;
  if (!close) return false;
  if (close.initiator === 'navigation') return true;
  if (close.initiator === 'page') return closedByNavigation(connection, events, close.time);
  return lookup.factsOf(connection).severity === 'clean';
}

// ---- Silence and age at close ----

interface CloseFacts {
  connection: Connection;
  ageMs: number;
  silenceMs: Silences;
  /** The longest silence the connection survived before its last message, per basis. */
  longestSurvivedMs: Silences;
}

const NO_SILENCE: Silences = { any: 0, received: 0, sent: 0 };

/** The facts the timer verdicts read, for a connection that opened and ended. */
function closeFacts(lookup: Lookup, connection: Connection): CloseFacts {
  const facts = lookup.factsOf(connection);
  return {
    connection,
    ageMs: facts.lifetimeMs ?? 0,
    silenceMs: facts.silenceBeforeEndMs ?? NO_SILENCE,
    longestSurvivedMs: facts.longestSurvivedSilenceMs,
  };
}

interface PeriodFit {
  periodMs: number;
  spreadMs: number;
  consistent: CloseFacts[];
}

/** The closes agree on one period: robust spread within jitter, and enough of them near it. */
function fitPeriod(facts: CloseFacts[], valueOf: (fact: CloseFacts) => number): PeriodFit | undefined {
  const values = facts.map(valueOf);
  const periodMs = median(values);
  const spreadMs = medianAbsoluteDeviation(values, periodMs);
  const toleranceMs = jitterToleranceMs(periodMs);
  const consistent = facts.filter((fact) => Math.abs(valueOf(fact) - periodMs) <= toleranceMs);
  const agrees = periodMs >= MIN_TIMER_PERIOD_MS && spreadMs <= toleranceMs;
  return agrees && consistent.length >= 2 && consistent.length >= facts.length * MIN_CONSISTENT_SHARE
    ? { periodMs, spreadMs, consistent }
    : undefined;
}

interface TimerVerdict {
  kind: 'idle-timeout' | 'max-lifetime';
  basis?: IdleBasis;
  fit: PeriodFit;
  total: number;
}

function judgeTimer(facts: CloseFacts[]): TimerVerdict | undefined {
  if (facts.length < 2) return undefined;
  let idle: TimerVerdict | undefined;
  for (const basis of IDLE_BASES) {
    const fit = fitPeriod(facts, (fact) => fact.silenceMs[basis]);
    // An idle timer of P kills the first silence of P: no earlier silence of the same connection can have been longer.
    const neverSurvivedLonger = fit?.consistent.every(
      (fact) => fact.silenceMs[basis] >= fact.longestSurvivedMs[basis] - jitterToleranceMs(fit.periodMs),
    );
    if (fit && neverSurvivedLonger && (!idle || fit.spreadMs < idle.fit.spreadMs - SPREAD_TIE_MS)) {
      idle = { kind: 'idle-timeout', basis, fit, total: facts.length };
    }
  }
  const ageFit = fitPeriod(facts, (fact) => fact.ageMs);
  const lifetime: TimerVerdict | undefined = ageFit && { kind: 'max-lifetime', fit: ageFit, total: facts.length };
  // Silent from open to close, age and silence agree: the idle reading is the likelier (and its fix the cheaper).
  if (idle && lifetime) return lifetime.fit.spreadMs < idle.fit.spreadMs - SPREAD_TIE_MS ? lifetime : idle;
  return idle ?? lifetime;
}

/** Chains first (one endpoint, one path through the proxies), then the leftovers of all chains together. */
function timerVerdicts(lookup: Lookup, chains: Chain[], excluded: Set<Connection>): TimerVerdict[] {
  const verdicts: TimerVerdict[] = [];
  const leftovers: CloseFacts[] = [];
  for (const chain of chains) {
    const facts = chain.connections.filter((c) => isAbnormalClose(lookup, c) && !excluded.has(c)).map((c) => closeFacts(lookup, c));
    const verdict = judgeTimer(facts);
    if (verdict) verdicts.push(verdict);
    else leftovers.push(...facts);
  }
  const pooled = judgeTimer(leftovers);
  if (pooled) verdicts.push(pooled);
  return mergeVerdicts(verdicts);
}

/** Two endpoints behind the same proxy give the same period: one finding. */
function mergeVerdicts(verdicts: TimerVerdict[]): TimerVerdict[] {
  const merged: TimerVerdict[] = [];
  for (const verdict of verdicts) {
    const twin = merged.find(
      (other) =>
        other.kind === verdict.kind &&
        other.basis === verdict.basis &&
        Math.abs(other.fit.periodMs - verdict.fit.periodMs) <= jitterToleranceMs(other.fit.periodMs),
    );
    if (!twin) {
      merged.push({ ...verdict, fit: { ...verdict.fit, consistent: [...verdict.fit.consistent] } });
      continue;
    }
    const consistent = [...twin.fit.consistent, ...verdict.fit.consistent];
    const valueOf = (fact: CloseFacts): number => (twin.basis ? fact.silenceMs[twin.basis] : fact.ageMs);
    const values = consistent.map(valueOf);
    const periodMs = median(values);
    twin.fit = { periodMs, spreadMs: medianAbsoluteDeviation(values, periodMs), consistent };
    twin.total += verdict.total;
  }
  return merged;
}

const BASIS_PHRASE: Readonly<Record<IdleBasis, string>> = {
  any: 'in either direction',
  received: 'from the server',
  sent: 'from the page',
};

function suspectsSentence(suspects: Suspect[], matched: boolean, periodMs: number, kindWord: string): string {
  if (suspects.length === 0) return '';
  const list = suspects.map((s) => `${s.name} (${s.knob}, default ${formatDuration(s.defaultMs)})`).join('; ');
  return matched
    ? ` ${formatDuration(periodMs)} matches the default ${kindWord} of: ${list}.`
    : ` No common default ${kindWord} is ${formatDuration(periodMs)}, so it is likely configured; ${kindWord}s you can set: ${list}.`;
}

/** The setting to change: the matching intermediary's, or (a configured value, no default matched) the few usual ones. */
function knobPhrase(suspects: Suspect[], matched: boolean, fallback: string): string {
  const adjustable = suspects.filter((suspect) => suspect.knob !== 'not adjustable' && suspect.knob !== 'none');
  if (!adjustable.length) return fallback;
  if (matched) return `${adjustable[0].name}'s ${adjustable[0].knob}`;
  return `${fallback} (${adjustable.slice(0, 3).map((suspect) => `${suspect.name}: ${suspect.knob}`).join('; ')})`;
}

// ---- Identified intermediaries (seen in the handshakes) ----

const identifiedMemo = new WeakMap<HandshakeInfo, IdentifiedIntermediary[]>();

function intermediariesOf(handshake: HandshakeInfo): IdentifiedIntermediary[] {
  let found = identifiedMemo.get(handshake);
  if (!found) identifiedMemo.set(handshake, (found = identifyIntermediaries(handshake)));
  return found;
}

const FINGERPRINT_ORDER = new Map<string, number>();
FINGERPRINTS.forEach((fingerprint, index) => {
  if (!FINGERPRINT_ORDER.has(fingerprint.name)) FINGERPRINT_ORDER.set(fingerprint.name, index);
});

/** The intermediaries named by these connections' handshakes, once each (the first quote kept), outermost first. */
export function identifiedAmong(connections: readonly Connection[]): IdentifiedIntermediary[] {
  const byName = new Map<string, IdentifiedIntermediary>();
  for (const connection of connections) {
    if (!connection.handshake) continue;
    for (const item of intermediariesOf(connection.handshake)) if (!byName.has(item.name)) byName.set(item.name, item);
  }
  return [...byName.values()].sort((a, b) => (FINGERPRINT_ORDER.get(a.name) ?? 0) - (FINGERPRINT_ORDER.get(b.name) ?? 0));
}

const isAdjustableKnob = (knob: string | undefined): knob is string => knob !== undefined && knob !== 'not adjustable' && knob !== 'none';

/** Each identified intermediary with its timer of this kind (the row whose default is nearest the period), if the table has one. */
function identifiedTimers(items: IdentifiedIntermediary[], kind: 'idle' | 'absolute', periodMs: number): Identified[] {
  return items.map((item) => {
    const rows = timeoutsOf(item.name)
      .filter((row) => row.kind === kind)
      .sort((a, b) => Math.abs(periodMs - (a.defaultMs ?? Infinity)) - Math.abs(periodMs - (b.defaultMs ?? Infinity)));
    const row = rows[0];
    const identified: Identified = { name: item.name, evidence: item.evidence };
    if (row) identified.knob = row.knob;
    if (row?.defaultMs !== undefined) identified.defaultMs = row.defaultMs;
    return identified;
  });
}

function defaultMatches(identified: Identified, periodMs: number): boolean {
  return identified.defaultMs !== undefined && Math.abs(periodMs - identified.defaultMs) <= matchToleranceMs(identified.defaultMs);
}

/** Suspects that are not an identified product (by their INTERMEDIARY_TIMEOUTS row names). */
function withoutIdentified(suspects: Suspect[], identified: Identified[]): Suspect[] {
  const covered = new Set(identified.flatMap((item) => [item.name, ...timeoutsOf(item.name).map((row) => row.name)]));
  return suspects.filter((suspect) => !covered.has(suspect.name));
}

/** 'Identified from the handshake: nginx (`server: nginx/1.22.1`; proxy_read_timeout, default 60 s, which matches).' */
function identifiedSentence(identified: Identified[], periodMs: number, kindWord: string): string {
  if (!identified.length) return '';
  const parts = identified.map((item) => {
    let timer: string;
    if (item.knob === undefined) timer = `; no known ${kindWord}`;
    else if (!isAdjustableKnob(item.knob)) {
      const value = item.defaultMs === undefined ? '' : ` ${formatDuration(item.defaultMs)}`;
      timer = `; ${kindWord}${value}, not adjustable${defaultMatches(item, periodMs) ? ', which matches' : ''}`;
    } else if (item.defaultMs === undefined) timer = `; ${item.knob}, off unless set, so it is likely set to ~${formatDuration(periodMs)}`;
    else if (defaultMatches(item, periodMs)) timer = `; ${item.knob}, default ${formatDuration(item.defaultMs)}, which matches`;
    else timer = `; ${item.knob}, default ${formatDuration(item.defaultMs)}, so if it is the one it is likely configured to ~${formatDuration(periodMs)}`;
    return `${item.name} (\`${item.evidence}\`${timer})`;
  });
  return ` Identified from the handshake: ${parts.join('; ')}.`;
}

/** The identified intermediary whose setting the fix names first: one whose default matches, else the first with a setting. */
function identifiedToRaise(identified: Identified[], periodMs: number): Identified | undefined {
  const adjustable = identified.filter((item) => isAdjustableKnob(item.knob));
  return adjustable.find((item) => defaultMatches(item, periodMs)) ?? adjustable[0];
}

function identifiedKnobPhrase(item: Identified, periodMs: number): string {
  const configured = defaultMatches(item, periodMs) ? '' : ` (likely configured to ~${formatDuration(periodMs)})`;
  return `${item.name}'s ${item.knob}${configured}`;
}

interface TimerSuspicion {
  identified: Identified[];
  suspects: Suspect[];
  /** A default matched the period (among the suspects left). */
  matched: boolean;
  /** Sentences for the detail: identified first, then the suspects. */
  sentence: string;
  /** The setting the fix names. */
  knob: string;
}

/** Identified intermediaries first (seen), then suspects (a matching default), for a timer of this kind and period. */
function timerSuspicion(connections: Connection[], kind: 'idle' | 'absolute', periodMs: number, kindWord: string, fallbackKnob: string): TimerSuspicion {
  const identified = identifiedTimers(identifiedAmong(connections), kind, periodMs);
  const matchedSuspects = withoutIdentified(suspectsFor(periodMs, kind), identified);
  const matched = matchedSuspects.length > 0;
  // No default matched: list the usual configurable ones, unless the handshake already named one that has this timer.
  const configurable = identified.some((item) => isAdjustableKnob(item.knob))
    ? []
    : withoutIdentified(configurableSuspects(periodMs, kind), identified).slice(0, MAX_LISTED_SUSPECTS);
  const suspects = matched ? matchedSuspects : configurable;
  const suspectsText = suspectsSentence(suspects, matched, periodMs, kindWord);
  const sentence =
    identifiedSentence(identified, periodMs, kindWord) +
    (identified.length && suspects.length ? ` Suspected (not seen in the handshake):${suspectsText}` : suspectsText);
  const raise = identifiedToRaise(identified, periodMs);
  const suspectKnob = knobPhrase(suspects, matched, fallbackKnob);
  const knob = raise ? `${identifiedKnobPhrase(raise, periodMs)}${suspects.length ? `, or ${suspectKnob}` : ''}` : suspectKnob;
  return { identified, suspects, matched, sentence, knob };
}

function idleTimeoutFinding(verdict: TimerVerdict & { basis: IdleBasis }): Finding {
  const { periodMs, spreadMs, consistent } = verdict.fit;
  const suspicion = timerSuspicion(
    consistent.map((fact) => fact.connection),
    'idle',
    periodMs,
    'idle timeout',
    'the idle timeout of the proxy or load balancer in front',
  );
  const { suspects, knob } = suspicion;
  const ages = consistent.map((fact) => fact.ageMs);
  const period = formatDuration(periodMs);
  const half = formatDuration(periodMs / 2);
  const silentThroughout = median(consistent.map((fact) => fact.ageMs - fact.silenceMs.any)) <= jitterToleranceMs(periodMs);
  const ambiguity = silentThroughout
    ? ' These connections were silent from open to close, so an absolute age limit of the same length would look the same; if heartbeats do not help, suspect one.'
    : '';
  const heartbeatSide: Record<IdleBasis, string> = {
    any: `Send a heartbeat every ≤ ${half} from the server (nginx counts traffic in either direction once upgraded; some intermediaries count only one)`,
    received: `Send a heartbeat every ≤ ${half} from the server: this timer counts only traffic toward the page, so the page's own pings don't reset it`,
    sent: `Send a heartbeat every ≤ ${half} from the page: this timer counts only traffic from the page`,
  };
  return {
    kind: 'idle-timeout',
    title: `Connections die after ${period} of silence`,
    detail:
      `${consistent.length} of ${verdict.total} abnormal closes came ${period} (±${formatDuration(spreadMs)}) after the last message ` +
      `${BASIS_PHRASE[verdict.basis]}, at ages from ${formatDuration(Math.min(...ages))} to ${formatDuration(Math.max(...ages))}. ` +
      'A constant silence before a close without a close frame is the mark of an idle timeout in a proxy or load balancer between the page and the server.' +
      suspicion.sentence +
      ambiguity,
    confidence: repetitionConfidence(consistent.length, verdict.total),
    connections: consistent.map((fact) => fact.connection.id),
    periodMs,
    basis: verdict.basis,
    ...(suspicion.identified.length ? { identified: suspicion.identified } : {}),
    suspects,
    fix: consistent.every((fact) => fact.connection.kind === 'eventsource')
      ? eventStreamIdleFix(half, knob)
      : `${heartbeatSide[verdict.basis]}, or raise ${knob} for this WebSocket route.`,
  };
}

/**
 * An event stream has only one direction, and its cheapest heartbeat is a comment line (`: ping`), which the
 * browser drops before the page: it resets the proxy's timer without waking the page. A buffering proxy holds
 * events back, so the page's view of the silence can be longer than the wire's.
 */
function eventStreamIdleFix(half: string, knob: string): string {
  return (
    `Send a comment line (\`: ping\`) every ≤ ${half} from the server (comments keep the stream alive and never reach the page), ` +
    'make sure the proxy does not buffer the stream (`X-Accel-Buffering: no` from the application, or `proxy_buffering off` for its location), ' +
    `or raise ${knob} (nginx: \`proxy_read_timeout\` in the stream's location) for this event stream's route.`
  );
}

function maxLifetimeFinding(verdict: TimerVerdict): Finding {
  const { periodMs, spreadMs, consistent } = verdict.fit;
  const suspicion = timerSuspicion(
    consistent.map((fact) => fact.connection),
    'absolute',
    periodMs,
    'absolute limit',
    'the absolute limit of the load balancer or platform in front',
  );
  const { suspects } = suspicion;
  const period = formatDuration(periodMs);
  const lastMessageBeforeCloseMs = median(consistent.map((fact) => fact.silenceMs.any));
  return {
    kind: 'max-lifetime',
    title: `Connections are cut at a fixed age of ${period}`,
    detail:
      `${consistent.length} of ${verdict.total} abnormal closes came ${period} (±${formatDuration(spreadMs)}) after the socket opened, ` +
      `although traffic went on until shortly before (the last message came a median ${formatDuration(lastMessageBeforeCloseMs)} before the close). ` +
      'An absolute limit ends connections at a fixed age whatever the traffic, so heartbeats will not help.' +
      suspicion.sentence,
    confidence: repetitionConfidence(consistent.length, verdict.total),
    connections: consistent.map((fact) => fact.connection.id),
    periodMs,
    ...(suspicion.identified.length ? { identified: suspicion.identified } : {}),
    suspects,
    fix:
      `Raise ${suspicion.knob} above the session length you need, ` +
      `or reconnect proactively before ${period} (e.g. at ${formatDuration(periodMs * 0.9)}) and resume the session's state.`,
  };
}

/** Where each protocol's heartbeat interval is set. */
const HEARTBEAT_KNOBS: Readonly<Record<string, string>> = {
  'Engine.IO': 'the Socket.IO server option pingInterval',
  STOMP: 'the heart-beat header (stompjs heartbeatIncoming/heartbeatOutgoing, Spring setHeartbeatValue)',
  SockJS: 'the SockJS server heartbeat delay (heartbeat_delay / setHeartbeatTime)',
  SignalR: 'the hub KeepAliveInterval',
  'Phoenix Channels': 'the client option heartbeatIntervalMs',
  MQTT: 'the client keepalive option',
  Pusher: 'activity_timeout',
  'graphql-ws': 'the keepAlive option',
};

/** The idle timeout to raise: the identified intermediary's setting when one was seen. */
function raisedTimeout(idleFinding: Finding, timeoutMs: number): string {
  const raise = identifiedToRaise(idleFinding.identified ?? [], timeoutMs);
  return raise ? identifiedKnobPhrase(raise, timeoutMs) : 'the idle timeout';
}

function heartbeatTooSlowFinding(idleFinding: Finding, statsById: Map<string, HeartbeatStats>): Finding | undefined {
  const timeoutMs = idleFinding.periodMs ?? 0;
  const tooSlow = idleFinding.connections.filter((id) => {
    const stats = statsById.get(id);
    const intervalMs = stats?.intervalMs ?? stats?.declaredIntervalMs;
    return intervalMs !== undefined && intervalMs >= timeoutMs - jitterToleranceMs(timeoutMs);
  });
  if (tooSlow.length === 0) return undefined;
  const stats = statsById.get(tooSlow[0]) ?? {};
  const intervalMs = stats.intervalMs ?? stats.declaredIntervalMs ?? 0;
  const protocol = stats.protocol ?? 'The';
  const source = stats.intervalMs !== undefined ? 'observed' : 'announced by the handshake';
  const knob = (stats.protocol && HEARTBEAT_KNOBS[stats.protocol]) ?? 'the heartbeat interval';
  return {
    kind: 'heartbeat-too-slow',
    title: `${protocol} heartbeat every ${formatDuration(intervalMs)} is too slow for a ${formatDuration(timeoutMs)} idle timeout`,
    detail:
      `The heartbeat interval (${formatDuration(intervalMs)}, ${source}) is not shorter than the idle timeout these connections hit ` +
      `(${formatDuration(timeoutMs)}), so the intermediary cuts the connection before the next heartbeat.` +
      identifiedSentence(idleFinding.identified ?? [], timeoutMs, 'idle timeout'),
    confidence: idleFinding.confidence,
    connections: tooSlow,
    periodMs: timeoutMs,
    ...(idleFinding.identified ? { identified: idleFinding.identified } : {}),
    suspects: idleFinding.suspects,
    fix: `Set ${knob} to ≤ ${formatDuration(timeoutMs / 2)}, or raise ${raisedTimeout(idleFinding, timeoutMs)} above ${formatDuration(intervalMs * 2)}.`,
  };
}

// ---- Page context: network and throttling ----

function offlineCloses(session: Session, closed: Connection[]): Connection[] {
  const offline = session.pageEvents.filter((event) => event.type === 'offline');
  if (offline.length === 0) return [];
  return closed.filter((connection) => {
    const closeTime = closeTimeOf(connection) ?? 0;
    return offline.some(
      (event) =>
        concernsConnection(event, connection) &&
        event.time >= closeTime - OFFLINE_BEFORE_CLOSE_MS &&
        event.time <= closeTime + OFFLINE_AFTER_CLOSE_MS,
    );
  });
}

function networkOfflineFinding(connections: Connection[]): Finding | undefined {
  if (connections.length === 0) return undefined;
  return {
    kind: 'network-offline',
    title: 'The network went offline',
    detail:
      `The browser reported going offline shortly before ${connections.length} connection(s) ended without a close frame. ` +
      'No server or proxy setting is at fault: the device lost its network.',
    confidence: round2(Math.min(0.95, 0.8 + 0.05 * (connections.length - 1))),
    connections: connections.map((c) => c.id),
    fix: "Reconnect when the browser fires 'online' (with backoff), and queue or retry messages sent while offline.",
  };
}

/** A finding about throttling, with whether the page's own traffic visibly fell behind (not only late timers). */
type ThrottleFinding = Finding & { strongEvidence: boolean };

interface ThrottleEvidence {
  connection: Connection;
  sentence: string;
  lateHeartbeats: boolean;
}

/** The last visibility state before a time: hidden (or frozen) since when, or undefined when visible. */
function hiddenSince(events: PageEvent[], connection: Connection, time: number): number | undefined {
  let since: number | undefined;
  for (const event of events) {
    if (event.time > time) break;
    if (!concernsConnection(event, connection)) continue;
    if (event.type === 'hidden' || event.type === 'freeze') since ??= event.time;
    else if (event.type === 'visible' || event.type === 'resume') since = undefined;
  }
  return since;
}

/** The times the page sent on this connection: its recognised pings, or (none recognised) everything it sent. */
function sentBeats(lookup: Lookup, connection: Connection): number[] {
  const pings = heartbeatTimes(connection, lookup.scanOf(connection).roles, ROLE_PING, 'send');
  if (pings.length >= 2) return pings;
  return connection.messages.filter((message) => message.direction === 'send').map((message) => message.time);
}

/** The spans [from, to] during which the tab was hidden or frozen, as seen from a connection's frame; in time order. */
function hiddenSpans(events: PageEvent[], connection: Connection): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let since: number | undefined;
  for (const event of events) {
    if (!concernsConnection(event, connection)) continue;
    if (event.type === 'hidden' || event.type === 'freeze') since ??= event.time;
    else if ((event.type === 'visible' || event.type === 'resume') && since !== undefined) {
      spans.push([since, event.time]);
      since = undefined;
    }
  }
  if (since !== undefined) spans.push([since, Infinity]);
  return spans;
}

/**
 * The cadence at which the page sends while the tab is visible, over the
 * whole chain: a connection opened while the tab was already hidden has no
 * visible cadence of its own, but the same app's earlier connections do.
 */
function visibleCadenceMs(lookup: Lookup, chain: Chain, events: PageEvent[]): number | undefined {
  const gapsMs: number[] = [];
  for (const connection of chain.connections) {
    const spans = hiddenSpans(events, connection);
    const beats = sentBeats(lookup, connection);
    let span = 0;
    for (let i = 1; i < beats.length; i++) {
      // Spans and beats are both in time order: one pass.
      while (span < spans.length && spans[span][1] < beats[i - 1]) span++;
      const overlapsHidden = span < spans.length && spans[span][0] <= beats[i];
      if (!overlapsHidden) gapsMs.push(beats[i] - beats[i - 1]);
    }
  }
  return gapsMs.length >= MIN_VISIBLE_GAPS ? median(gapsMs) : undefined;
}

/** A gap the throttled page left: well over its visible cadence (a 300 ms heartbeat aligned to 1 s, a 25 s one pushed to a minute). */
function isThrottledGap(gapMs: number, cadenceMs: number): boolean {
  return gapMs > Math.max(2 * cadenceMs, cadenceMs + THROTTLE_MIN_EXTRA_MS);
}

function throttleEvidence(lookup: Lookup, connection: Connection, events: PageEvent[], cadenceMs: number | undefined): ThrottleEvidence | undefined {
  const closeTime = closeTimeOf(connection);
  if (closeTime === undefined || connection.openedAt === undefined) return undefined;
  const hiddenFrom = hiddenSince(events, connection, closeTime);
  const recent = eventsBetween(events, hiddenFrom ?? closeTime - TIMER_LATE_LOOKBACK_MS, closeTime, ['timer-late', 'timer-throttled']).filter((event) =>
    concernsConnection(event, connection),
  );
  // Late by a second or more, or throttled to once a minute, is evidence on its own; alignment to 1 s (basic
  // throttling, every hidden tab has it) only explains the gaps the page's own traffic shows.
  const lateTimers = recent.filter((event) => (event.type === 'timer-late' ? (event.lateMs ?? 0) >= MIN_TIMER_LATENESS_MS : event.detail === 'intensive'));
  const throttling = recent.some((event) => event.type === 'timer-throttled' && event.detail === 'intensive')
    ? ' (its timers throttled to once a minute)'
    : recent.some((event) => event.type === 'timer-throttled')
      ? ' (its timers aligned to whole seconds)'
      : '';
  if (hiddenFrom !== undefined && cadenceMs !== undefined) {
    // The gaps that ended while hidden, counting from the open when the socket opened hidden, and the beat that never came before the close.
    const beats = sentBeats(lookup, connection);
    const starts = connection.openedAt >= hiddenFrom ? [connection.openedAt, ...beats] : beats;
    let longestHiddenGapMs = 0;
    for (let i = 1; i <= starts.length; i++) {
      const gapEnd = i < starts.length ? starts[i] : closeTime;
      if (gapEnd > hiddenFrom) longestHiddenGapMs = Math.max(longestHiddenGapMs, gapEnd - starts[i - 1]);
    }
    if (starts.length && isThrottledGap(longestHiddenGapMs, cadenceMs)) {
      return {
        connection,
        lateHeartbeats: true,
        sentence:
          `while the tab was hidden${throttling}, the page's own traffic (every ${formatDuration(cadenceMs)} when visible) ` +
          `went ${formatDuration(longestHiddenGapMs)} without a message`,
      };
    }
  }
  if (lateTimers.length === 0) return undefined;
  const latestMs = Math.max(...lateTimers.map((event) => event.lateMs ?? 0));
  return {
    connection,
    lateHeartbeats: false,
    sentence: `${hiddenFrom !== undefined ? `while the tab was hidden${throttling}, ` : ''}the page's timers fired up to ${formatDuration(latestMs)} late`,
  };
}

function tabThrottledFinding(evidence: ThrottleEvidence[]): ThrottleFinding | undefined {
  if (evidence.length === 0) return undefined;
  const strong = evidence.some((item) => item.lateHeartbeats);
  return {
    kind: 'tab-throttled',
    title: 'The browser throttled the page, delaying its heartbeat',
    detail:
      `Before ${evidence.length} close(s), ${evidence[0].sentence}. Browsers throttle timers in hidden tabs ` +
      '(Chrome: to once a minute after 5 minutes hidden), so a heartbeat driven by the page arrives late and the server or a proxy gives up.',
    confidence: round2(Math.min(0.9, (strong ? 0.75 : 0.6) + 0.05 * (evidence.length - 1))),
    connections: evidence.map((item) => item.connection.id),
    strongEvidence: strong,
    fix:
      'Let the server send the heartbeat (the page only answers, which throttling does not delay much); ' +
      "make the server's heartbeat timeout longer than a throttled interval (timers in hidden tabs fire once a second, and once a minute after 5 minutes hidden in Chrome), so > 60 s; " +
      'reconnect and resync on visibilitychange when the tab comes back; or keep the heartbeat timer in a worker, whose timers are not throttled like the page\'s.',
  };
}

// ---- Server side: restarts, failed handshakes ----

/**
 * Many closes over a short span meet by chance. Treat the closes as a Poisson
 * process over the time the connections were open: the smallest cluster size
 * that chance would produce somewhere with probability < 5 %.
 */
function minClusterSizeBeyondChance(count: number, spanMs: number): number {
  if (count < 2) return 2;
  const othersInWindow = ((count - 1) * SIMULTANEOUS_CLOSE_MS) / Math.max(spanMs, SECOND_MS);
  let term = Math.exp(-othersInWindow); // P(j others in a window), from j = 0
  let tail = 1 - term; // P(≥ 1 other)
  for (let size = 2; size <= count; size++) {
    if (count * tail < 0.05) return size;
    term *= othersInWindow / (size - 1);
    tail -= term;
  }
  return count + 1;
}

function serverRestartFinding(closed: Connection[], offline: Set<Connection>): Finding | undefined {
  const announced = closed.filter((c) => c.close?.initiator === 'server' && (c.close.code === CLOSE_GOING_AWAY || c.close.code === CLOSE_SERVICE_RESTART));
  // Connections opened at different times dying in the same second: the server or its network, not a per-connection timer.
  const candidates = closed
    .filter((c) => c.close && c.close.initiator !== 'page' && c.close.initiator !== 'navigation' && c.openedAt !== undefined && !offline.has(c))
    .sort((a, b) => (closeTimeOf(a) ?? 0) - (closeTimeOf(b) ?? 0));
  const firstOpenedAt = Math.min(...candidates.map((c) => c.openedAt ?? 0));
  const lastCloseTime = candidates.length ? (closeTimeOf(candidates[candidates.length - 1]) ?? 0) : firstOpenedAt;
  const minClusterSize = minClusterSizeBeyondChance(candidates.length, lastCloseTime - firstOpenedAt);
  const simultaneous: Connection[] = [];
  let clusterCount = 0;
  for (let start = 0; start < candidates.length; ) {
    const startTime = closeTimeOf(candidates[start]) ?? 0;
    let end = start + 1;
    while (end < candidates.length && (closeTimeOf(candidates[end]) ?? 0) - startTime <= SIMULTANEOUS_CLOSE_MS) end++;
    const cluster = candidates.slice(start, end);
    const openTimes = cluster.map((c) => c.openedAt ?? 0);
    if (cluster.length >= minClusterSize && Math.max(...openTimes) - Math.min(...openTimes) > 2 * SECOND_MS) {
      simultaneous.push(...cluster);
      clusterCount++;
    }
    start = end;
  }
  if (announced.length === 0 && simultaneous.length === 0) return undefined;
  const ids = [...new Set([...announced, ...simultaneous].map((c) => c.id))];
  const reasons: string[] = [];
  if (announced.length) {
    const codes = [...new Set(announced.map((c) => `${c.close?.code} ${explainCloseCode(c.close?.code ?? 0).name}`))].join(', ');
    reasons.push(`the server closed ${announced.length} connection(s) with ${codes}`);
  }
  if (simultaneous.length) {
    reasons.push(`${simultaneous.length} connections opened at different times ended within ${formatDuration(SIMULTANEOUS_CLOSE_MS)} of each other`);
  }
  const confidence = announced.length ? 0.9 : clusterCount >= 2 || simultaneous.length >= 3 ? 0.75 : 0.55;
  return {
    kind: 'server-restart',
    title: announced.length ? 'The server restarted or went away' : 'Several connections dropped at the same moment',
    detail: `${reasons.join('; and ')}. That points to a server restart or deploy (or its network), not a per-connection timeout.`,
    confidence,
    connections: ids,
    fix:
      'Expected during deploys: reconnect with exponential backoff and jitter so clients do not all return at once, ' +
      'and drain connections gracefully (send 1012 Service Restart, then close) before stopping a server.',
  };
}

/** Today's wording, for failures whose handshake the browser did not show us. */
function handshakeFailedWithoutAnswer(chain: Chain, failed: Connection[], someOpened: boolean): Finding {
  return {
    kind: 'handshake-failed',
    title: `The WebSocket handshake to ${chain.key} failed${failed.length > 1 ? ` ${failed.length} times` : ''}`,
    detail:
      'The socket reported an error and closed (1006) without ever opening: the HTTP upgrade request was refused or never answered. ' +
      (someOpened
        ? 'Other connections to the same endpoint did open, so the path is right: the server was probably down, restarting or overloaded, or refused these requests (403).'
        : 'No connection to this endpoint ever opened.'),
    confidence: 0.9,
    connections: failed.map((c) => c.id),
    fix:
      "Look at the handshake request in the Network panel: 404 means a wrong path; 403 an origin or authentication check; through nginx, the location must forward the upgrade (proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";). Check that the server listens on that path and that https pages use wss:.",
  };
}

/** The browser's answer to a failed handshake, when webRequest showed it: a status, or a network error. */
function knownAnswer(connection: Connection): HandshakeInfo | undefined {
  const handshake = connection.handshake;
  return handshake && handshakeFailureCategory(handshake) !== 'unknown' ? handshake : undefined;
}

/**
 * Failed handshakes of a chain: one finding per kind of answer (403, 502,
 * connection refused…) when the browser showed the handshake, quoting the
 * status line and the intermediary that answered; today's wording otherwise.
 * Failures without a known answer beside known ones join the largest group.
 */
function handshakeFailedFindings(lookup: Lookup, chain: Chain): Finding[] {
  const failed = chain.connections.filter((c) => lookup.factsOf(c).handshake === 'failed');
  if (failed.length === 0) return [];
  const someOpened = chain.connections.some((c) => c.openedAt !== undefined);
  const groups = new Map<HandshakeFailureCategory, Connection[]>();
  const unknown: Connection[] = [];
  for (const connection of failed) {
    const answer = knownAnswer(connection);
    if (!answer) {
      unknown.push(connection);
      continue;
    }
    const category = handshakeFailureCategory(answer);
    groups.set(category, [...(groups.get(category) ?? []), connection]);
  }
  if (groups.size === 0) return [handshakeFailedWithoutAnswer(chain, failed, someOpened)];
  const largest = [...groups.values()].sort((a, b) => b.length - a.length)[0];
  const findings: Finding[] = [];
  for (const connections of groups.values()) {
    const first = connections[0];
    const answer = knownAnswer(first) as HandshakeInfo;
    const identified = identifiedAmong(connections);
    const explanation = explainHandshakeFailure(answer, {
      endpoint: chain.key,
      count: connections.length,
      identified,
      requestedProtocols: first.protocols,
    });
    const statuses = [...new Set(connections.map((c) => formatHandshakeStatus(knownAnswer(c) as HandshakeInfo)))];
    const others = statuses.length > 1 ? ` Answers seen: ${statuses.map((status) => `\`${status}\``).join(', ')}.` : '';
    const opened = someOpened ? ' Other connections to the same endpoint did open: the failure is intermittent.' : '';
    const withUnknown = connections === largest && unknown.length ? [...connections, ...unknown] : connections;
    const unknownSentence =
      withUnknown.length > connections.length
        ? ` ${unknown.length} other failed handshake(s) to this endpoint had no answer recorded.`
        : '';
    findings.push({
      kind: 'handshake-failed',
      title: explanation.title,
      detail: explanation.detail + others + opened + unknownSentence,
      confidence: 0.95,
      connections: withUnknown.map((c) => c.id),
      ...(identified.length ? { identified: identified.map((item) => ({ name: item.name, evidence: item.evidence })) } : {}),
      fix: explanation.fix,
    });
  }
  return findings;
}

// ---- Page behaviour: its own closes, its reconnect loop ----

function clientCloseFinding(lookup: Lookup, chain: Chain, events: PageEvent[]): Finding | undefined {
  const list = chain.connections;
  const watchdogCloses: CloseFacts[] = [];
  for (let i = 0; i < list.length - 1; i++) {
    const connection = list[i];
    const closeTime = closeTimeOf(connection);
    if (connection.close?.initiator !== 'page' || closeTime === undefined || connection.openedAt === undefined) continue;
    const reopened = list[i + 1].createdAt >= closeTime - SECOND_MS && list[i + 1].createdAt - closeTime <= RECONNECT_WITHIN_MS;
    if (reopened && !closedByNavigation(connection, events, closeTime)) watchdogCloses.push(closeFacts(lookup, connection));
  }
  if (watchdogCloses.length < 2) return undefined;
  const silenceFits = (['received', 'any'] as const)
    .map((basis) => ({ basis, fit: fitPeriod(watchdogCloses, (fact) => fact.silenceMs[basis]) }))
    .filter((item): item is { basis: 'received' | 'any'; fit: PeriodFit } => item.fit !== undefined)
    .sort((a, b) => a.fit.spreadMs - b.fit.spreadMs);
  const watchdog = silenceFits[0];
  // Closing with 1000 and reopening without a common silence is usually deliberate (re-auth, switching rooms).
  const unexplained = watchdogCloses.filter((fact) => fact.connection.close?.code !== CLOSE_NORMAL);
  if (!watchdog && unexplained.length < 3) return undefined;
  const first = watchdogCloses[0].connection.close;
  const requestedCode = first?.requestedCode ?? first?.code ?? CLOSE_NORMAL;
  const requestedReason = first?.requestedReason ?? first?.reason;
  const call = `close(${requestedCode}${requestedReason ? `, "${requestedReason}"` : ''})`;
  const count = watchdogCloses.length;
  const confidence = watchdog ? (watchdog.fit.consistent.length >= 3 ? 0.8 : 0.55) : 0.6;
  const watchdogSentence = watchdog
    ? ` Each time after ${formatDuration(watchdog.fit.periodMs)} without a message ${BASIS_PHRASE[watchdog.basis]}: a watchdog in the page's code.`
    : '';
  return {
    kind: 'client-close',
    title: watchdog
      ? `The page closes its own socket after ${formatDuration(watchdog.fit.periodMs)} of silence`
      : 'The page closes and reopens its own socket',
    detail:
      `The page itself called ${call} ${count} times on ${chain.key} and then reconnected.${watchdogSentence} ` +
      'This is not the network or a proxy.',
    confidence,
    connections: watchdogCloses.map((fact) => fact.connection.id),
    periodMs: watchdog?.fit.periodMs,
    basis: watchdog?.basis,
    fix: watchdog
      ? `Make the server send something (a heartbeat) more often than every ${formatDuration(watchdog.fit.periodMs / 2)}, ` +
        "or lengthen the page's watchdog; check that the tab was not throttled when it fired."
      : "Find the code that calls close() (search for the close code or reason) and check why it decides the connection is dead.",
  };
}

function reconnectStormFinding(chain: Chain): Finding | undefined {
  // Longest run of quick deaths each followed by a quick reconnect.
  let best: { delaysMs: number[]; connections: Connection[] } = { delaysMs: [], connections: [] };
  let run: typeof best = { delaysMs: [], connections: [] };
  const list = chain.connections;
  for (let i = 1; i < list.length; i++) {
    const previous = list[i - 1];
    const closeTime = closeTimeOf(previous);
    const delayMs = closeTime === undefined ? Infinity : list[i].createdAt - closeTime;
    const diesQuickly = closeTime !== undefined && closeTime - previous.createdAt <= STORM_MAX_LIFETIME_MS;
    const quick = (diesQuickly || delayMs <= STORM_NEAR_ZERO_DELAY_MS) && delayMs >= 0 && delayMs <= STORM_MAX_DELAY_MS;
    if (quick) {
      if (run.connections.length === 0) run.connections.push(previous);
      run.connections.push(list[i]);
      run.delaysMs.push(delayMs);
      if (run.delaysMs.length > best.delaysMs.length) best = run;
    } else {
      run = { delaysMs: [], connections: [] };
    }
  }
  const delaysMs = best.delaysMs;
  if (delaysMs.length < STORM_MIN_RECONNECTS) return undefined;
  const typicalDelayMs = median(delaysMs);
  const fixed = medianAbsoluteDeviation(delaysMs, typicalDelayMs) <= Math.max(200, typicalDelayMs * 0.25);
  const growing = delaysMs[delaysMs.length - 1] >= 2 * Math.max(delaysMs[0], 50);
  if (!fixed || growing) return undefined;
  const spanMs = (closeTimeOf(best.connections[best.connections.length - 1]) ?? best.connections[best.connections.length - 1].createdAt) - best.connections[0].createdAt;
  return {
    kind: 'reconnect-storm',
    title: `Reconnect storm: ${delaysMs.length} reconnects every ${formatDuration(typicalDelayMs)}`,
    detail:
      `${delaysMs.length} reconnects to ${chain.key} within ${formatDuration(spanMs)}, each ${formatDuration(typicalDelayMs)} after the previous socket died, ` +
      'with no growing delay (no exponential backoff).',
    confidence: delaysMs.length >= 6 ? 0.85 : 0.7,
    connections: best.connections.map((c) => c.id),
    periodMs: typicalDelayMs,
    fix: best.connections.every((c) => c.kind === 'eventsource')
      ? 'The browser reconnects an EventSource by itself, after the delay of the stream\'s last `retry:` field (pages cannot read it; a default of a few seconds without one), ' +
        'with no backoff: send a larger `retry:` when the server is overloaded, answer 204 to stop a client for good, or close() the stream in the page on error and reopen it with exponential backoff and jitter.'
      : 'Use exponential backoff with jitter (e.g. 1 s, 2 s, 4 s … capped at 30 s, ±50 % random) and reset it only after a connection stayed up for a while: ' +
        'a fixed short delay hammers a server that is down and brings every client back at the same instant after a restart.',
  };
}

// ---- Entry points ----

/**
 * Why the session's WebSockets dropped, most important first. Pure: the
 * session is not changed. `input` carries the facts already computed by
 * src/core/analysis.ts (analyzeSession); without it they are computed here.
 */
export function diagnose(session: Session, input?: DiagnosisInput): Finding[] {
  // A drop the extension simulated is never evidence of a real one: those are diagnosed apart (diagnoseSimulated).
  return diagnoseConnections(withoutSimulated(session), input);
}

/**
 * The same diagnosis over the drops a simulation caused, and only those (Reproduce and verify): what the
 * simulated policy reproduced. Shown apart from the findings, never merged with them.
 */
export function diagnoseSimulated(session: Session): Finding[] {
  return diagnoseConnections(onlySimulated(session));
}

function diagnoseConnections(session: Session, input?: DiagnosisInput): Finding[] {
  const lookup = lookupFor(input);
  const chains = reconnectChains(session);
  const events = [...session.pageEvents].sort((a, b) => a.time - b.time);
  const closed = session.connections.filter((c) => closeTimeOf(c) !== undefined && c.openedAt !== undefined);
  const findings: Finding[] = [];
  const add = (finding: Finding | undefined): void => {
    if (finding) findings.push(finding);
  };

  const offline = offlineCloses(session, closed.filter((c) => isAbnormalClose(lookup, c)));
  const offlineSet = new Set(offline);
  add(networkOfflineFinding(offline));

  const statsById = new Map<string, HeartbeatStats>();
  for (const verdict of timerVerdicts(lookup, chains, offlineSet)) {
    if (verdict.basis === undefined) {
      add(maxLifetimeFinding(verdict));
      continue;
    }
    const idle = idleTimeoutFinding({ ...verdict, basis: verdict.basis });
    add(idle);
    for (const fact of verdict.fit.consistent) statsById.set(fact.connection.id, lookup.factsOf(fact.connection).heartbeat);
    add(heartbeatTooSlowFinding(idle, statsById));
  }

  // Whoever closed (an application code from the server, 1006 from a proxy): only the page's own close() is excluded,
  // and a normal 1000 from the server needs the stronger evidence of the page's own traffic falling behind.
  const throttled: ThrottleEvidence[] = [];
  for (const chain of chains) {
    const cadenceMs = visibleCadenceMs(lookup, chain, events);
    for (const connection of chain.connections) {
      if (!connection.close || connection.close.initiator === 'page' || connection.close.initiator === 'navigation' || offlineSet.has(connection) || !closed.includes(connection)) continue;
      const evidence = throttleEvidence(lookup, connection, events, cadenceMs);
      if (evidence && (evidence.lateHeartbeats || !isDeliberateClose(lookup, connection, events))) throttled.push(evidence);
    }
  }
  const throttledFinding = tabThrottledFinding(throttled);
  if (throttledFinding) {
    const { strongEvidence, ...finding } = throttledFinding;
    add(finding);
    if (strongEvidence) demoteTimersOfThrottledTab(findings, finding);
  }

  add(serverRestartFinding(closed, offlineSet));
  for (const chain of chains) {
    handshakeFailedFindings(lookup, chain).forEach(add);
    add(reconnectStormFinding(chain));
    add(clientCloseFinding(lookup, chain, events));
  }
  demoteExplainedStorms(findings);
  return findings.sort(
    (a, b) => Number(a.secondary ?? false) - Number(b.secondary ?? false) || b.confidence - a.confidence || KIND_RANK[a.kind] - KIND_RANK[b.kind],
  );
}

/** Share of a finding's connections another finding must explain to make it secondary. */
function explainedBy(finding: Finding, cause: Finding, share: number): boolean {
  const ids = new Set(cause.connections);
  return finding.connections.filter((id) => ids.has(id)).length >= finding.connections.length * share;
}

function makeSecondary(finding: Finding, sentence: string): void {
  finding.secondary = true;
  finding.confidence = Math.min(finding.confidence, SECONDARY_MAX_CONFIDENCE);
  finding.title = `Secondary: ${finding.title.charAt(0).toLowerCase()}${finding.title.slice(1)}`;
  finding.detail += ` ${sentence}`;
}

/**
 * A server or proxy timer that fires because a hidden tab's heartbeat fell
 * behind is the mechanism, not the cause: the same connections were fine
 * while the tab was visible. The timer's finding stays (it says the timeout),
 * ranked below the throttling.
 */
function demoteTimersOfThrottledTab(findings: Finding[], throttled: Finding): void {
  for (const finding of findings) {
    if (!THROTTLE_MECHANISMS.has(finding.kind) || !explainedBy(finding, throttled, STORM_EXPLAINED_SHARE)) continue;
    makeSecondary(finding, "These closes came while the tab was hidden and the page's own heartbeat fell behind: the timer is how the other side reacts to the throttled page.");
  }
}

/** A reconnect storm whose connections all die of a cause already found is a remark on that cause, not a second cause. */
function demoteExplainedStorms(findings: Finding[]): void {
  for (const storm of findings) {
    if (storm.kind !== 'reconnect-storm') continue;
    const died = storm.connections.slice(0, -1); // the last of the run may still be alive
    const coveredBy = findings.find(
      (finding) => ROOT_CAUSES.has(finding.kind) && !finding.secondary && explainedBy({ ...storm, connections: died }, finding, STORM_EXPLAINED_SHARE),
    );
    if (coveredBy) makeSecondary(storm, `These connections die of another cause found here (${coveredBy.title.toLowerCase()}); the fixed delay only makes it worse.`);
  }
}

/** One plain sentence on how a connection ended: initiator, code name and meaning. */
export function explainClose(connection: Connection): string {
  const close = connection.close;
  const handshake = handshakeOutcome(connection);
  if (handshake === 'abandoned') {
    return close?.initiator === 'navigation'
      ? 'The page went away (reload, navigation or tab closed) before the handshake finished.'
      : 'The page closed the socket before the handshake finished.';
  }
  if (handshake === 'failed') {
    const answer = knownAnswer(connection);
    if (answer) return `The handshake failed with \`${formatHandshakeStatus(answer)}\`: ${HANDSHAKE_FAILURE_SUMMARY[handshakeFailureCategory(answer)]}.`;
    return 'The handshake failed: the socket reported an error and closed without ever opening (refused upgrade, wrong path, unreachable server or a proxy not forwarding the upgrade).';
  }
  const end = endedAt(connection);
  if (!close) return end === undefined ? 'The connection is still open.' : 'The connection closed; no close details were recorded.';
  const { name, meaning } = explainCloseCode(close.code, close.reason);
  const age = connection.openedAt !== undefined && end !== undefined ? ` after ${formatDuration(end - connection.openedAt)}` : '';
  switch (close.initiator) {
    case 'page': {
      const requested = close.requestedCode ?? close.code;
      return `The page closed its own socket${age} by calling close(${requested}): ${close.code} ${name}, ${meaning}.`;
    }
    case 'server':
      return `The server closed the connection${age} with ${close.code} ${name}: ${meaning}.`;
    case 'abnormal':
      return `The connection ended${age} without a close frame (${close.code} ${name}): ${meaning}.`;
    case 'navigation':
      return `The page went away${age} (reload, navigation or tab closed) and the browser ended the socket itself (it sends 1001 Going Away): nothing went wrong with the connection.`;
  }
}
