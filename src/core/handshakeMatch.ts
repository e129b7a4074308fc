// Pairs the handshakes the background sees through webRequest with the
// connections the page's hook recorded. Pure: observations and connections
// in, pairs out. The background accumulates one observation per webRequest
// requestId (onBeforeRequest … onHeadersReceived / onCompleted /
// onErrorOccurred) with mergeObservation, then asks resolveHandshakes.
//
// Rules: same tab (the session's), same URL once normalised (Chrome reports
// ws:// and wss:// for websocket requests, Firefox may report http(s)://),
// same frame when both know it, the request starting within a window after
// `new WebSocket()` ran, each observation and each connection used once, and
// order kept (a page's sockets to one URL start their requests in the order
// they were created). The two clocks differ: the hook's times are the page's
// performance.timeOrigin + now(), webRequest's timeStamp is the browser's;
// both are epoch ms, allowed to disagree by skewMs.

import { sanitizeHeaders, type RawHeader } from './headers';
import type { Connection, HandshakeEvidence, HandshakeInfo } from './model';

/** One WebSocket request as webRequest reported it, its events merged. */
export interface HandshakeObservation {
  requestId: string;
  url: string;
  tabId: number;
  /** webRequest's frameId (0 = top frame); the relay stamps the same numbering on connections. */
  frameId?: number;
  /** When the request started (onBeforeRequest's timeStamp, epoch ms). */
  timeStamp: number;
  /** When the response headers arrived (onHeadersReceived / onResponseStarted / onCompleted). */
  respondedAt?: number;
  statusCode?: number;
  /** e.g. 'HTTP/1.1 101 Switching Protocols'. */
  statusLine?: string;
  requestHeaders?: RawHeader[];
  responseHeaders?: RawHeader[];
  ip?: string;
  /** onErrorOccurred's error, e.g. 'net::ERR_CONNECTION_REFUSED' (Chrome), 'NS_ERROR_CONNECTION_REFUSED' (Firefox). */
  error?: string;
  /** When onErrorOccurred fired. */
  failedAt?: number;
}

/** What the matcher needs of a connection (a model Connection fits). */
export type MatchableConnection = Pick<Connection, 'id' | 'url' | 'createdAt' | 'frameId' | 'openedAt' | 'errorAt'>;

export interface MatchOptions {
  /** The request starts at most this long after createdAt (before the clock skew). Default 2000. */
  windowMs?: number;
  /** Allowed disagreement between the page's and the browser's clocks. Default 1000. */
  skewMs?: number;
  /**
   * The browser's clock minus the page's (Date.now() − (performance.timeOrigin + performance.now()),
   * measured in the page), when known: added to the connections' times before comparing. After a
   * system sleep the page's monotonic clock can lag the wall clock by minutes, beyond any skew allowance.
   */
  clockOffsetMs?: number;
}

export interface HandshakeMatch {
  connectionId: string;
  observation: HandshakeObservation;
}

export interface MatchResult {
  matches: HandshakeMatch[];
  /** Connections no observation fits (in the session's order). */
  unmatchedConnections: string[];
  /** Observations of this tab no connection fits (another frame the hook could not reach, or a socket in a worker). */
  unmatchedObservations: HandshakeObservation[];
}

export const DEFAULT_MATCH_WINDOW_MS = 2000;
export const DEFAULT_CLOCK_SKEW_MS = 1000;
/** Larger clusters are aligned greedily (in order) instead of optimally: the table costs 12 bytes a cell. */
const MAX_ALIGNMENT_CELLS = 250_000;

const SCHEME_FOR_WEBSOCKET: Readonly<Record<string, string>> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * The URL in one spelling: ws/wss scheme (http→ws, https→wss), lower-case
 * host, no default port, no fragment. Unparsable URLs are returned as is.
 */
export function normalizeWebSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const scheme = SCHEME_FOR_WEBSOCKET[parsed.protocol];
  if (!scheme) return url;
  const defaultPort = scheme === 'ws:' ? '80' : '443';
  const port = parsed.port && parsed.port !== defaultPort ? `:${parsed.port}` : '';
  const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  return `${scheme}//${auth}${parsed.hostname.toLowerCase()}${port}${parsed.pathname}${parsed.search}`;
}

