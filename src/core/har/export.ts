// Session → HAR 1.2 (see src/core/har/types.ts for the shape and why).
// Pure: the panel, the background and the node CLI all use it.

import type { CloseInfo, Connection, HeartbeatRole, Session } from '../model';
import { isoDateForFile } from '../format';
import { harHeaders } from '../handshakeHar';
import {
  HAR_PAGE_ID,
  HTTP_SWITCHING_PROTOCOLS,
  SOCKETSCOPE_HAR_VERSION,
  type HarCloseInfo,
  type HarCreator,
  type HarEntry,
  type HarEntrySocketScope,
  type HarEventSourceMessage,
  type HarLog,
  type HarLogSocketScope,
  type HarNameValue,
  type HarWebSocketMessage,
  type ToHarOptions,
} from './types';

const DEFAULT_CREATOR: HarCreator = { name: 'SocketScope', version: __VERSION__ };

export function toHar(session: Session, options: ToHarOptions = {}): HarLog {
  const includeHeartbeats = options.includeHeartbeats ?? true;
  const fromMs = options.from ?? -Infinity;
  const toMs = options.to ?? Infinity;

  const entries: HarEntry[] = [];
  for (const connection of session.connections) {
    // A socket belongs to the range when its life overlaps it; a socket with
    // no close yet is treated as still alive.
    if (connection.createdAt > toMs) continue;
    if (connection.closedAt !== undefined && connection.closedAt < fromMs) continue;
    entries.push(connectionToEntry(connection, session, includeHeartbeats, fromMs, toMs));
  }

  const inRange = (time: number): boolean => time >= fromMs && time <= toMs;
  const extras: HarLogSocketScope = {
    version: SOCKETSCOPE_HAR_VERSION,
    sessionId: session.id,
    name: session.name,
    tabId: session.tabId,
    pageUrl: session.pageUrl,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    origin: session.source,
    pageEvents: session.pageEvents.filter((event) => inRange(event.time)),
    notes: session.notes.filter((note) => inRange(note.time)),
    findings: options.findings ?? [],
    dropped: session.dropped,
    redacted: session.redacted,
    heartbeatsIncluded: includeHeartbeats,
  };
  if (options.from !== undefined || options.to !== undefined) {
    extras.range = { fromMs: options.from, toMs: options.to };
  }

  return {
    log: {
      version: '1.2',
      creator: options.creator ?? DEFAULT_CREATOR,
      pages: [
        {
          startedDateTime: isoDateForFile(session.startedAt),
          id: HAR_PAGE_ID,
          title: session.pageUrl ?? '',
          pageTimings: {},
        },
      ],
      entries,
      _socketscope: extras,
    },
  };
}

