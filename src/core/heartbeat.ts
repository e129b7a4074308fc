// Heartbeat recognition: which messages are application-level pings and pongs
// (browsers never show protocol-level ping/pong frames to pages), by known
// protocol first (shared/reference/heartbeats.md), then by repetition and
// regularity. Runs over millions of messages: cheap character checks first,
// JSON.parse only on small messages that mention a heartbeat word.

import type { Connection, Direction, HeartbeatRole, Message, Opcode, Session } from './model';
import { isObject, type JsonObject } from './json';

export interface HeartbeatStats {
  protocol?: string;
  /** Median gap between consecutive heartbeats of the busiest direction. */
  intervalMs?: number;
  /** Median absolute deviation of those gaps. */
  jitterMs?: number;
  /** Who sends the pings. */
  direction?: Direction | 'both';
  /** Median delay from a ping to the pong that answers it. */
  replyLatencyMs?: number;
  /** Announced by the handshake (Engine.IO pingInterval, STOMP heart-beat, Discord heartbeat_interval, MQTT keepalive, Pusher activity_timeout). */
  declaredIntervalMs?: number;
  /** Announced by the handshake (Engine.IO pingTimeout, MQTT 1.5 × keepalive). */
  declaredTimeoutMs?: number;
}

/** Per-message roles, indexed like connection.messages. */
export const ROLE_NONE = 0;
export const ROLE_PING = 1;
export const ROLE_PONG = 2;
export type RoleCode = typeof ROLE_NONE | typeof ROLE_PING | typeof ROLE_PONG;

export interface HeartbeatScan {
  roles: Uint8Array;
  protocol?: string;
  declaredIntervalMs?: number;
  declaredTimeoutMs?: number;
}