/** The handshake's response times say nothing against this pairing. */
function compatible(observation: HandshakeObservation, connection: MatchableConnection, windowMs: number, skewMs: number): boolean {
  const delta = observation.timeStamp - connection.createdAt;
  if (delta < -skewMs || delta > windowMs + skewMs) return false;
  if (observation.frameId !== undefined && connection.frameId !== undefined && observation.frameId !== connection.frameId) return false;
  if (connection.openedAt !== undefined) {
    // An opened socket had its 101 before the open event.
    if (observation.statusCode !== undefined && !isUpgradeStatus(observation.statusCode, httpVersionOf(observation.statusLine))) return false;
    if (observation.error !== undefined && observation.statusCode === undefined) return false;
    if (observation.respondedAt !== undefined && observation.respondedAt > connection.openedAt + skewMs) return false;
  }
  return true;
}

/**
 * Order-preserving alignment of one group (same URL, tab): the most pairs,
 * then the smallest total distance between request start and creation.
 */
function alignGroup(
  observations: HandshakeObservation[],
  connections: MatchableConnection[],
  windowMs: number,
  skewMs: number,
): Array<[HandshakeObservation, MatchableConnection]> {
  const n = observations.length;
  const m = connections.length;
  if (n === 0 || m === 0) return [];
  if (n * m > MAX_ALIGNMENT_CELLS) return greedyGroup(observations, connections, windowMs, skewMs);
  const width = m + 1;
  const pairs = new Int32Array((n + 1) * width);
  const cost = new Float64Array((n + 1) * width);
  const better = (p: number, c: number, index: number): boolean => p > pairs[index] || (p === pairs[index] && c < cost[index]);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const here = i * width + j;
      const up = (i - 1) * width + j;
      const left = i * width + j - 1;
      pairs[here] = pairs[up];
      cost[here] = cost[up];
      if (better(pairs[left], cost[left], here)) {
        pairs[here] = pairs[left];
        cost[here] = cost[left];
      }
      const observation = observations[i - 1];
      const connection = connections[j - 1];
      if (compatible(observation, connection, windowMs, skewMs)) {
        const diagonal = (i - 1) * width + j - 1;
        const p = pairs[diagonal] + 1;
        const c = cost[diagonal] + Math.abs(observation.timeStamp - connection.createdAt);
        if (better(p, c, here)) {
          pairs[here] = p;
          cost[here] = c;
        }
      }
    }
  }
  const result: Array<[HandshakeObservation, MatchableConnection]> = [];
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const here = i * width + j;
    const up = (i - 1) * width + j;
    const left = i * width + j - 1;
    if (pairs[here] === pairs[up] && cost[here] === cost[up]) i--;
    else if (pairs[here] === pairs[left] && cost[here] === cost[left]) j--;
    else {
      result.push([observations[i - 1], connections[j - 1]]);
      i--;
      j--;
    }
  }
  return result.reverse();
}

/**
 * Splits a group at time gaps no pair can cross (longer than the window plus
 * the skew) and aligns each cluster on its own: a long session's group stays
 * many small tables instead of one large one.
 */
function alignClusters(
  observations: HandshakeObservation[],
  connections: MatchableConnection[],
  windowMs: number,
  skewMs: number,
): Array<[HandshakeObservation, MatchableConnection]> {
  const reach = windowMs + skewMs;
  const result: Array<[HandshakeObservation, MatchableConnection]> = [];
  let i = 0;
  let j = 0;
  while (i < observations.length && j < connections.length) {
    const startI = i;
    const startJ = j;
    let last = -Infinity;
    // Take items in time order while each is within reach of the latest one taken.
    for (;;) {
      const nextObservation = i < observations.length ? observations[i].timeStamp : Infinity;
      const nextConnection = j < connections.length ? connections[j].createdAt : Infinity;
      const next = Math.min(nextObservation, nextConnection);
      if (next === Infinity || (last !== -Infinity && next - last > reach)) break;
      last = next;
      if (nextObservation <= nextConnection) i++;
      else j++;
    }
    result.push(...alignGroup(observations.slice(startI, i), connections.slice(startJ, j), windowMs, skewMs));
  }
  return result;
}

/**
 * For clusters too large for the table: in order, each observation takes the
 * unused compatible connection (not before the last one taken) whose distance
 * is closest to the typical distance so far (the median of the last pairs),
 * so a socket whose request was not seen does not shift all the others.
 */
