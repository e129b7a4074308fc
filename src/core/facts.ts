// Facts about one connection, each with one definition: when it ended, how
// long it lived, the silence before its close, how bad the close was, how the
// handshake went, its counts. Cheap and pure; src/core/analysis.ts gathers
// them for a whole session, and live views may ask for one directly.

import { CLOSE_ABNORMAL, CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_SERVICE_RESTART } from './closeCodes';
import { heartbeatStats, scanHeartbeats, type HeartbeatScan, type HeartbeatStats } from './heartbeat';
import type { CloseInitiator, Connection, Direction, Message } from './model';

/** How the opening handshake went: still waiting, opened, failed (error or close before open), or the page gave up before it finished. */
export type HandshakeOutcome = 'pending' | 'opened' | 'failed' | 'abandoned';

/**
 * How a connection ended, from harmless to bad:
 * - `open`: not ended;
 * - `clean`: the server closed with 1000 Normal Closure;
 * - `page`: the page called close() (or gave up on a pending handshake);
 * - `navigation`: the page's document went away (reload, navigation, tab closed) and the browser ended the socket;
 * - `unknown`: it ended, but the record has no close details (Chrome's HAR);
 * - `going-away`: the server said it is leaving (1001 Going Away, 1012 Service Restart);
 * - `server-error`: the server closed with any other code (1008, 1011, 4xxx…);
 * - `abnormal`: no close frame (1006) or an unclean close not started by the page: what proxies and dead networks produce;
 * - `handshake-failed`: it never opened.
 */
export type CloseSeverity = 'open' | 'clean' | 'page' | 'navigation' | 'unknown' | 'going-away' | 'server-error' | 'abnormal' | 'handshake-failed';

/** Who ended a connection, in words: "closed by …". */
export const CLOSED_BY: Readonly<Record<CloseInitiator, string>> = {
  page: 'the page',
  server: 'the server',
  abnormal: 'nobody (no close frame)',
  navigation: 'the page going away (reload or navigation)',
};

/** The severities that are a drop: the connection ended without the page or a normal server close wanting it. */
const DROP_SEVERITIES: ReadonlySet<CloseSeverity> = new Set(['going-away', 'server-error', 'abnormal', 'handshake-failed']);

export function isDrop(severity: CloseSeverity): boolean {
  return DROP_SEVERITIES.has(severity);
}

/** What a connection list shows as its state. */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

/** Silence measured from the last message in either direction, the last received, or the last sent. */
export type SilenceBasis = 'any' | 'received' | 'sent';
export const SILENCE_BASES: readonly SilenceBasis[] = ['any', 'received', 'sent'];
export type Silences = Record<SilenceBasis, number>;

export interface MessageCounts {
  sent: number;
  received: number;
  sentBytes: number;
  receivedBytes: number;
}

export interface ConnectionFacts {
  id: string;
  handshake: HandshakeOutcome;
  severity: CloseSeverity;
  state: ConnectionState;
  /** When it ended: the close event, else (a handshake that failed) its error; undefined while open. */
  endedAt?: number;
  /** Open → end, or creation → end when it never opened. */
  lifetimeMs?: number;
  /** Silence before the end, per basis; only for connections that opened and ended. */
  silenceBeforeEndMs?: Silences;
  /** The longest silence the connection survived before its last message, per basis. */
  longestSurvivedSilenceMs: Silences;
  counts: MessageCounts;
  heartbeat: HeartbeatStats;
}


/** When the connection ended. The close event's time (`closedAt`) first: it is when the page saw the end. */
export function endedAt(connection: Connection): number | undefined {
  return connection.closedAt ?? connection.close?.time ?? (connection.openedAt === undefined ? connection.errorAt : undefined);
}

export function handshakeOutcome(connection: Connection): HandshakeOutcome {
  if (connection.openedAt !== undefined) return 'opened';
  // The page gave up on a pending socket, or went away before it opened: not the server's fault.
  if (connection.close?.initiator === 'page' || connection.close?.initiator === 'navigation') return 'abandoned';
  if (connection.errorAt !== undefined || connection.close !== undefined || connection.closedAt !== undefined) return 'failed';
  return 'pending';
}

export function closeSeverity(connection: Connection): CloseSeverity {
  const handshake = handshakeOutcome(connection);
  if (handshake === 'failed') return 'handshake-failed';
  if (handshake === 'abandoned') return 'page';
  if (endedAt(connection) === undefined) return 'open';
  const close = connection.close;
  if (!close) return 'unknown';
  if (close.initiator === 'page') return 'page';
  if (close.initiator === 'navigation') return 'navigation';
  if (close.code === CLOSE_ABNORMAL || !close.wasClean) return 'abnormal';
  if (close.code === CLOSE_NORMAL) return 'clean';
  if (close.code === CLOSE_GOING_AWAY || close.code === CLOSE_SERVICE_RESTART) return 'going-away';
  return 'server-error';
}

export function connectionState(connection: Connection): ConnectionState {
  const handshake = handshakeOutcome(connection);
  if (handshake === 'failed') return 'failed';
  if (endedAt(connection) !== undefined) return 'closed';
  if (connection.closeRequestedAt !== undefined) return 'closing';
  return handshake === 'pending' ? 'connecting' : 'open';
}