function connectionToEntry(
  connection: Connection,
  session: Session,
  includeHeartbeats: boolean,
  fromMs: number,
  toMs: number,
): HarEntry {
  const webSocketMessages: HarWebSocketMessage[] = [];
  const indices: number[] = [];
  const timesMs: number[] = [];
  const sizes: number[] = [];
  const truncated: number[] = [];
  const evicted: number[] = [];
  const simulatedMessages: number[] = [];
  const heartbeats: Record<string, HeartbeatRole> = {};
  const eventSourceMessages: HarEventSourceMessage[] = [];
  const eventSource = connection.kind === 'eventsource';
  let receivedBytes = 0;

  for (const message of connection.messages) {
    if (message.time < fromMs || message.time > toMs) continue;
    if (!includeHeartbeats && message.heartbeat !== undefined) continue;
    const exportIndex = webSocketMessages.length;
    webSocketMessages.push({
      type: message.direction,
      time: message.time / 1000,
      opcode: message.opcode,
      data: message.preview,
    });
    if (eventSource) eventSourceMessages.push({ time: message.time / 1000, eventName: message.event ?? 'message', eventId: message.lastEventId ?? '', data: message.preview });
    indices.push(message.index);
    timesMs.push(message.time);
    sizes.push(message.size);
    if (message.truncated) truncated.push(exportIndex);
    if (message.evicted) evicted.push(exportIndex);
    if (message.simulated) simulatedMessages.push(exportIndex);
    if (message.heartbeat !== undefined) heartbeats[exportIndex] = message.heartbeat;
    if (message.direction === 'receive') receivedBytes += message.size;
  }

  const lifetimeMs = Math.max(0, connectionEnd(connection, session) - connection.createdAt);
  const handshakeEnd = connection.openedAt ?? connection.errorAt ?? connection.closedAt ?? connection.createdAt;
  // HAR wants send + wait + receive = time; the handshake is the "wait".
  const handshakeMs = Math.min(lifetimeMs, Math.max(0, handshakeEnd - connection.createdAt));
  const opened = connection.openedAt !== undefined;

  // The handshake as the browser saw it (webRequest), when it was: request and response headers, status, IP, as in Chrome's HAR.
  const handshake = connection.handshake ? harHeaders(connection.handshake) : undefined;
  const responseHeaders: HarNameValue[] = handshake?.response.headers ?? [];
  if (!handshake) {
    if (connection.protocol) responseHeaders.push({ name: 'Sec-WebSocket-Protocol', value: connection.protocol });
    if (connection.extensions) responseHeaders.push({ name: 'Sec-WebSocket-Extensions', value: connection.extensions });
  }
  const waitMs = handshake?.waitMs !== undefined ? Math.min(lifetimeMs, handshake.waitMs) : handshakeMs;

  const extras: HarEntrySocketScope = {
    id: connection.id,
    frameId: connection.frameId,
    frameUrl: connection.frameUrl,
    protocols: connection.protocols,
    protocol: connection.protocol,
    extensions: connection.extensions,
    createdAt: connection.createdAt,
    openedAt: connection.openedAt,
    closedAt: connection.closedAt,
    closeRequestedAt: connection.closeRequestedAt,
    closeRequestedCode: connection.closeRequestedCode,
    closeRequestedReason: connection.closeRequestedReason,
    close: connection.close ? closeToHar(connection.close) : undefined,
    errorAt: connection.errorAt,
    indices,
    timesMs,
    sizes,
    heartbeats,
    truncated,
    evicted,
    droppedMessages: connection.droppedMessages,
    evictedPreviews: connection.evictedPreviews,
    handshakeEvidence: connection.handshakeEvidence,
    handshakeStartedAt: connection.handshake?.startedAt,
    handshakeRespondedAt: connection.handshake?.respondedAt,
  };
  if (connection.close?.simulated || simulatedMessages.length) {
    extras.simulated = {};
    if (connection.close?.simulated) extras.simulated.close = true;
    if (simulatedMessages.length) extras.simulated.messages = simulatedMessages;
  }

  const response: HarEntry['response'] = {
    status: handshake ? handshake.response.status : opened ? HTTP_SWITCHING_PROTOCOLS : 0,
    statusText: handshake ? handshake.response.statusText : opened ? 'Switching Protocols' : '',
    httpVersion: handshake ? handshake.response.httpVersion : opened ? 'HTTP/1.1' : '',
    headers: responseHeaders,
    cookies: [],
    content: { size: receivedBytes, mimeType: '' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
  };
  if (connection.handshake?.error) response._error = connection.handshake.error;


  if (eventSource) {
    extras.kind = 'eventsource';
    if (connection.reconnectOf !== undefined) extras.reconnectOf = connection.reconnectOf;
    if (connection.withCredentials) extras.withCredentials = true;
  }
  const entry: HarEntry = {
    pageref: HAR_PAGE_ID,
    startedDateTime: isoDateForFile(connection.createdAt),
    time: lifetimeMs,
    request: {
      method: 'GET',
      url: connection.url,
      httpVersion: 'HTTP/1.1',
      headers: handshake?.request.headers ?? [],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response,
    cache: {},
    timings: {
      blocked: -1,
      dns: -1,
      connect: -1,
      ssl: -1,
      send: 0,
      wait: waitMs,
      receive: lifetimeMs - waitMs,
    },
    _resourceType: 'websocket',
    _webSocketMessages: webSocketMessages,
    _socketscope: extras,
  };
  if (handshake?.serverIPAddress) entry.serverIPAddress = handshake.serverIPAddress;

  if (eventSource) {
    // As Chrome's DevTools write an event stream: status 200, text/event-stream, `_eventSourceMessages`.
    entry._resourceType = 'eventsource';
    entry._webSocketMessages = [];
    entry._eventSourceMessages = eventSourceMessages;
    if (opened) Object.assign(entry.response, { status: 200, statusText: 'OK' });
    entry.response.content.mimeType = 'text/event-stream';
  }
  return entry;
}

function closeToHar(close: CloseInfo): HarCloseInfo {
  const out: HarCloseInfo = {
    time: close.time,
    code: close.code,
    reason: close.reason,
    wasClean: close.wasClean,
    initiator: close.initiator,
  };
  if (close.requestedCode !== undefined) out.requestedCode = close.requestedCode;
  if (close.requestedReason !== undefined) out.requestedReason = close.requestedReason;
  return out;
}

/** End of a socket's life: its close, or for a socket still open, the last thing we know happened. */
function connectionEnd(connection: Connection, session: Session): number {
  if (connection.closedAt !== undefined) return connection.closedAt;
  let end = connection.createdAt;
  if (connection.openedAt !== undefined) end = Math.max(end, connection.openedAt);
  if (connection.errorAt !== undefined) end = Math.max(end, connection.errorAt);
  const last = connection.messages[connection.messages.length - 1];
  if (last) end = Math.max(end, last.time);
  if (session.endedAt !== undefined) end = Math.max(end, session.endedAt);
  return end;
}
