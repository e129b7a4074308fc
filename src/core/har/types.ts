// The HAR 1.2 documents SocketScope writes (src/core/har/export.ts) and the
// result of reading one (src/core/har/import.ts).
//
// The export is readable by Chrome DevTools' own HAR import: one entry per
// WebSocket with Chrome's `_resourceType: "websocket"` and `_webSocketMessages`
// (times in epoch seconds, binary payloads as base64), the shape Chrome's
// front_end/models/har/Log.ts writes and HARFormat.ts/Importer.ts read back.
// Everything Chrome does not know about (close code and initiator, heartbeat
// roles, exact sizes of truncated previews, page events, notes, findings) goes
// into `_socketscope` extras, which Chrome ignores (custom fields start with `_`
// per the HAR spec).

import type { CloseInfo, Connection, Direction, DropCounts, HeartbeatRole, Note, Opcode, PageEvent, Session } from '../model';
import type { Finding } from '../finding';

/**
 * Version of the format of our `_socketscope` extras (`log._socketscope.version`), not of the program:
 * a number, bumped when a reader of the previous version would misread a file; the import recognises our
 * files by it and warns about newer ones. The program's version (package.json) is `log.creator.version`.
 */
export const SOCKETSCOPE_HAR_VERSION = 1;
/** HTTP 101 Switching Protocols: the entry's status when the handshake succeeded (Chrome's convention too). */
export const HTTP_SWITCHING_PROTOCOLS = 101;
/** We always write one page; Chrome links entries to it through `pageref`. */
export const HAR_PAGE_ID = 'page_1';

export interface HarCreator {
  name: string;
  version: string;
}

export interface HarNameValue {
  name: string;
  value: string;
}

/** Chrome's own shape for one WebSocket message in a HAR entry. */
/** One server-sent event, in the shape of DevTools' EventSourceMessage (what its HAR writes for an event stream). */
export interface HarEventSourceMessage {
  /** Epoch seconds (float). */
  time: number;
  eventName: string;
  eventId: string;
  data: string;
}

export interface HarWebSocketMessage {
  type: Direction;
  /** Epoch seconds (float), as Chrome writes them. */
  time: number;
  opcode: Opcode;
  /** Text as is, binary as base64 (our preview: may be truncated or empty, see `_socketscope`). */
  data: string;
}

/** The close as the model has it (the file format is the model's, field for field). */
export type HarCloseInfo = CloseInfo;

/**
 * SocketScope's extras on each entry: the connection's own fields as the model
 * has them (src/core/model.ts), plus per-message arrays parallel to
 * `_webSocketMessages` (same position = same message), so a reader needs no join.
 * `createdAt` and the other times are exact epoch ms (startedDateTime has only ms precision).
 */
export interface HarEntrySocketScope
  extends Pick<
    Connection,
    | 'id'
    | 'frameId'
    | 'frameUrl'
    | 'protocols'
    | 'protocol'
    | 'extensions'
    | 'createdAt'
    | 'openedAt'
    | 'closedAt'
    | 'closeRequestedAt'
    | 'closeRequestedCode'
    | 'closeRequestedReason'
    | 'close'
    | 'errorAt'
    | 'droppedMessages'
    | 'evictedPreviews'
    | 'handshakeEvidence'
  > {
  /** Present for an EventSource attempt. */
  kind?: 'eventsource';
  reconnectOf?: string;
  withCredentials?: boolean;
  /** Message.index of each exported message (gaps = dropped or filtered out). */
  indices: number[];
  /** Exact epoch ms of each exported message (the seconds in `_webSocketMessages` do not round-trip exactly). */
  timesMs: number[];
  /** Original payload size in bytes of each exported message: a truncated preview loses it. */
  sizes: number[];
  /** Export position → heartbeat role, only for heartbeat messages. */
  heartbeats: Record<string, HeartbeatRole>;
  /** Export positions whose preview is truncated. */
  truncated: number[];
  /** Export positions whose preview was evicted by the memory cap (data is ''). */
  evicted: number[];
  // handshakeEvidence: whether webRequest's handshake was seen; the handshake itself is in request/response as Chrome writes it.
  /** The handshake's times on the browser's clock (epoch ms, exact): request start and response headers. */
  handshakeStartedAt?: number;
  handshakeRespondedAt?: number;
  /** Reproduce and verify: present only when the user's simulation touched this connection. `close`: it was ended by a simulation, not the network; `messages`: export positions sent or injected by the user. */
  simulated?: { close?: true; messages?: number[] };
}

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  /** The opening handshake: createdAt → open (or → failure). */
  wait: number;
  /** The open life of the socket. */
  receive: number;
}

