// Redaction of a session before it leaves the machine (export with "Redact"
// checked). Pure: no browser or node API, used by the panel, the viewer and
// the tests.
//
// The rule is "replace the secret, touch nothing else": every replacement
// swaps one value for the marker in place, so the rest of a URL or payload
// stays byte-identical (a JSON payload is edited at the value's exact span,
// never re-serialized, so its spacing, key order and number spelling survive).
//
// What is replaced (see docs/qa.md and README's "Redact secrets"):
//  - parameters whose name is a secret (src/core/secretNames.ts: token,
//    secret, password/pass/pwd, auth, session/sid, key, csrf, otp, bearer,
//    signature, credential... matched by words, so not `keyboard`, `monkey`),
//    in URL queries and fragments, and as `name=value` at the start of a text,
//    of a line or after a space (form-encoded payloads); the password of
//    `user:password@host`;
//  - in text payloads: the values of secret-named JSON keys and of the keys the
//    user lists, at any depth (the whole value, even an object), also in JSON
//    held by a JSON string (Action Cable's `identifier`, STOMP inside SockJS),
//    3 strings deep; `Name: value` lines with a secret name (Authorization,
//    Cookie, Set-Cookie, passcode) and STOMP CONNECT's `login`;
//    `Bearer …` / `Basic …` credentials and JWTs anywhere;
//  - sub-protocol credentials (`['access_token', token]`, k8s's
//    `base64url.bearer.authorization.k8s.io.<token>`, a bare long token, a JWT)
//    in the requested protocols and the negotiated one (the HAR's
//    Sec-WebSocket-Protocol header);
//  - the same rules in close reasons, page URLs, frame URLs, page event
//    details, notes, the session name and the findings' text.
// Binary payloads are kept as they are: their format is unknown.

import type { Connection, Message, Session } from './model';
import { redactHandshake } from './handshakeHar';
import type { Finding } from './finding';
import { isSecretName, normalizeName } from './secretNames';

export { normalizeName };

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


export interface Redactor {
  /** Redacts free text (close reasons, notes, names, event details): URLs, `name=value`, `"key": value` pairs, header-like lines, credentials. */
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
  // Names are matched by words, see src/core/secretNames.ts (auth_key, SecretAccessKey, sid; not keyboard).
  const isSecretParam = cached((rawName: string): boolean => isSecretName(safeDecode(rawName), queryNames));
  const isSecretKey = cached((key: string): boolean => isSecretName(key, jsonKeys));

  const url = (input: string): string => {
    if (!input) return input;
    let out = input.replace(URL_PARAM, (match: string, lead: string, name: string) =>
      isSecretParam(name) ? `${lead}${name}=${REDACTED_MARKER}` : match,
    );
    out = out.replace(USERINFO_PASSWORD, `$1$2:${REDACTED_MARKER}@`);
    out = out.replace(AUTH_SCHEME_CREDENTIAL, `$1 ${REDACTED_MARKER}`);
    out = out.replace(JWT, REDACTED_MARKER);
    return out;
  };

  /** Everything but JSON: header-like lines, STOMP CONNECT's login, `name=value` after a start, line or space, then the URL rules. */
  const plain = (input: string): string => {
    // Plain-text protocols (STOMP, HTTP-like text frames) carry credentials as `Name: value` lines.
    let out = input.replace(HEADER_LINE, (match: string, head: string, name: string) => (isSecretKey(name) ? head + REDACTED_MARKER : match));
    // STOMP's CONNECT names the user in `login`; elsewhere `login` is just a word.
    if (STOMP_CONNECT.test(out)) out = out.replace(STOMP_LOGIN, `$1${REDACTED_MARKER}`);
    // Form-encoded payloads and free text: `token=…&a=1`, `… sid=…` (after `?`/`&` the URL rule below applies).
    out = out.replace(LEADING_PARAM, (match: string, lead: string, name: string) =>
      isSecretParam(name) ? `${lead}${name}=${REDACTED_MARKER}` : match,
    );
    return url(out);
  };

