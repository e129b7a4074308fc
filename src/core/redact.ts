// Redaction of a session before it leaves the machine (export with "Redact"
// checked). Pure: no browser or node API, used by the panel, the viewer and
// the tests.
//
// The rule is "replace the secret, touch nothing else": every replacement
// swaps one value for the marker in place, so the rest of a URL or payload
// stays byte-identical (a JSON payload is edited at the value's exact span,
// never re-serialized, so its spacing, key order and number spelling survive).
//
// What is replaced (see docs/qa.md):
//  - URL query and fragment parameters whose name looks like a credential
//    (token, access_token, auth, key, apikey, password, secret, session, sig,
//    signature, jwt, code, ... and any name ending in token/secret/password/
//    signature/apikey), and the password of `user:password@host`;
//  - in text payloads: the values of Authorization-like JSON keys and of the
//    keys the user lists, at any depth (the whole value, even an object);
//    `Bearer …` / `Basic …` credentials and JWTs anywhere; `Authorization:`-like
//    header lines (STOMP, plain-text protocols);
//  - the same URL and credential patterns in close reasons, page event details,
//    notes and the findings' text.
// Binary payloads are kept as they are: their format is unknown.

import type { Connection, Message, Session } from './model';
import type { Finding } from './finding';

export const REDACTED_MARKER = '[REDACTED]';

export interface RedactOptions {
  /** Extra JSON keys (and query parameter names) to redact, e.g. ['email', 'userId']. Matched like the defaults. */
  keys?: string[];
}

/** Query parameter names redacted by default (compared after `normalizeName`). */
export const DEFAULT_QUERY_PARAMS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'authorization',
  'key',
  'apikey',
  'api_key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'session',
  'sessionid',
  'session_token',
  'sig',
  'signature',
  'jwt',
  'code',
  'ticket',
  'credential',
  'credentials',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-credential',
];

/** JSON keys (and header-like line names) redacted by default, compared after `normalizeName`. */
export const DEFAULT_JSON_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'apikey',
  'api_key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'auth',
  'password',
  'passwd',
  'passcode',
  'secret',
  'client_secret',
  'jwt',
  'session_id',
  'session_token',
  'signature',
  'credentials',
  'private_key',
];

/** Any name ending like this is a credential too (accessToken, db_password, x-amz-signature, googleApiKey). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'signature', 'apikey'];

/** Lower case, without '-', '_' and '.': `X-Api-Key`, `x_api_key` and `xApiKey` are the same name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

export interface Redactor {
  /** Redacts URLs, credentials and header-like lines in free text (not JSON-aware). */
  text(text: string): string;
  /** Redacts a URL (query, fragment, userinfo password). */
  url(url: string): string;
  /** Redacts a text message payload: JSON-aware when it is (or ends with) JSON. */
  payload(text: string): string;
}

export function createRedactor(options: RedactOptions = {}): Redactor {
  const extra = (options.keys ?? []).map((key) => normalizeName(key.trim())).filter((key) => key.length > 0);
  const queryNames = new Set([...DEFAULT_QUERY_PARAMS.map(normalizeName), ...extra]);
  const jsonKeys = new Set([...DEFAULT_JSON_KEYS.map(normalizeName), ...extra]);
  const bySuffix = (name: string): boolean => SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
  const isSecretParam = (rawName: string): boolean => {
    const name = normalizeName(safeDecode(rawName));
    return queryNames.has(name) || bySuffix(name);
  };
  const isSecretKey = (key: string): boolean => {
    const name = normalizeName(key);
    return jsonKeys.has(name) || bySuffix(name);
  };
  const headerLine = headerLinePattern(jsonKeys);

  const text = (input: string): string => {
    if (!input) return input;
    let out = input.replace(URL_PARAM, (match: string, lead: string, name: string) =>
      isSecretParam(name) ? `${lead}${name}=${REDACTED_MARKER}` : match,
    );
    out = out.replace(USERINFO_PASSWORD, `$1$2:${REDACTED_MARKER}@`);
    out = out.replace(AUTH_SCHEME_CREDENTIAL, `$1 ${REDACTED_MARKER}`);
    out = out.replace(JWT, REDACTED_MARKER);
    return out;
  };

  const payload = (input: string): string => {
    if (!input) return input;
    const json = redactJson(input, isSecretKey) ?? redactLooseJson(input, isSecretKey);
    // Plain-text protocols (STOMP's CONNECT, IRC-like lines) carry credentials as `Name: value` lines.
    return text(json.replace(headerLine, (_match, head: string) => head + REDACTED_MARKER));
  };

  return { text, url: text, payload };
}

