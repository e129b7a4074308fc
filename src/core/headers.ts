// HTTP headers of a WebSocket handshake as stored in the model: credentials
// never leave the background. Cookie, Set-Cookie, Authorization and
// Proxy-Authorization keep their names only; their values are replaced by a
// fixed marker before anything is stored, shown or exported.
//
// Sec-WebSocket-Protocol is kept: some services carry a token in it (the
// browser offers no other header to a page), which the export's redaction
// (src/core/redact.ts) replaces; views show it as recorded.

import type { HeaderEntry } from './model';

/** Replaces the value of a credential header; never the value itself. */
export const HEADER_VALUE_NOT_RECORDED = '(value not recorded)';

/** Header names (lower case) whose values are never stored. */
export const UNRECORDED_HEADER_NAMES: ReadonlySet<string> = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization']);

/** Headers that may carry a token the page chose (redacted on export, kept in the session). */
export const TOKEN_BEARING_HEADER_NAMES: ReadonlySet<string> = new Set(['sec-websocket-protocol']);

/** A header as webRequest reports it: a string value, or (binary headers) bytes. */
export interface RawHeader {
  name: string;
  value?: string;
  binaryValue?: ArrayLike<number>;
}

/** Bounds on what one handshake may store (a page controls its URL and sub-protocols, a server its headers). */
export const MAX_STORED_HEADERS = 100;
export const MAX_HEADER_VALUE_CHARS = 2048;
const TRUNCATED_SUFFIX = '… (truncated)';

/**
 * Copies headers for storage: credential values replaced by
 * HEADER_VALUE_NOT_RECORDED, binary values decoded as Latin-1 (what HTTP
 * headers are), missing values as ''. Names keep the browser's spelling.
 * At most MAX_STORED_HEADERS headers, values cut at MAX_HEADER_VALUE_CHARS.
 */
export function sanitizeHeaders(headers: readonly RawHeader[] | undefined): HeaderEntry[] {
  if (!headers) return [];
  return headers.slice(0, MAX_STORED_HEADERS).map((header) => {
    const name = String(header.name).slice(0, MAX_HEADER_VALUE_CHARS);
    if (UNRECORDED_HEADER_NAMES.has(name.toLowerCase())) return { name, value: HEADER_VALUE_NOT_RECORDED };
    const raw = header.value ?? (header.binaryValue ? String.fromCharCode(...Array.from(header.binaryValue).slice(0, MAX_HEADER_VALUE_CHARS)) : '');
    const value = String(raw);
    return { name, value: value.length > MAX_HEADER_VALUE_CHARS ? value.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATED_SUFFIX : value };
  });
}

/** Approximate bytes a handshake holds in memory, for the caps (src/core/caps.ts). */
export function handshakeCost(handshake: { requestHeaders: readonly HeaderEntry[]; responseHeaders: readonly HeaderEntry[] } | undefined): number {
  if (!handshake) return 0;
  let bytes = 128;
  for (const header of handshake.requestHeaders) bytes += 32 + header.name.length + header.value.length;
  for (const header of handshake.responseHeaders) bytes += 32 + header.name.length + header.value.length;
  return bytes;
}

/** The first value of a header (names compared case-insensitively). */
export function headerValue(headers: readonly HeaderEntry[] | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers?.find((header) => header.name.toLowerCase() === wanted)?.value;
}

/** Every value of a header, in order (Via and Set-Cookie may repeat). */
export function headerValues(headers: readonly HeaderEntry[] | undefined, name: string): string[] {
  const wanted = name.toLowerCase();
  return (headers ?? []).filter((header) => header.name.toLowerCase() === wanted).map((header) => header.value);
}