  const text = (input: string): string => (input ? plain(redactLooseJson(input, isSecretKey)) : input);

  /** `level` counts JSON strings opened so far: text inside a JSON string is redacted as a payload of its own, to MAX_STRING_NESTING. */
  const payloadAt = (input: string, level: number): string => {
    if (!input) return input;
    const nested = level < MAX_STRING_NESTING ? (inner: string) => payloadAt(inner, level + 1) : undefined;
    const json = redactJson(input, isSecretKey, nested);
    return json !== undefined ? plain(json) : text(input);
  };
  const payload = (input: string): string => payloadAt(input, 0);

  return { text, url, payload };
}

/** Payloads repeat the same few names: remember the answers (a bounded number of them). */
function cached(test: (name: string) => boolean): (name: string) => boolean {
  const answers = new Map<string, boolean>();
  return (name) => {
    let answer = answers.get(name);
    if (answer === undefined) {
      answer = test(name);
      if (answers.size >= 10_000) answers.clear();
      answers.set(name, answer);
    }
    return answer;
  };
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
    protocols: connection.protocols.map((protocol, i) => redactProtocol(protocol, connection.protocols[i - 1], redactor)),
    messages: connection.messages.map((message) => redactMessage(message, redactor)),
  };
  if (connection.protocol !== undefined) {
    // The server echoes one of the requested entries: redact it as that entry was.
    const at = connection.protocols.indexOf(connection.protocol);
    copy.protocol = at >= 0 ? copy.protocols[at] : redactProtocol(connection.protocol, undefined, redactor);
  }
  if (connection.closeRequestedReason !== undefined) copy.closeRequestedReason = redactor.text(connection.closeRequestedReason);
  if (connection.close) {
    copy.close = { ...connection.close, reason: redactor.text(connection.close.reason) };
    if (connection.close.requestedReason !== undefined) copy.close.requestedReason = redactor.text(connection.close.requestedReason);
  }
  // Headers: tokens in Sec-WebSocket-Protocol, URLs with token parameters, Bearer values (credential headers were never stored).
  if (connection.handshake) copy.handshake = redactHandshake(connection.handshake, redactor, REDACTED_MARKER);
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
    ...(finding.identified ? { identified: finding.identified.map((item) => ({ ...item, evidence: redactor.text(item.evidence) })) } : {}),
  }));
}

/** Token characters a sub-protocol's credential is made of (RFC 6455 sub-protocols are RFC 7230 tokens). */
const PROTOCOL_CREDENTIAL = /^(.*?[.:_~-])?([A-Za-z0-9+/=_~-]{16,})$/;
/** Words in a sub-protocol entry that say the rest (or the next entry) is a credential. */
const PROTOCOL_MARKER = /(?:^|[.:_~-])(?:access[._-]?token|token|bearer|authorization|auth|jwt|apikey|api[._-]?key|secret|key)(?:$|[.:_~-])/i;

/**
 * One requested sub-protocol. Sockets that cannot send headers often
 * authenticate with a sub-protocol: `['access_token', token]`,
 * `['Bearer', token]`, `base64url.bearer.authorization.k8s.io.<token>`, or the
 * bare token. Redacted: an entry after a marker entry (access_token, Bearer,
 * token, Authorization...), the credential tail of an entry with a marker
 * word, JWTs, and any entry of 32 or more token characters mixing letters and
 * digits (no protocol name looks like that).
 */