/** A copy of the session with secrets replaced; `redacted` is set. The input is not changed. */
export function redactSession(session: Session, options: RedactOptions = {}): Session {
  const redactor = createRedactor(options);
  const copy: Session = {
    ...session,
    connections: session.connections.map((connection) => redactConnection(connection, redactor)),
    pageEvents: session.pageEvents.map((event) => (event.detail === undefined && event.frameUrl === undefined
      ? { ...event }
      : {
          ...event,
          ...(event.detail !== undefined ? { detail: redactor.text(event.detail) } : {}),
          ...(event.frameUrl !== undefined ? { frameUrl: redactor.url(event.frameUrl) } : {}),
        })),
    notes: session.notes.map((note) => ({ ...note, text: redactor.text(note.text) })),
    dropped: { ...session.dropped },
    redacted: true,
  };
  if (session.pageUrl !== undefined) copy.pageUrl = redactor.url(session.pageUrl);
  if (session.name !== undefined) copy.name = redactor.text(session.name);
  return copy;
}

function redactConnection(connection: Connection, redactor: Redactor): Connection {
  const copy: Connection = {
    ...connection,
    url: redactor.url(connection.url),
    frameUrl: redactor.url(connection.frameUrl),
    protocols: [...connection.protocols],
    messages: connection.messages.map((message) => redactMessage(message, redactor)),
  };
  if (connection.closeRequestedReason !== undefined) copy.closeRequestedReason = redactor.text(connection.closeRequestedReason);
  if (connection.close) {
    copy.close = { ...connection.close, reason: redactor.text(connection.close.reason) };
    if (connection.close.requestedReason !== undefined) copy.close.requestedReason = redactor.text(connection.close.requestedReason);
  }
  return copy;
}

function redactMessage(message: Message, redactor: Redactor): Message {
  // Binary previews are base64 of an unknown format: kept as they are.
  if (message.opcode !== 1 || !message.preview) return { ...message };
  return { ...message, preview: redactor.payload(message.preview) };
}

/** Findings quote URLs (with their query) in their text: redact those too. */
export function redactFindings(findings: Finding[], options: RedactOptions = {}): Finding[] {
  const redactor = createRedactor(options);
  return findings.map((finding) => ({
    ...finding,
    title: redactor.text(finding.title),
    detail: redactor.text(finding.detail),
    fix: redactor.text(finding.fix),
    connections: [...finding.connections],
  }));
}

// ---------------------------------------------------------------------------
// Patterns