export interface HarEntry {
  pageref: string;
  startedDateTime: string;
  /** Lifetime in ms (creation → close, or → last known activity for a socket still open). */
  time: number;
  request: {
    method: 'GET';
    url: string;
    httpVersion: string;
    headers: HarNameValue[];
    queryString: HarNameValue[];
    cookies: HarNameValue[];
    headersSize: -1;
    bodySize: 0;
  };
  response: {
    /** The handshake's status as the browser saw it (webRequest); without it, 101 when the socket opened, 0 when the handshake failed. */
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarNameValue[];
    cookies: HarNameValue[];
    /** size = bytes received over the socket (what Chrome shows as the resource size). */
    content: { size: number; mimeType: string };
    redirectURL: '';
    headersSize: -1;
    bodySize: -1;
    /** The browser's network error when no HTTP answer came (where Chrome's HAR puts it). */
    _error?: string;
  };
  /** The server's (or first proxy's) IP as the browser reported it; IPv6 in brackets, as Chrome writes it. */
  serverIPAddress?: string;
  cache: Record<string, never>;
  timings: HarTimings;
  /**
   * 'eventsource' for an EventSource attempt: its events are in `_eventSourceMessages`, as Chrome's DevTools write
   * them, and `_webSocketMessages` is empty (kept so that every entry has it).
   */
  _resourceType: 'websocket' | 'eventsource';
  _webSocketMessages: HarWebSocketMessage[];
  _eventSourceMessages?: HarEventSourceMessage[];
  _socketscope: HarEntrySocketScope;
}

export interface HarPage {
  startedDateTime: string;
  id: string;
  title: string;
  pageTimings: Record<string, never>;
}

export interface HarLogSocketScope {
  version: number;
  sessionId: string;
  name?: string;
  tabId?: number;
  pageUrl?: string;
  startedAt: number;
  endedAt?: number;
  /** Where the exported session itself came from (a re-exported Chrome HAR still lacks close info). */
  origin?: Session['source'];
  pageEvents: PageEvent[];
  notes: Note[];
  findings: Finding[];
  dropped: DropCounts;
  redacted?: boolean;
  /** false when heartbeats were left out: silences computed from this file look longer than they were. */
  heartbeatsIncluded: boolean;
  /** Set when the export was limited to a time range (epoch ms). */
  range?: { fromMs?: number; toMs?: number };
}

export interface HarLogBody {
  version: '1.2';
  creator: HarCreator;
  pages: HarPage[];
  entries: HarEntry[];
  _socketscope: HarLogSocketScope;
}

/** A whole HAR document: `JSON.stringify(toHar(session))` is a .har file. */
export interface HarLog {
  log: HarLogBody;
}

export interface ToHarOptions {
  findings?: Finding[];
  /** Default true. When false, messages recognised as heartbeats are left out. */
  includeHeartbeats?: boolean;
  /** Epoch ms: keep only messages, page events and notes at or after this time (and sockets alive then). */
  from?: number;
  /** Epoch ms: keep only messages, page events and notes at or before this time (and sockets created by then). */
  to?: number;
  creator?: HarCreator;
}

export interface HarImport {
  session: Session;
  findings?: Finding[];
  /** The file's format (a SocketScope file of a re-exported Chrome HAR is still 'socketscope-har'; see session.source). */
  source: 'socketscope-har' | 'chrome-har';
  /** Things the user should know about the file (shown in the UI / CLI). */
  warnings: string[];
}