function greedyGroup(
  observations: HandshakeObservation[],
  connections: MatchableConnection[],
  windowMs: number,
  skewMs: number,
): Array<[HandshakeObservation, MatchableConnection]> {
  const result: Array<[HandshakeObservation, MatchableConnection]> = [];
  const recent: number[] = [];
  let next = 0;
  for (const observation of observations) {
    while (next < connections.length && connections[next].createdAt + windowMs + skewMs < observation.timeStamp) next++;
    const typical = recent.length ? [...recent].sort((a, b) => a - b)[recent.length >> 1] : 0;
    let best = -1;
    for (let j = next; j < connections.length && connections[j].createdAt - skewMs <= observation.timeStamp; j++) {
      if (!compatible(observation, connections[j], windowMs, skewMs)) continue;
      const distance = Math.abs(observation.timeStamp - connections[j].createdAt - typical);
      if (best < 0 || distance < Math.abs(observation.timeStamp - connections[best].createdAt - typical)) best = j;
    }
    if (best < 0) continue;
    result.push([observation, connections[best]]);
    recent.push(observation.timeStamp - connections[best].createdAt);
    if (recent.length > 15) recent.shift();
    next = best + 1;
  }
  return result;
}

/**
 * Pairs this tab's observations with the session's connections. Pure; the
 * connections' order in the input breaks ties between equal createdAt.
 */
export function matchHandshakes(
  tabId: number,
  connections: readonly MatchableConnection[],
  observations: readonly HandshakeObservation[],
  options: MatchOptions = {},
): MatchResult {
  const windowMs = options.windowMs ?? DEFAULT_MATCH_WINDOW_MS;
  const skewMs = options.skewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const offsetMs = options.clockOffsetMs ?? 0;
  const shift = (time: number | undefined): number | undefined => (time === undefined ? undefined : time + offsetMs);
  const shifted = offsetMs
    ? connections.map((connection) => ({
        ...connection,
        createdAt: connection.createdAt + offsetMs,
        openedAt: shift(connection.openedAt),
        errorAt: shift(connection.errorAt),
      }))
    : connections;
  // Order holds within one document: group by URL and frame (connections whose frame is unknown form their own group).
  const groups = new Map<string, { observations: HandshakeObservation[]; connections: MatchableConnection[] }>();
  const keyOf = (url: string, frameId: number | undefined): string => `${frameId ?? '*'} ${normalizeWebSocketUrl(url)}`;
  const groupOf = (key: string) => {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { observations: [], connections: [] }));
    return group;
  };
  shifted.forEach((connection) => groupOf(keyOf(connection.url, connection.frameId)).connections.push(connection));
  const ofTab = observations.filter((observation) => observation.tabId === tabId);
  for (const observation of ofTab) {
    const framed = keyOf(observation.url, observation.frameId);
    groupOf(groups.has(framed) ? framed : keyOf(observation.url, undefined)).observations.push(observation);
  }

  const matches: HandshakeMatch[] = [];
  const matchedConnections = new Set<string>();
  const matchedObservations = new Set<HandshakeObservation>();
  for (const group of groups.values()) {
    const sortedObservations = [...group.observations].sort((a, b) => a.timeStamp - b.timeStamp);
    const sortedConnections = [...group.connections].sort((a, b) => a.createdAt - b.createdAt);
    for (const [observation, connection] of alignClusters(sortedObservations, sortedConnections, windowMs, skewMs)) {
      matches.push({ connectionId: connection.id, observation });
      matchedConnections.add(connection.id);
      matchedObservations.add(observation);
    }
  }
  matches.sort((a, b) => a.observation.timeStamp - b.observation.timeStamp);
  return {
    matches,
    unmatchedConnections: connections.filter((connection) => !matchedConnections.has(connection.id)).map((connection) => connection.id),
    unmatchedObservations: ofTab.filter((observation) => !matchedObservations.has(observation)),
  };
}

/** 'HTTP/2 200' → 'HTTP/2'. */
export function httpVersionOf(statusLine: string | undefined): string | undefined {
  const match = statusLine?.match(/^(HTTP\/[\d.]+)\s/i);
  return match ? match[1].toUpperCase() : undefined;
}

/** A successful opening handshake: 101, or 200 to an extended CONNECT over HTTP/2 or HTTP/3 (RFC 8441, RFC 9220). */
export function isUpgradeStatus(status: number | undefined, httpVersion: string | undefined): boolean {
  return status === 101 || (status === 200 && httpVersion !== undefined && /^HTTP\/[23]/.test(httpVersion));
}

/** 'HTTP/1.1 502 Bad Gateway' → 'Bad Gateway'; Firefox's and HTTP/2's status lines may have no reason phrase. */
export function statusTextOf(statusLine: string | undefined): string | undefined {
  const match = statusLine?.match(/^\S+\s+\d{3}\s+(.+)$/);
  return match ? match[1].trim() : undefined;
}

