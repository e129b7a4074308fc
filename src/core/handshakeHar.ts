// The handshake (HandshakeInfo) in HAR terms, both ways, and its redaction
// for export. Pure helpers for src/core/har.ts and src/core/redact.ts, which
// wire them in: an entry then carries what Chrome's own HAR carries for a
// WebSocket (request.headers, response.status/statusText/httpVersion/headers,
// serverIPAddress), so a SocketScope file and a Chrome HAR read the same.

import { HEADER_VALUE_NOT_RECORDED, sanitizeHeaders } from './headers';
import type { HandshakeInfo, HeaderEntry } from './model';
import type { Redactor } from './redact';

/** The HAR fields a handshake fills (the rest of the entry is har.ts's). */
export interface HarHandshakeFields {
  request: { headers: HeaderEntry[] };
  response: { status: number; statusText: string; httpVersion: string; headers: HeaderEntry[] };
  /** As Chrome writes it: IPv6 in brackets, no port. Absent when unknown. */
  serverIPAddress?: string;
  /** Request start → response headers, ms (HAR timings.wait), when both are known. */
  waitMs?: number;
}

const REASON_101 = 'Switching Protocols';

/** '2001:db8::1' → '[2001:db8::1]' (Chrome's HAR), IPv4 unchanged. */
export function harIpAddress(ip: string): string {
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}

/** The HAR request/response fields of a recorded handshake. Headers are copied (already sanitised when stored). */
export function harHeaders(handshake: HandshakeInfo): HarHandshakeFields {
  const answered = handshake.status !== 0;
  const fields: HarHandshakeFields = {
    request: { headers: handshake.requestHeaders.map((header) => ({ ...header })) },
    response: {
      status: handshake.status,
      statusText: handshake.statusText ?? (handshake.status === 101 ? REASON_101 : ''),
      httpVersion: answered ? (handshake.httpVersion ?? 'HTTP/1.1') : '',
      headers: handshake.responseHeaders.map((header) => ({ ...header })),
    },
  };
  if (handshake.remoteIp) fields.serverIPAddress = harIpAddress(handshake.remoteIp);
  if (handshake.respondedAt !== undefined) fields.waitMs = Math.max(0, handshake.respondedAt - handshake.startedAt);
  return fields;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function harHeaderList(value: unknown): HeaderEntry[] {
  if (!Array.isArray(value)) return [];
  return sanitizeHeaders(
    value.filter(isRecord).filter((header) => typeof header.name === 'string').map((header) => ({
      name: header.name as string,
      value: typeof header.value === 'string' ? header.value : '',
    })),
  );
}

/**
 * The handshake of an imported HAR entry (ours or Chrome's), or undefined when
 * the entry has no headers and no status worth keeping. Cookie and
 * Authorization values from Chrome's HAR are dropped here, as when recording.
 */
export function handshakeFromHar(entry: unknown, startedAt: number): HandshakeInfo | undefined {
  if (!isRecord(entry)) return undefined;
  const request = isRecord(entry.request) ? entry.request : {};
  const response = isRecord(entry.response) ? entry.response : {};
  const requestHeaders = harHeaderList(request.headers);
  const responseHeaders = harHeaderList(response.headers);
  const status = typeof response.status === 'number' && Number.isFinite(response.status) ? response.status : 0;
  const error = typeof response._error === 'string' && response._error ? response._error : undefined;
  // A handshake that failed before any header (Chrome's net::ERR_FAILED) is still worth its error.
  if (!requestHeaders.length && !responseHeaders.length && error === undefined) return undefined;
  const handshake: HandshakeInfo = { status, requestHeaders, responseHeaders, startedAt };
  if (typeof response.statusText === 'string' && response.statusText) handshake.statusText = response.statusText;
  if (typeof response.httpVersion === 'string' && /^HTTP\/[\d.]+$/i.test(response.httpVersion)) handshake.httpVersion = response.httpVersion.toUpperCase();
  if (typeof entry.serverIPAddress === 'string' && entry.serverIPAddress) handshake.remoteIp = entry.serverIPAddress.replace(/^\[(.*)\]$/, '$1');
  const timings = isRecord(entry.timings) ? entry.timings : {};
  const before = ['blocked', 'dns', 'connect', 'send', 'wait']
    .map((phase) => timings[phase])
    .filter((ms): ms is number => typeof ms === 'number' && ms > 0)
    .reduce((sum, ms) => sum + ms, 0);
  if (status !== 0 && before > 0) handshake.respondedAt = startedAt + before;
  // Chrome's HAR puts a failed request's net error in response._error (as seen in exports; not a HAR 1.2 field).
  if (error !== undefined) handshake.error = error;
  return handshake;
}

/** Sub-protocol names that are names, not credentials: short, lower-case words ('graphql-ws', 'v12.stomp', 'mqtt', 'access_token'). */
const PLAIN_PROTOCOL = /^[a-z][a-z0-9._-]{0,30}$/i;

/**
 * A sub-protocol list with the items that look like credentials replaced:
 * some services pass a token as a sub-protocol (Kubernetes'
 * 'base64url.bearer.authorization.k8s.io.<token>', ['access_token', <jwt>]),
 * the only header a page can set on a WebSocket.
 */
export function redactProtocolList(protocols: readonly string[], marker: string): string[] {
  return protocols.map((item) => {
    const plain = PLAIN_PROTOCOL.test(item) && !/bearer|authoriz/i.test(item) && (item.match(/\d/g)?.length ?? 0) < 6;
    return plain ? item : marker;
  });
}

/** Header names whose values the export treats as a sub-protocol list. */
const PROTOCOL_HEADERS = new Set(['sec-websocket-protocol']);

/**
 * A copy of a handshake for export: Sec-WebSocket-Protocol items that look
 * like tokens replaced, every other value through the redactor's text rules
 * (URLs with token parameters in Origin/Referer/Location, Bearer credentials,
 * JWTs). Credential headers are already HEADER_VALUE_NOT_RECORDED.
 */
export function redactHandshake(handshake: HandshakeInfo, redactor: Redactor, marker: string): HandshakeInfo {
  const redactHeader = (header: HeaderEntry): HeaderEntry => {
    if (header.value === HEADER_VALUE_NOT_RECORDED) return { ...header };
    if (PROTOCOL_HEADERS.has(header.name.toLowerCase())) {
      const items = header.value.split(',').map((item) => item.trim());
      return { name: header.name, value: redactProtocolList(items, marker).join(', ') };
    }
    return { name: header.name, value: redactor.text(header.value) };
  };
  return {
    ...handshake,
    requestHeaders: handshake.requestHeaders.map(redactHeader),
    responseHeaders: handshake.responseHeaders.map(redactHeader),
  };
}
