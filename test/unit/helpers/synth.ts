// Synthetic sessions for the unit tests: deterministic (seeded PRNG, fixed
// epoch), so a failure reproduces exactly.

import type { CloseInitiator, Connection, Direction, Opcode, PageEvent, PageEventType, Session } from '../../../src/core/model';
import { emptySession } from '../../../src/core/model';
import { seededRandom } from '../../../bench/lib/stats.mjs';

export const T0 = 1_700_000_000_000;

/** mulberry32 (bench/lib/stats.mjs, whose ratio intervals use it too): small, fast, good enough for test data. */
export const createRng: (seed: number) => () => number = seededRandom;

export function session(): Session {
  return emptySession('test-session', T0);
}

let connectionCounter = 0;

export interface ConnectionOptions {
  url?: string;
  createdAt: number;
  /** Delay from creation to open; null = the handshake never completed. */
  openDelayMs?: number | null;
  protocol?: string;
  protocols?: string[];
}

export function addConnection(target: Session, options: ConnectionOptions): Connection {
  const openDelayMs = options.openDelayMs === undefined ? 50 : options.openDelayMs;
  const connection: Connection = {
    id: `c${++connectionCounter}`,
    frameUrl: 'https://app.example/',
    url: options.url ?? 'wss://app.example/ws',
    protocols: options.protocols ?? [],
    protocol: options.protocol ?? '',
    createdAt: options.createdAt,
    openedAt: openDelayMs === null ? undefined : options.createdAt + openDelayMs,
    messages: [],
  };
  target.connections.push(connection);
  return connection;
}

export function addMessage(connection: Connection, direction: Direction, time: number, preview: string, opcode: Opcode = 1): void {
  connection.messages.push({
    index: connection.messages.length,
    direction,
    time,
    opcode,
    size: preview.length,
    preview,
    truncated: false,
  });
}

export function send(connection: Connection, time: number, preview: string, opcode: Opcode = 1): void {
  addMessage(connection, 'send', time, preview, opcode);
}

export function receive(connection: Connection, time: number, preview: string, opcode: Opcode = 1): void {
  addMessage(connection, 'receive', time, preview, opcode);
}

/** Builders may interleave sources (beats, chatter): put messages in time order and renumber them. */
export function sortMessages(connection: Connection): Connection {
  connection.messages.sort((a, b) => a.time - b.time);
  connection.messages.forEach((message, i) => (message.index = i));
  return connection;
}

/** Ends the connection; the defaults are an abnormal close (1006, no close frame). */
export function closeAt(
  connection: Connection,
  time: number,
  initiator: CloseInitiator = 'abnormal',
  code = initiator === 'abnormal' ? 1006 : 1000,
  reason = '',
): Connection {
  sortMessages(connection);
  connection.closedAt = time;
  connection.close = { time, code, reason, wasClean: initiator !== 'abnormal', initiator };
  if (initiator === 'page') {
    connection.closeRequestedAt = time - 1;
    connection.close.requestedCode = code;
    connection.close.requestedReason = reason;
  }
  return connection;
}

export function failHandshake(connection: Connection, time: number): Connection {
  connection.errorAt = time;
  connection.closedAt = time;
  connection.close = { time, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' };
  return connection;
}

export function pageEvent(target: Session, type: PageEventType, time: number, lateMs?: number): PageEvent {
  const event: PageEvent = lateMs === undefined ? { type, time } : { type, time, lateMs };
  target.pageEvents.push(event);
  return event;
}

export interface BeatOptions {
  from: number;
  to: number;
  intervalMs: number;
  direction: Direction;
  ping: string;
  /** An answer in the other direction after replyDelayMs. */
  pong?: string;
  replyDelayMs?: number;
  jitterMs?: number;
  rng?: () => number;
  opcode?: Opcode;
}

/** A heartbeat every intervalMs (± jitter) from `from` (exclusive) while before `to`. */
export function beat(connection: Connection, options: BeatOptions): void {
  const { rng = createRng(1), jitterMs = 0, replyDelayMs = 30, opcode = 1 } = options;
  const other: Direction = options.direction === 'send' ? 'receive' : 'send';
  for (let time = options.from + options.intervalMs; time < options.to; time += options.intervalMs) {
    const at = time + (rng() * 2 - 1) * jitterMs;
    if (at >= options.to) break;
    addMessage(connection, options.direction, at, options.ping, opcode);
    if (options.pong !== undefined && at + replyDelayMs < options.to) addMessage(connection, other, at + replyDelayMs, options.pong, opcode);
  }
}

/** Irregular application traffic: messages at random gaps between minGapMs and maxGapMs. */
export function chatter(connection: Connection, from: number, to: number, minGapMs: number, maxGapMs: number, rng: () => number): void {
  let time = from;
  let counter = 0;
  for (;;) {
    time += minGapMs + rng() * (maxGapMs - minGapMs);
    if (time >= to) break;
    const direction: Direction = rng() < 0.5 ? 'send' : 'receive';
    addMessage(connection, direction, time, `{"type":"chat","id":${counter++},"text":"message ${Math.floor(rng() * 1e6)} with some words"}`);
  }
}