function redactProtocol(protocol: string, previous: string | undefined, redactor: Redactor): string {
  // A marker entry is a short name (access_token, Bearer), not an entry carrying its own credential.
  const marker = previous !== undefined && /^[A-Za-z_.-]{1,40}$/.test(previous) && isSecretName(previous);
  if (marker && !PROTOCOL_MARKER.test(`.${protocol}.`)) {
    return REDACTED_MARKER;
  }
  const tail = PROTOCOL_CREDENTIAL.exec(protocol);
  if (tail) {
    const [, head = '', credential] = tail;
    if (head && PROTOCOL_MARKER.test(head)) return head + REDACTED_MARKER;
    if (credential.length >= 32 && /\d/.test(credential) && /[A-Za-z]/.test(credential) && !head) return REDACTED_MARKER;
  }
  return redactor.url(protocol);
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

/** `Authorization: ...` / `passcode:...` / `Cookie: ...` lines (the name is checked in the replacer); the value runs to the end of the line. */
const HEADER_LINE = /^([ \t]*([A-Za-z][A-Za-z0-9_.-]*)[ \t]*:[ \t]*)(?!\[REDACTED\])(\S[^\r\n]*)$/gm;
/** A STOMP CONNECT (or STOMP) frame. */
const STOMP_CONNECT = /^(?:CONNECT|STOMP)\r?\n/;
const STOMP_LOGIN = /^(login[ \t]*:[ \t]*)(?!\[REDACTED\])(\S[^\r\n]*)$/gm;
/** `name=value` at the start of the text, of a line, or after a space (form-encoded payloads, free text). */
const LEADING_PARAM = /(^|[\s])([A-Za-z_][^=&#;?\s"'<>\\/:]*)=(?!\[REDACTED\])([^&#;\s"'<>\\]+)/g;

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
  /** The JSON text to put there; the marker when absent. */
  replacement?: string;
}

const MAX_DEPTH = 256;
/**
 * JSON strings holding a payload of their own (Action Cable's `identifier`,
 * `{"data":"{\"token\":…}"}`, STOMP inside SockJS's `a["CONNECT\n…"]`) are
 * redacted inside, this many strings deep.
 */
const MAX_STRING_NESTING = 3;
/** A string worth decoding: it holds JSON, lines, or starts like `name=value`. */
const NESTED_PAYLOAD = /[{[]|\\[nr]|^"[A-Za-z_][^"=&\s]*=/;

/**
 * Redacts the values of secret keys in a JSON text, or in a JSON text behind a
 * short non-JSON prefix (Socket.IO's `42["event",{...}]`). Returns undefined
 * when the text is not JSON.
 */
function redactJson(text: string, isSecretKey: (key: string) => boolean, nested?: (inner: string) => string): string | undefined {
  const first = firstJsonStart(text);
  if (first < 0) return undefined;
  const spans: Span[] = [];
  const scanner = new JsonScanner(text, first, isSecretKey, spans, nested);
  try {
    scanner.value(0);
    scanner.whitespace();
    if (scanner.at !== text.length) return undefined;
  } catch {
    return undefined;
  }
  return applySpans(text, spans);
}

/** Where a JSON value may start: the whole text, after a prefix of digits (Socket.IO / Engine.IO packet types), or after SockJS's `a`. */
function firstJsonStart(text: string): number {
  // SockJS: `a[...]` (messages) and `c[...]` (close).
  if ((text[0] === 'a' || text[0] === 'c') && text[1] === '[') return 1;
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
    out += text.slice(at, span.start) + (span.replacement ?? JSON.stringify(REDACTED_MARKER));
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
    private readonly nested?: (inner: string) => string,
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
    else if (c === '"') this.stringValue();
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
      const mark = this.spans.length;
      this.value(depth + 1);
      if (this.isSecretKey(key)) {
        // The whole value goes: drop what was redacted inside it.
        this.spans.length = mark;
        this.spans.push({ start: valueStart, end: this.at });
      }
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

  /** A string value: when it holds a payload of its own, that payload is redacted too. */
  stringValue(): void {
    const start = this.at;
    this.string();
    if (!this.nested || this.at - start < 4) return;
    const raw = this.text.slice(start, this.at);
    if (!NESTED_PAYLOAD.test(raw)) return;
    const inner = JSON.parse(raw) as string;
    const redacted = this.nested(inner);
    if (redacted !== inner) this.spans.push({ start, end: this.at, replacement: JSON.stringify(redacted) });
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