/** Messages longer than this are data, never heartbeats or handshakes worth parsing. */
const MAX_PARSED_LENGTH = 1024;
/** Only JSON mentioning one of these can be a heartbeat or a handshake we read. */
const HEARTBEAT_WORDS = /ping|pong|heartbeat|"ka"|"op"|phx_reply|activity_timeout/i;
/** SockJS raw transport: /<prefix>/<3-digit server id>/<session id>/websocket. */
const SOCKJS_URL = /\/\d{3}\/[^/?#]+\/websocket\/?(?:[?#]|$)/;
const STOMP_HEART_BEAT = /\nheart-beat:(\d+),(\d+)/;

/** Mutable state of one pass over a connection. */
interface ScanState {
  engineIo: boolean;
  sockJs: boolean;
  graphqlWs: boolean;
  stompClient?: [number, number];
  stompServer?: [number, number];
  declaredIntervalMs?: number;
  declaredTimeoutMs?: number;
  /** Heartbeats found per protocol name: the most frequent names the connection. */
  protocolCounts: Map<string, number>;
  /** Set by classify for the message just classified. */
  protocol: string;
  /** Named by a handshake, for connections that closed before their first heartbeat. */
  handshakeProtocol?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function found(state: ScanState, protocol: string, role: RoleCode): RoleCode {
  state.protocol = protocol;
  return role;
}

function pingOrPong(word: unknown): RoleCode {
  if (typeof word !== 'string') return ROLE_NONE;
  const lower = word.toLowerCase();
  return lower === 'ping' ? ROLE_PING : lower === 'pong' ? ROLE_PONG : ROLE_NONE;
}

function classifyJsonObject(value: JsonObject, direction: Direction, state: ScanState): RoleCode {
  const { type, event, op, action, topic } = value;
  if (typeof op === 'number') {
    // Discord gateway: op 1 heartbeat, op 11 ack, op 10 hello announces the interval.
    if (op === 1) return found(state, 'Discord gateway', ROLE_PING);
    if (op === 11) return found(state, 'Discord gateway', ROLE_PONG);
    const hello = value.d;
    if (op === 10 && isObject(hello) && typeof hello.heartbeat_interval === 'number') {
      state.declaredIntervalMs = hello.heartbeat_interval;
      state.handshakeProtocol = 'Discord gateway';
    }
    return ROLE_NONE;
  }
  if (topic === 'phoenix') {
    if (event === 'heartbeat') return found(state, 'Phoenix Channels', ROLE_PING);
    if (event === 'phx_reply') return found(state, 'Phoenix Channels', ROLE_PONG);
    return ROLE_NONE;
  }
  if (event === 'pusher:ping') return found(state, 'Pusher', ROLE_PING);
  if (event === 'pusher:pong') return found(state, 'Pusher', ROLE_PONG);
  if (event === 'pusher:connection_established' && typeof value.data === 'string') {
    // Pusher clients ping after activity_timeout seconds without traffic.
    const data = parseJson(value.data);
    if (isObject(data) && typeof data.activity_timeout === 'number') {
      state.declaredIntervalMs = data.activity_timeout * 1000;
      state.handshakeProtocol = 'Pusher';
    }
    return ROLE_NONE;
  }
  if (type === 'ka') return found(state, 'subscriptions-transport-ws', ROLE_PONG);
  const typeRole = pingOrPong(type);
  if (typeRole !== ROLE_NONE) {
    if (typeRole === ROLE_PING && 'message' in value && direction === 'receive') return found(state, 'Action Cable', ROLE_PING);
    if (state.graphqlWs) return found(state, 'graphql-ws', typeRole);
    if ('reply_to' in value || 'id' in value) return found(state, 'Slack RTM', typeRole);
    return found(state, 'JSON ping/pong', typeRole);
  }
  const otherRole = pingOrPong(event) || pingOrPong(op) || pingOrPong(action);
  return otherRole === ROLE_NONE ? ROLE_NONE : found(state, 'JSON ping/pong', otherRole);
}

function readEngineIoHandshake(json: string, state: ScanState): void {
  const handshake = parseJson(json);
  if (!isObject(handshake)) return;
  state.handshakeProtocol = 'Engine.IO';
  if (typeof handshake.pingInterval === 'number') state.declaredIntervalMs = handshake.pingInterval;
  if (typeof handshake.pingTimeout === 'number') state.declaredTimeoutMs = handshake.pingTimeout;
}

/** STOMP: each side sends every max(what it offers, what the other wants), 0 = off. */
function readStompFrame(frame: string, direction: Direction, state: ScanState): void {
  const header = STOMP_HEART_BEAT.exec(frame);
  if (!header) return;
  state.handshakeProtocol = 'STOMP';
  const values: [number, number] = [Number(header[1]), Number(header[2])];
  if (direction === 'send') state.stompClient = values;
  else state.stompServer = values;
  if (!state.stompClient || !state.stompServer) return;
  const [clientOffersMs, clientWantsMs] = state.stompClient;
  const [serverOffersMs, serverWantsMs] = state.stompServer;
  const clientToServerMs = clientOffersMs && serverWantsMs ? Math.max(clientOffersMs, serverWantsMs) : 0;
  const serverToClientMs = serverOffersMs && clientWantsMs ? Math.max(serverOffersMs, clientWantsMs) : 0;
  const active = [clientToServerMs, serverToClientMs].filter((ms) => ms > 0);
  if (active.length) state.declaredIntervalMs = Math.min(...active);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeBase64Prefix(base64: string, maxBytes: number): number[] {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < base64.length && bytes.length < maxBytes; i++) {
    const sextet = BASE64_ALPHABET.indexOf(base64[i]);
    if (sextet < 0) break;
    buffer = (buffer << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

/** MQTT CONNECT carries the keepalive; brokers drop the client after 1.5 × keepalive of silence. */
function readMqttConnect(base64: string, state: ScanState): void {
  const bytes = decodeBase64Prefix(base64, 24);
  let offset = 1;
  while (offset < bytes.length && bytes[offset] & 0x80) offset++; // remaining length is a varint
  offset++;
  const nameLength = (bytes[offset] << 8) | bytes[offset + 1];
  const keepaliveOffset = offset + 2 + nameLength + 2; // name, protocol level, connect flags
  if (keepaliveOffset + 1 >= bytes.length) return;
  const keepaliveS = (bytes[keepaliveOffset] << 8) | bytes[keepaliveOffset + 1];
  state.handshakeProtocol = 'MQTT';
  if (keepaliveS === 0) return;
  state.declaredIntervalMs = keepaliveS * 1000;
  state.declaredTimeoutMs = keepaliveS * 1500;
}

function classifyBinary(preview: string, direction: Direction, state: ScanState): RoleCode {
  if (preview === 'wAA=') return found(state, 'MQTT', ROLE_PING);
  if (preview === '0AA=') return found(state, 'MQTT', ROLE_PONG);
  // 0x10 (CONNECT) encodes as a leading 'E'.
  if (direction === 'send' && preview.charCodeAt(0) === 69 /* E */) readMqttConnect(preview, state);
  return ROLE_NONE;
}

// A new form read here, longer than PATTERN_MAX_LENGTH, must be known to previewMayBeRecognised too.
function classifyText(text: string, direction: Direction, state: ScanState, insideSockJs: boolean): RoleCode {
  const length = text.length;
  if (length === 0 || length > MAX_PARSED_LENGTH) return ROLE_NONE;
  const first = text.charCodeAt(0);
  switch (first) {
    case 10: // '\n'
    case 13: // '\r'
      return text === '\n' || text === '\r\n' ? found(state, 'STOMP', ROLE_PING) : ROLE_NONE;
    case 50: // '2'
    case 51: // '3'
      if (text === '2probe') return found(state, 'Engine.IO', ROLE_PING);
      if (text === '3probe') return found(state, 'Engine.IO', ROLE_PONG);
      // A bare digit is a heartbeat only where Engine.IO is known to be spoken.
      if (length === 1 && state.engineIo) return found(state, 'Engine.IO', first === 50 ? ROLE_PING : ROLE_PONG);
      return ROLE_NONE;
    case 48: // '0': Engine.IO open packet
      if (direction === 'receive' && text.charCodeAt(1) === 123 /* { */ && text.includes('pingInterval')) {
        state.engineIo = true;
        readEngineIoHandshake(text.slice(1), state);
      }
      return ROLE_NONE;
    case 104: // 'h'
      if (length === 1 && direction === 'receive') return found(state, 'SockJS', ROLE_PING);
      break;
    case 111: // 'o'
      if (length === 1 && direction === 'receive') state.sockJs = true;
      return ROLE_NONE;
    case 97: // 'a': SockJS message frame a["..."]
      if (direction === 'receive' && text.charCodeAt(1) === 91 /* [ */ && !insideSockJs) {
        return classifySockJsFrame(text.slice(1), direction, state);
      }
      break;
    case 91: // '['
      if (state.sockJs && direction === 'send' && !insideSockJs) return classifySockJsFrame(text, direction, state);
      return classifyPhoenixV2(text, state);
    case 123: // '{'
      if (length === 2 && text === '{}') return found(state, 'Centrifugo', direction === 'receive' ? ROLE_PING : ROLE_PONG);
      if (text === '{"type":6}\u001e') return found(state, 'SignalR', ROLE_PING);
      if (!HEARTBEAT_WORDS.test(text)) return ROLE_NONE;
      {
        const value = parseJson(text);
        return isObject(value) ? classifyJsonObject(value, direction, state) : ROLE_NONE;
      }
    case 67: // 'C': STOMP CONNECT / CONNECTED
    case 83: // 'S': STOMP 1.2 may open with STOMP
      if (text.startsWith('CONNECT') || text.startsWith('STOMP\n')) readStompFrame(text, direction, state);
      return ROLE_NONE;
  }
  if (length <= 9) {
    const word = text.trim().toLowerCase();
    if (word === 'ping' || word === 'heartbeat') return found(state, 'plain text', ROLE_PING);
    if (word === 'pong') return found(state, 'plain text', ROLE_PONG);
  }
  return ROLE_NONE;
}

/**
 * Whether recognition could read anything in this preview. False only for a preview every scan passes over
 * whatever it has seen before: too long to be a repeating pattern (patternHash), and of no form classifyText
 * or classifyBinary acts on at that length. An empty preview is passed over the same way, so a reader that
 * keeps only these previews (the CLI: HarImportOptions.keepPreview) gets the same heartbeats, protocol and
 * declared intervals. Keep in step with classifyText and classifyBinary (test/unit/heartbeatPreview.test.ts).
 */
export function previewMayBeRecognised(opcode: Opcode, preview: string): boolean {
  const length = preview.length;
  if (length <= PATTERN_MAX_LENGTH) return true;
  // A binary message is only ever read for an MQTT CONNECT (its keepalive); base64 of 0x10 starts with 'E'.
  if (opcode === 2) return preview.charCodeAt(0) === 69;
  if (length > MAX_PARSED_LENGTH) return false;
  switch (preview.charCodeAt(0)) {
    case 48: // '0{…pingInterval…': the Engine.IO open packet
      return preview.charCodeAt(1) === 123 && preview.includes('pingInterval');
    case 97: // 'a[': a SockJS message frame
      return preview.charCodeAt(1) === 91;
    case 91: // '[': a SockJS frame sent by the page, or Phoenix v2
      return true;
    case 123: // '{': JSON is parsed only when it mentions a heartbeat word
      return HEARTBEAT_WORDS.test(preview);
    case 67: // 'C', 'S': STOMP CONNECT / CONNECTED / STOMP
    case 83:
      return preview.startsWith('CONNECT') || preview.startsWith('STOMP\n');
    default:
      // Every other form classifyText knows is a few characters long.
      return false;
  }
}

/** SockJS wraps each message in a JSON array of strings; a heartbeat may travel inside (STOMP over SockJS). */
function classifySockJsFrame(arrayText: string, direction: Direction, state: ScanState): RoleCode {
  const frames = parseJson(arrayText);
  if (!Array.isArray(frames) || frames.length !== 1 || typeof frames[0] !== 'string') return ROLE_NONE;
  state.sockJs = true;
  return classifyText(frames[0], direction, state, true);
}

function classifyPhoenixV2(text: string, state: ScanState): RoleCode {
  if (!text.includes('"phoenix"')) return ROLE_NONE;
  const frame = parseJson(text);
  if (!Array.isArray(frame) || frame[2] !== 'phoenix') return ROLE_NONE;
  if (frame[3] === 'heartbeat') return found(state, 'Phoenix Channels', ROLE_PING);
  if (frame[3] === 'phx_reply') return found(state, 'Phoenix Channels', ROLE_PONG);
  return ROLE_NONE;
}

function scanKnownProtocols(connection: Connection, roles: Uint8Array): ScanState {
  const requested = connection.protocols;
  const state: ScanState = {
    engineIo: connection.url.includes('EIO='),
    sockJs: SOCKJS_URL.test(connection.url),
    graphqlWs: connection.protocol === 'graphql-transport-ws' || requested.includes('graphql-transport-ws'),
    protocolCounts: new Map(),
    protocol: '',
  };
  const messages = connection.messages;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    const preview = message.preview;
    if (message.truncated || preview.length === 0) continue;
    const role =
      message.opcode === 2 ? classifyBinary(preview, message.direction, state) : classifyText(preview, message.direction, state, false);
    if (role === ROLE_NONE) continue;
    roles[i] = role;
    state.protocolCounts.set(state.protocol, (state.protocolCounts.get(state.protocol) ?? 0) + 1);
  }
  return state;
}

function mostFrequent(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [name, count] of counts) {
    if (count > bestCount) [best, bestCount] = [name, count];
  }
  return best;
}

// ---- Recognition by repetition and regularity ----

const PATTERN_MAX_LENGTH = 64;
const PATTERN_MIN_OCCURRENCES = 4;
const PATTERN_MIN_INTERVAL_MS = 500;
/** Share of gaps that must sit near the median gap: tolerates a few late beats (a hidden tab). */
const PATTERN_REGULAR_SHARE = 0.75;
const PATTERN_MIN_REPLY_SHARE = 0.6;
const MAX_REPLY_DELAY_MS = 2000;

export function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median absolute deviation: a spread that a single outlier can't inflate. */
export function medianAbsoluteDeviation(values: number[], center = median(values)): number {
  return median(values.map((value) => Math.abs(value - center)));
}

const NOT_A_PATTERN = -1;

/**
 * A hash of the message's shape: direction, opcode and preview with each run
 * of digits collapsed (counters and timestamps inside a heartbeat). A number
 * rather than a normalised string: no allocation per message. A collision
 * only merges two shapes into one irregular group, which then isn't taken.
 */
function patternHash(message: Message): number {
  const preview = message.preview;
  const length = preview.length;
  if (message.truncated || length === 0 || length > PATTERN_MAX_LENGTH) return NOT_A_PATTERN;
  let hash = Math.imul(2166136261 ^ (message.direction === 'send' ? 1 : 2) ^ (message.opcode << 2), 16777619);
  let inDigits = false;
  for (let i = 0; i < length; i++) {
    let code = preview.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (inDigits) continue;
      inDigits = true;
      code = 35; // '#'
    } else {
      inDigits = false;
    }
    hash = Math.imul(hash ^ code, 16777619);
  }
  return hash >>> 0;
}

function gapsOf(times: number[]): number[] {
  const gapsMs: number[] = [];
  for (let i = 1; i < times.length; i++) gapsMs.push(times[i] - times[i - 1]);
  return gapsMs;
}

function isRegular(times: number[]): boolean {
  // A median gap ≥ the minimum needs a mean gap ≥ half of it: rejects busy data streams without sorting.
  const meanGapMs = (times[times.length - 1] - times[0]) / (times.length - 1);
  if (meanGapMs < PATTERN_MIN_INTERVAL_MS / 2) return false;
  const gapsMs = gapsOf(times);
  const typicalGapMs = median(gapsMs);
  if (typicalGapMs < PATTERN_MIN_INTERVAL_MS) return false;
  const toleranceMs = Math.max(typicalGapMs * 0.2, 300);
  const regularGaps = gapsMs.filter((gapMs) => Math.abs(gapMs - typicalGapMs) <= toleranceMs).length;
  return regularGaps >= gapsMs.length * PATTERN_REGULAR_SHARE;
}

/** Indexes of the messages (in the other direction) that answer each ping within a short delay, if one pattern answers most pings. */
function findReplies(messages: Message[], pingIndexes: number[], hashes: Float64Array): number[] {
  const pingDirection = messages[pingIndexes[0]].direction;
  const replyCandidates = new Map<number, number[]>();
  for (const pingIndex of pingIndexes) {
    const pingTime = messages[pingIndex].time;
    for (let j = pingIndex + 1; j < messages.length && messages[j].time - pingTime <= MAX_REPLY_DELAY_MS; j++) {
      const hash = hashes[j];
      if (messages[j].direction === pingDirection || hash === NOT_A_PATTERN) continue;
      const list = replyCandidates.get(hash) ?? [];
      list.push(j);
      replyCandidates.set(hash, list);
      break;
    }
  }
  let best: number[] = [];
  for (const list of replyCandidates.values()) if (list.length > best.length) best = list;
  return best.length >= pingIndexes.length * PATTERN_MIN_REPLY_SHARE ? best : [];
}

function scanPattern(connection: Connection, roles: Uint8Array): string | undefined {
  const messages = connection.messages;
  const hashes = new Float64Array(messages.length);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < messages.length; i++) {
    const hash = patternHash(messages[i]);
    hashes[i] = hash;
    if (hash === NOT_A_PATTERN) continue;
    const group = groups.get(hash);
    if (group) group.push(i);
    else groups.set(hash, [i]);
  }
  const candidates = [...groups.values()]
    .filter((indexes) => indexes.length >= PATTERN_MIN_OCCURRENCES && isRegular(indexes.map((i) => messages[i].time)))
    .sort((a, b) => b.length - a.length);
  if (candidates.length === 0) return undefined;
  // A pattern that gets answered is the ping; its answer is the pong.
  let pingIndexes = candidates[0];
  let replyIndexes: number[] = [];
  for (const candidate of candidates) {
    const replies = findReplies(messages, candidate, hashes);
    if (replies.length) {
      [pingIndexes, replyIndexes] = [candidate, replies];
      break;
    }
  }
  for (const i of pingIndexes) roles[i] = ROLE_PING;
  for (const i of replyIndexes) roles[i] = ROLE_PONG;
  const sample = messages[pingIndexes[0]].preview;
  return `repeating message "${sample.length > 24 ? `${sample.slice(0, 24)}…` : sample}"`;
}

function rolesFromMarks(connection: Connection, roles: Uint8Array): boolean {
  let found = false;
  connection.messages.forEach((message, i) => {
    if (message.heartbeat) {
      roles[i] = message.heartbeat === 'ping' ? ROLE_PING : ROLE_PONG;
      found = true;
    }
  });
  return found;
}

/**
 * Recognises the heartbeats of one connection without changing it. Known
 * protocols first; else the most regular repeating small message; else marks
 * already present (by hand, or from an imported file). The pattern comes
 * before the marks so that scanning again a connection this module annotated
 * gives the same answer (and recognises its new messages), whatever the order
 * in which a caller annotates and measures.
 */
/** Event-stream event types that are heartbeats (`event: ping`); comment lines (`: ping`) never reach the page. */
const SSE_HEARTBEAT_EVENTS = /^(ping|heartbeat|keep-?alive|hb)$/i;

/** An event stream's heartbeat events, marked as pings; true when there was one. */
function scanEventStream(connection: Connection, roles: Uint8Array): boolean {
  let found = false;
  connection.messages.forEach((message, i) => {
    if (message.event !== undefined && SSE_HEARTBEAT_EVENTS.test(message.event)) {
      roles[i] = ROLE_PING;
      found = true;
    }
  });
  return found;
}

export function scanHeartbeats(connection: Connection): HeartbeatScan {
  const roles = new Uint8Array(connection.messages.length);
  if (connection.kind === 'eventsource' && scanEventStream(connection, roles)) return { roles, protocol: 'SSE heartbeat event' };
  const state = scanKnownProtocols(connection, roles);
  const declared = { declaredIntervalMs: state.declaredIntervalMs, declaredTimeoutMs: state.declaredTimeoutMs };
  const knownProtocol = mostFrequent(state.protocolCounts);
  if (knownProtocol) return { roles, protocol: knownProtocol, ...declared };
  const pattern = scanPattern(connection, roles);
  if (pattern) return { roles, protocol: pattern, ...declared };
  if (rolesFromMarks(connection, roles)) return { roles, protocol: 'marked', ...declared };
  return { roles, protocol: state.handshakeProtocol, ...declared };
}

const ROLE_NAMES: readonly (HeartbeatRole | undefined)[] = [undefined, 'ping', 'pong'];

/** Sets `message.heartbeat` from a scan, IN PLACE. */
export function applyHeartbeatRoles(connection: Connection, scan: HeartbeatScan): void {
  const roles = scan.roles;
  connection.messages.forEach((message, i) => {
    const role = ROLE_NAMES[roles[i]];
    if (role) message.heartbeat = role;
    else if (message.heartbeat !== undefined) delete message.heartbeat;
  });
}

/** Sets `message.heartbeat` on every message of the session, IN PLACE (fast, no copy), and returns the same session. */
export function annotateHeartbeats(session: Session): Session {
  for (const connection of session.connections) applyHeartbeatRoles(connection, scanHeartbeats(connection));
  return session;
}

/** Times of the heartbeats of one role and direction. */
export function heartbeatTimes(connection: Connection, roles: Uint8Array, role: RoleCode, direction: Direction): number[] {
  const times: number[] = [];
  const messages = connection.messages;
  for (let i = 0; i < messages.length; i++) if (roles[i] === role && messages[i].direction === direction) times.push(messages[i].time);
  return times;
}

/** Statistics of a connection's heartbeats; pure (does not annotate). Pass a scan to avoid scanning twice. */
export function heartbeatStats(connection: Connection, scan: HeartbeatScan = scanHeartbeats(connection)): HeartbeatStats {
  const { roles, protocol, declaredIntervalMs, declaredTimeoutMs } = scan;
  const stats: HeartbeatStats = { protocol, declaredIntervalMs, declaredTimeoutMs };
  const pingsSent = heartbeatTimes(connection, roles, ROLE_PING, 'send');
  const pingsReceived = heartbeatTimes(connection, roles, ROLE_PING, 'receive');
  // Protocols with a keep-alive but no ping (subscriptions-transport-ws 'ka') beat with pongs.
  const beatRole = pingsSent.length + pingsReceived.length > 0 ? ROLE_PING : ROLE_PONG;
  const beatsByDirection: Record<Direction, number[]> =
    beatRole === ROLE_PING
      ? { send: pingsSent, receive: pingsReceived }
      : { send: heartbeatTimes(connection, roles, ROLE_PONG, 'send'), receive: heartbeatTimes(connection, roles, ROLE_PONG, 'receive') };
  const { send, receive } = beatsByDirection;
  if (send.length === 0 && receive.length === 0) return stats;
  stats.direction = send.length && receive.length ? 'both' : send.length ? 'send' : 'receive';

  // The more frequent direction is the one that keeps the connection alive.
  for (const times of [send, receive]) {
    if (times.length < 2) continue;
    const gapsMs = gapsOf(times);
    const intervalMs = median(gapsMs);
    if (stats.intervalMs === undefined || intervalMs < stats.intervalMs) {
      stats.intervalMs = intervalMs;
      stats.jitterMs = medianAbsoluteDeviation(gapsMs, intervalMs);
    }
  }

  if (beatRole === ROLE_PING) {
    const latenciesMs: number[] = [];
    const messages = connection.messages;
    let lastPing: Message | undefined;
    for (let i = 0; i < messages.length; i++) {
      if (roles[i] === ROLE_PING) lastPing = messages[i];
      else if (roles[i] === ROLE_PONG && lastPing && lastPing.direction !== messages[i].direction) {
        latenciesMs.push(messages[i].time - lastPing.time);
        lastPing = undefined;
      }
    }
    if (latenciesMs.length) stats.replyLatencyMs = median(latenciesMs);
  }
  return stats;
}
