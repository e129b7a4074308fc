// The data model shared by the background, the panel, the HAR writer/reader,
// the diagnosis and the CLI. Pure data: no browser API, no methods, so it
// survives structured clone, JSON and storage.session unchanged.
//
// Times are epoch milliseconds as floats (performance.timeOrigin +
// performance.now() in the page), sizes are bytes.
//
// Each closed set of values is an `as const` list with its type derived from
// it, so that readers of untrusted input (the HAR import) check against the
// same list the type has: a new value cannot be dropped silently.
import { PAGE_CONTEXT_TYPES } from './wire';

export const DIRECTIONS = ['send', 'receive'] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** WebSocket opcodes visible to a page: 1 = text, 2 = binary. */
export const OPCODES = [1, 2] as const;
export type Opcode = (typeof OPCODES)[number];
/** Who started the close: the page called close(), a close frame came from the server first, or the TCP connection ended without a close frame (1006). */
/**
 * Who ended the connection: the page called close(); a close frame came from the server first; no close frame
 * at all (1006); or the page's document went away (reload, navigation, tab closed, bfcache) and the browser
 * ended the socket itself (it sends 1001 Going Away).
 */
export const CLOSE_INITIATORS = ['page', 'server', 'abnormal', 'navigation'] as const;
export type CloseInitiator = (typeof CLOSE_INITIATORS)[number];
/** What kind of long-lived connection: a WebSocket (the default when absent) or an EventSource (server-sent events). */
export const CONNECTION_KINDS = ['websocket', 'eventsource'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];
export const HEARTBEAT_ROLES = ['ping', 'pong'] as const;
export type HeartbeatRole = (typeof HEARTBEAT_ROLES)[number];

export interface Message {
  /** Position within its connection, counting from 0, including messages dropped by caps. */
  index: number;
  direction: Direction;
  time: number;
  opcode: Opcode;
  /** Size of the whole payload in bytes (UTF-8 for text). */
  size: number;
  /** Text as is, binary as base64; bounded by the preview cap. Empty when evicted. */
  preview: string;
  /** The preview is shorter than the payload. */
  truncated: boolean;
  /** The preview was removed later by the memory cap (metadata kept). */
  evicted?: boolean;
  /** Filled in by heartbeat recognition (src/core/heartbeat). */
  heartbeat?: HeartbeatRole;
  /** EventSource only: the event type ('message' for unnamed events). */
  event?: string;
  /** EventSource only: the event's lastEventId ('' when the stream set none). */
  lastEventId?: string;
  /** Sent or injected by the user through the extension (Reproduce and verify), not by the page or the server. */
  simulated?: boolean;
}

export interface CloseInfo {
  time: number;
  code: number;
  reason: string;
  wasClean: boolean;
  initiator: CloseInitiator;
  /** What the page asked for when it called close(code, reason). */
  requestedCode?: number;
  requestedReason?: string;
  /** Ended by the extension (a simulated policy or a user's drop or close), not by the network or the server: never a real drop. */
  simulated?: boolean;
}

/** One HTTP header as the browser reported it (name as sent, value possibly replaced by HEADER_VALUE_NOT_RECORDED). */
export interface HeaderEntry {
  name: string;
  value: string;
}

/**
 * The opening handshake as the background saw it through webRequest (not the
 * page's view). Cookie, Set-Cookie, Authorization and Proxy-Authorization
 * keep their names only (src/core/headers.ts sanitizeHeaders); other values
 * are kept as the browser reported them (Sec-WebSocket-Protocol may carry a
 * token: export redaction handles it).
 */
export interface HandshakeInfo {
  /** 101 when upgraded; the HTTP status otherwise (400, 403, 426, 502…); 0 when no HTTP answer came. */
  status: number;
  /** e.g. 'Switching Protocols', 'Bad Gateway' (from the status line). */
  statusText?: string;
  /** From the status line: 'HTTP/1.1', or 'HTTP/2' when the socket runs over HTTP/2 (RFC 8441), whose success is 200, not 101. */
  httpVersion?: string;
  requestHeaders: HeaderEntry[];
  responseHeaders: HeaderEntry[];
  /** The server's (or the first proxy's) IP address, as the browser reported it. */
  remoteIp?: string;
  /** When the browser started the request (epoch ms, the browser's clock). */
  startedAt: number;
  /** When the response headers arrived. */
  respondedAt?: number;
  /** The browser's network error when there was no HTTP answer, e.g. 'net::ERR_CONNECTION_REFUSED'. */
  error?: string;
}

/**
 * Whether the handshake could be seen: `matched` (a webRequest observation
 * was paired with this connection), `unmatched` (webRequest was there but no
 * observation fits), `unavailable` (no webRequest API or no permission).
 */
export const HANDSHAKE_EVIDENCES = ['matched', 'unmatched', 'unavailable'] as const;
export type HandshakeEvidence = (typeof HANDSHAKE_EVIDENCES)[number];