/** Age now (open connections) or at the end: from the open, or from creation when it never opened. */
export function connectionAgeMs(connection: Connection, nowMs: number): number {
  return (endedAt(connection) ?? nowMs) - (connection.openedAt ?? connection.createdAt);
}

interface CountsMemo extends MessageCounts {
  counted: number;
  dropped: number;
}
const countsMemo = new WeakMap<Connection, CountsMemo>();

/**
 * Messages and bytes each way. Kept incrementally per connection (messages
 * only append; a cap's cut of the head recounts), so a live list can ask on
 * every render.
 */
export function messageCounts(connection: Connection): MessageCounts {
  const dropped = connection.droppedMessages ?? 0;
  let memo = countsMemo.get(connection);
  if (!memo || memo.dropped !== dropped || memo.counted > connection.messages.length) {
    memo = { sent: 0, received: 0, sentBytes: 0, receivedBytes: 0, counted: 0, dropped };
    countsMemo.set(connection, memo);
  }
  const messages = connection.messages;
  for (let i = memo.counted; i < messages.length; i++) {
    const message = messages[i];
    if (message.direction === 'send') {
      memo.sent++;
      memo.sentBytes += message.size;
    } else {
      memo.received++;
      memo.receivedBytes += message.size;
    }
  }
  memo.counted = messages.length;
  return { sent: memo.sent, received: memo.received, sentBytes: memo.sentBytes, receivedBytes: memo.receivedBytes };
}

const BASIS_OF_DIRECTION: Readonly<Record<Direction, SilenceBasis>> = { send: 'sent', receive: 'received' };

/** Where the scan of a connection's messages stopped, so that a live connection's new messages are all it reads next. */
interface SilenceMemo {
  openedAt: number;
  dropped: number;
  first: Message;
  /** Messages read, and the last of them (a connection whose messages changed otherwise is read again). */
  scanned: number;
  lastScanned: Message;
  nextIndex: number;
  last: Silences;
  longest: Silences;
}
const silenceMemo = new WeakMap<Connection, SilenceMemo>();

/**
 * Silences before the end and the longest ones survived, in one pass over the messages, kept per connection as
 * messageCounts is (a live panel asks twice a second: only the new messages are read). A silence is only what the
 * record shows to be one: where messages are missing (their indices skip: a cap's cut of the oldest, a page that went
 * away unread and left its last messages), the time across them is not a silence survived, and a silence that runs
 * from them counts from the first message after them.
 */
function silences(connection: Connection, end: number | undefined): Pick<ConnectionFacts, 'silenceBeforeEndMs' | 'longestSurvivedSilenceMs'> {
  const openedAt = connection.openedAt ?? connection.createdAt;
  const messages = connection.messages;
  const dropped = connection.droppedMessages ?? 0;
  let memo = silenceMemo.get(connection);
  if (!memo || memo.openedAt !== openedAt || memo.dropped !== dropped || memo.first !== messages[0] || memo.scanned > messages.length || messages[memo.scanned - 1] !== memo.lastScanned) {
    memo = undefined;
  }
  const last: Silences = memo ? { ...memo.last } : { any: openedAt, received: openedAt, sent: openedAt };
  const longest: Silences = memo ? { ...memo.longest } : { any: 0, received: 0, sent: 0 };
  let nextIndex = memo?.nextIndex ?? 0;
  for (let i = memo?.scanned ?? 0; i < messages.length; i++) {
    const message = messages[i];
    if (message.index !== nextIndex) last.any = last.received = last.sent = message.time; // messages missing before it
    nextIndex = message.index + 1;
    const basis = BASIS_OF_DIRECTION[message.direction];
    longest[basis] = Math.max(longest[basis], message.time - last[basis]);
    longest.any = Math.max(longest.any, message.time - last.any);
    last[basis] = message.time;
    last.any = message.time;
  }
  if (messages.length) silenceMemo.set(connection, { openedAt, dropped, first: messages[0], scanned: messages.length, lastScanned: messages[messages.length - 1], nextIndex, last: { ...last }, longest: { ...longest } });
  else silenceMemo.delete(connection);
  const opened = connection.openedAt !== undefined;
  return {
    longestSurvivedSilenceMs: longest,
    silenceBeforeEndMs: opened && end !== undefined ? { any: end - last.any, received: end - last.received, sent: end - last.sent } : undefined,
  };
}

/** Every fact about one connection, given its heartbeat scan. */
export function connectionFacts(connection: Connection, scan: HeartbeatScan = scanHeartbeats(connection)): ConnectionFacts {
  const end = endedAt(connection);
  return {
    id: connection.id,
    handshake: handshakeOutcome(connection),
    severity: closeSeverity(connection),
    state: connectionState(connection),
    endedAt: end,
    lifetimeMs: end === undefined ? undefined : end - (connection.openedAt ?? connection.createdAt),
    ...silences(connection, end),
    counts: messageCounts(connection),
    heartbeat: heartbeatStats(connection, scan),
  };
}