/** The model's HandshakeInfo of an observation, its headers sanitised. */
export function handshakeFromObservation(observation: HandshakeObservation): HandshakeInfo {
  const handshake: HandshakeInfo = {
    status: observation.statusCode ?? 0,
    requestHeaders: sanitizeHeaders(observation.requestHeaders),
    responseHeaders: sanitizeHeaders(observation.responseHeaders),
    startedAt: observation.timeStamp,
  };
  const statusText = statusTextOf(observation.statusLine);
  if (statusText !== undefined) handshake.statusText = statusText;
  const httpVersion = httpVersionOf(observation.statusLine);
  if (httpVersion !== undefined) handshake.httpVersion = httpVersion;
  if (observation.ip) handshake.remoteIp = observation.ip;
  if (observation.respondedAt !== undefined) handshake.respondedAt = observation.respondedAt;
  if (observation.error) handshake.error = observation.error;
  return handshake;
}

export interface HandshakeResolution {
  evidence: HandshakeEvidence;
  handshake?: HandshakeInfo;
  /** The webRequest requestId of the matched observation. */
  requestId?: string;
}

export interface ResolveOptions extends MatchOptions {
  /** False when the browser has no webRequest API or the extension lacks the permission. */
  available: boolean;
  /** Now (epoch ms): a connection younger than the window may still get its observation. */
  now: number;
}

/**
 * What each connection's handshake evidence is, by id: matched (with the
 * sanitised HandshakeInfo), unmatched (no observation fits, and one would
 * have come by now), or unavailable. Connections still inside the window
 * with no observation yet are left out (ask again later).
 */
export function resolveHandshakes(
  tabId: number,
  connections: readonly MatchableConnection[],
  observations: readonly HandshakeObservation[],
  options: ResolveOptions,
): Map<string, HandshakeResolution> {
  const resolutions = new Map<string, HandshakeResolution>();
  if (!options.available) {
    for (const connection of connections) resolutions.set(connection.id, { evidence: 'unavailable' });
    return resolutions;
  }
  const result = matchHandshakes(tabId, connections, observations, options);
  for (const match of result.matches) {
    resolutions.set(match.connectionId, {
      evidence: 'matched',
      handshake: handshakeFromObservation(match.observation),
      requestId: match.observation.requestId,
    });
  }
  const settledBefore = options.now - (options.windowMs ?? DEFAULT_MATCH_WINDOW_MS) - (options.skewMs ?? DEFAULT_CLOCK_SKEW_MS);
  for (const connection of connections) {
    if (resolutions.has(connection.id)) continue;
    // By time only: the page's open event may reach the background before webRequest's last event does.
    if (connection.createdAt + (options.clockOffsetMs ?? 0) < settledBefore) resolutions.set(connection.id, { evidence: 'unmatched' });
  }
  return resolutions;
}

/** One webRequest event's details (the fields used here), from any of the listeners. */
export interface WebRequestDetails {
  requestId: string;
  url: string;
  tabId: number;
  frameId?: number;
  timeStamp: number;
  statusCode?: number;
  statusLine?: string;
  requestHeaders?: RawHeader[];
  responseHeaders?: RawHeader[];
  ip?: string;
  error?: string;
}

/**
 * Folds one webRequest event into the observation of its request: the first
 * event's time is the start; response fields come from whichever event has
 * them (onHeadersReceived, onResponseStarted, onCompleted); an error keeps
 * its time. Headers are sanitised here already, so no credential is held.
 */
export function mergeObservation(previous: HandshakeObservation | undefined, details: WebRequestDetails): HandshakeObservation {
  const observation: HandshakeObservation = previous
    ? { ...previous }
    : { requestId: details.requestId, url: details.url, tabId: details.tabId, frameId: details.frameId, timeStamp: details.timeStamp };
  if (details.requestHeaders) observation.requestHeaders = sanitizeHeaders(details.requestHeaders);
  if (details.responseHeaders) observation.responseHeaders = sanitizeHeaders(details.responseHeaders);
  if (details.statusCode !== undefined && details.statusCode !== 0) {
    observation.statusCode = details.statusCode;
    observation.respondedAt ??= details.timeStamp;
  }
  if (details.statusLine) observation.statusLine = details.statusLine;
  if (details.ip) observation.ip = details.ip;
  if (details.error) {
    observation.error = details.error;
    observation.failedAt = details.timeStamp;
  }
  return observation;
}