/** `?name=value`, `&name=value`, `#name=value`, `;name=value`: the value ends at the next separator, quote, space or backslash. */
const URL_PARAM = /([?&#;])([^=&#;?\s"'<>\\/]+)=([^&#;\s"'<>\\]*)/g;
/** `scheme://user:password@`: the password goes. */
const USERINFO_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/?#@\s:"']+):[^/?#@\s"']*@/gi;
/** An HTTP auth scheme followed by its credential (`Bearer abc.def`, `Basic dXNlcjpw`): 8 characters or more, so prose ("Basic plan") is left alone. */
const AUTH_SCHEME_CREDENTIAL = /\b(Bearer|bearer|BEARER|Basic|Digest|Negotiate)\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]{8,}=*/g;
/** A JSON Web Token: three base64url parts, the first two starting with '{"' encoded. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** `Authorization: ...` / `passcode:...` lines; the value runs to the end of the line. */
function headerLinePattern(names: Set<string>): RegExp {
  // Header names are matched normalized, so accept any spelling and check in the replacer... a RegExp
  // cannot normalize: list the usual spellings of every name instead.
  const spellings = new Set<string>();
  for (const name of names) {
    spellings.add(escapeRegExp(name));
  }
  for (const name of DEFAULT_JSON_KEYS) spellings.add(escapeRegExp(name));
  return new RegExp(`^([ \\t]*(?:${[...spellings].join('|')})[ \\t]*:[ \\t]*)(?!\\[REDACTED\\])(\\S[^\\r\\n]*)$`, 'gim');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------
// JSON, edited in place

interface Span {
  start: number;
  end: number;
}

const MAX_DEPTH = 256;

/**
 * Redacts the values of secret keys in a JSON text, or in a JSON text behind a
 * short non-JSON prefix (Socket.IO's `42["event",{...}]`). Returns undefined
 * when the text is not JSON.
 */
function redactJson(text: string, isSecretKey: (key: string) => boolean): string | undefined {
  const first = firstJsonStart(text);
  if (first < 0) return undefined;
  const spans: Span[] = [];
  const scanner = new JsonScanner(text, first, isSecretKey, spans);
  try {
    scanner.value(0);
    scanner.whitespace();
    if (scanner.at !== text.length) return undefined;
  } catch {
    return undefined;
  }
  return applySpans(text, spans);
}

/** Where a JSON value may start: the whole text, or after a prefix of digits (Socket.IO / Engine.IO packet types). */
function firstJsonStart(text: string): number {
  let i = 0;
  while (i < text.length && i < 32 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const c = text[i];
  if (c === '{' || c === '[') return i;
  // A bare top-level JSON value with no prefix (a string, number...) has no keys: nothing to do, but it is JSON.
  return i === 0 ? 0 : -1;
}

function applySpans(text: string, spans: Span[]): string {
  if (!spans.length) return text;
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + JSON.stringify(REDACTED_MARKER);
    at = span.end;
  }
  return out + text.slice(at);
}

class JsonScanner {
  at: number;
  constructor(
    private readonly text: string,
    start: number,
    private readonly isSecretKey: (key: string) => boolean,
    private readonly spans: Span[],
  ) {
    this.at = start;
  }

  whitespace(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.at++;
      else break;
    }
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) throw new Error('too deep');
    this.whitespace();
    const c = this.text[this.at];
    if (c === '{') this.object(depth);
    else if (c === '[') this.array(depth);
    else if (c === '"') this.string();
    else this.literal();
  }

  object(depth: number): void {
    this.at++;
    this.whitespace();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.at] !== '"') throw new Error('key expected');
      const keyStart = this.at;
      this.string();
      const key = JSON.parse(this.text.slice(keyStart, this.at)) as string;
      this.whitespace();
      if (this.text[this.at] !== ':') throw new Error('colon expected');
      this.at++;
      this.whitespace();
      const valueStart = this.at;
      this.value(depth + 1);
      if (this.isSecretKey(key)) this.spans.push({ start: valueStart, end: this.at });
      this.whitespace();
      const next = this.text[this.at++];
      if (next === '}') return;
      if (next !== ',') throw new Error('comma expected');
    }
  }

  array(depth: number): void {
    this.at++;
    this.whitespace();
    if (this.text[this.at] === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.whitespace();
      const next = this.text[this.at++];
      if (next === ']') return;
      if (next !== ',') throw new Error('comma expected');
    }
  }

  string(): void {
    const text = this.text;
    this.at++;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c === 92) this.at += 2;
      else if (c === 34) {
        this.at++;
        return;
      } else this.at++;
    }
    throw new Error('unterminated string');
  }

  literal(): void {
    const match = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) throw new Error('value expected');
    this.at += match[0].length;
  }
}

/**
 * For text that is not valid JSON (a truncated preview, JSON inside another
 * format): `"key": "value"` / `"key": 123` pairs whose key is secret. An
 * unterminated string value (cut by the preview cap) is redacted to the end.
 */
function redactLooseJson(text: string, isSecretKey: (key: string) => boolean): string {
  return text.replace(
    /"((?:[^"\\\r\n]|\\.){1,200})"(\s*:\s*)("(?:[^"\\]|\\.)*(?:"|\\?$)|-?\d[\d.eE+-]*|true|false|null)/g,
    (match: string, rawKey: string, colon: string) => {
      let key = rawKey;
      try {
        key = JSON.parse(`"${rawKey}"`) as string;
      } catch {
        /* keep the raw key */
      }
      return isSecretKey(key) ? `"${rawKey}"${colon}${JSON.stringify(REDACTED_MARKER)}` : match;
    },
  );
}