export interface Connection {
  /** Unique within a session (document id + counter). */
  id: string;
  /**
   * Absent: a WebSocket. 'eventsource': one attempt of an EventSource: the browser reconnects the same object by
   * itself after a drop, and each attempt is a Connection of its own (so each drop is a close), linked by
   * `reconnectOf`. An EventSource has no close code: a drop is recorded as 1006 (abnormal), the page's close() as
   * 1005, the document going away as 1001.
   */
  kind?: ConnectionKind;
  /** EventSource: the attempt this one follows (the browser's automatic reconnect). */
  reconnectOf?: string;
  /** EventSource: constructed with withCredentials. */
  withCredentials?: boolean;
  frameId?: number;
  frameUrl: string;
  url: string;
  /** Sub-protocols the page requested. */
  protocols: string[];
  /** Negotiated sub-protocol ('' when none). */
  protocol?: string;
  /** Negotiated extensions ('' when none). */
  extensions?: string;
  /** When `new WebSocket()` ran. */
  createdAt: number;
  /** When the open event fired; absent when the handshake failed. */
  openedAt?: number;
  /** When the close event fired. */
  closedAt?: number;
  /** When the page called close(), if it did, and the code and reason it passed. */
  closeRequestedAt?: number;
  closeRequestedCode?: number;
  closeRequestedReason?: string;
  close?: CloseInfo;
  /** Time of the error event (a failed handshake, or an error before an abnormal close). */
  errorAt?: number;
  messages: Message[];
  /** Messages dropped (oldest first) by the memory cap; their count, not their content. */
  droppedMessages?: number;
  /** Previews evicted by the memory cap. */
  evictedPreviews?: number;
  /** The handshake as seen by the browser's webRequest, when it was matched (see handshakeEvidence). */
  handshake?: HandshakeInfo;
  handshakeEvidence?: HandshakeEvidence;
}

/** What the page reports (src/core/wire.ts), plus the navigations the background sees. */
export const PAGE_EVENT_TYPES = [...PAGE_CONTEXT_TYPES, 'navigation', 'simulation'] as const;
export type PageEventType = (typeof PAGE_EVENT_TYPES)[number];

export interface PageEvent {
  type: PageEventType;
  time: number;
  frameUrl?: string;
  frameId?: number;
  /**
   * navigation: the new URL; pagehide: 'persisted' when going to the bfcache; worker: `Worker <script URL>` or
   * `SharedWorker <script URL>` (the URL as the page passed it, when it passed a string); simulation: what the user
   * started, stopped or did.
   */
  detail?: string;
  /** timer-late: how late a timer of the page fired, in ms; timer-throttled: how late the probe that showed it fired (detail 'basic': timers aligned to 1 s; 'intensive': once a minute). */
  lateMs?: number;
}

export interface Note {
  id: string;
  time: number;
  text: string;
}

export interface DropCounts {
  /** Whole messages dropped by caps (metadata gone too). */
  messages: number;
  /** Previews evicted by caps (metadata kept), and previews the page hook never copied (budgetPreviews, heldBlobPreviews). */
  previews: number;
  /**
   * Of `previews`, those the page hook never copied: its preview budget was spent by a flood (README, Memory;
   * docs/decisions.md, 10b and 68). The rest of `previews` were recorded and later evicted by the memory cap.
   */
  budgetPreviews?: number;
  /**
   * Of `previews`, Blobs received while nothing read the tab that the page hook did not read: those over 16 KiB, a read
   * of one costing the browser tens of ms of CPU (docs/decisions.md, 78), and small ones past 64 at once and 64 a
   * second, each costing 0.15 to 0.3 ms (81). Not part of `budgetPreviews`.
   */
  heldBlobPreviews?: number;
  /** Records refused as malformed or oversized (a page can post anything). */
  rejected: number;
  /**
   * Of `messages`, those a relay left out of its compact record of a document that went away (or froze) while nothing
   * was reading it: each connection's oldest, beyond its last 256 (docs/decisions.md, 73; README, What is kept).
   */
  unreadMessages?: number;
  /** Whole batches lost between the page and the background (the background was unreachable for too long). */
  lostBatches?: number;
  /** Whole connections dropped by caps (closed first, oldest first); their remaining messages are counted in `messages` too. */
  droppedConnections?: number;
  /** Page events dropped (oldest first): beyond the per-tab count cap, or by the memory cap. */
  droppedPageEvents?: number;
}

export interface Session {
  id: string;
  name?: string;
  tabId?: number;
  pageUrl?: string;
  startedAt: number;
  endedAt?: number;
  connections: Connection[];
  pageEvents: PageEvent[];
  notes: Note[];
  dropped: DropCounts;
  /** Where the data came from; Chrome's HAR has no close information. */
  source?: 'live' | 'socketscope-har' | 'chrome-har';
  /** The export was redacted (tokens, secrets replaced). */
  redacted?: boolean;
}

export function emptyDropCounts(): DropCounts {
  return { messages: 0, previews: 0, rejected: 0 };
}

export function emptySession(id: string, startedAt: number): Session {
  return { id, startedAt, connections: [], pageEvents: [], notes: [], dropped: emptyDropCounts() };
}
