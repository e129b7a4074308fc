// Every redaction case, input -> expected output, and a walk of whole exports
// seeded with every secret (src/core/redact.ts, src/core/secretNames.ts).
import { describe, expect, it } from 'vitest';

import { createRedactor, redactSession, REDACTED_MARKER as R } from '../../src/core/redact';
import { isSecretName } from '../../src/core/secretNames';
import { utf8ByteLength } from '../../src/core/har';
import { buildExport } from '../../src/core/exportFile';
import type { Connection, Message, Session } from '../../src/core/model';

const M = JSON.stringify(R);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const redactor = createRedactor();

describe('secret names (normalised, by word)', () => {
  it.each([
    'token', 'access_token', 'accessToken', 'sid', 'pass', 'auth_key', 'session_key', 'pwd', 'passphrase', 'otp', 'session', 'csrf',
    'key', 'bearer', 'secretKey', 'SecretAccessKey', 'secret_key', 'PASSWORD', 'x-api-key', 'apiKey', 'otp_code', 'csrfmiddlewaretoken',
    'PHPSESSID', 'JSESSIONID', 'sessionId', 'authorization', 'Auth', 'user_pass', 'signature', 'X-Amz-Signature', 'credentials', 'jwt', 'Set-Cookie',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'keyboard', 'monkey', 'key_id', 'keyCode', 'tokens', 'max_tokens', 'token_count', 'author', 'passenger', 'bypass', 'compass', 'inside',
    'consider', 'design', 'footprint', 'routing_key', 'sortKey', 'public_key', 'primaryKey', 'session_count', 'type', 'id', 'user', 'email', 'code',
  ])('%s is not secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('redaction cases', () => {
  it.each([
    // URL parameters
    ['url sid', 'url', 'wss://h.test/ws?sid=abc123&x=1', `wss://h.test/ws?sid=${R}&x=1`],
    ['url pass', 'url', 'wss://h.test/ws?user=ann&pass=hunter2', `wss://h.test/ws?user=ann&pass=${R}`],
    ['url auth_key', 'url', 'wss://h.test/ws?auth_key=k1&v=2', `wss://h.test/ws?auth_key=${R}&v=2`],
    ['url session_key', 'url', 'https://h.test/p#session_key=k2', `https://h.test/p#session_key=${R}`],
    ['url keyboard stays', 'url', 'wss://h.test/ws?keyboard=qwerty&monkey=1&key_id=7', 'wss://h.test/ws?keyboard=qwerty&monkey=1&key_id=7'],
    ['url JWT path', 'url', `wss://h.test/ws/${JWT}`, `wss://h.test/ws/${R}`],
    // JSON keys
    ['json pwd', 'payload', '{"pwd":"p1","user":"ann"}', `{"pwd":${M},"user":"ann"}`],
    ['json pass', 'payload', '{"pass":"p2"}', `{"pass":${M}}`],
    ['json passphrase', 'payload', '{"passphrase":"correct horse"}', `{"passphrase":${M}}`],
    ['json otp', 'payload', '{"otp":123456}', `{"otp":${M}}`],
    ['json session', 'payload', '{"session":{"id":"s1"},"n":1}', `{"session":${M},"n":1}`],
    ['json csrf', 'payload', '{"CSRF":"c1"}', `{"CSRF":${M}}`],
    ['json key', 'payload', '{"key":"k3","keyboard":"us"}', `{"key":${M},"keyboard":"us"}`],
    ['json bearer', 'payload', '{"bearer":"b1"}', `{"bearer":${M}}`],
    ['json secretKey', 'payload', '{"secretKey":"s2","secret_key":"s3"}', `{"secretKey":${M},"secret_key":${M}}`],
    ['json SecretAccessKey', 'payload', '{"Credentials":{"AccessKeyId":"AKIA"},"SecretAccessKey":"s4"}', `{"Credentials":${M},"SecretAccessKey":${M}}`],
    ['json max_tokens stays', 'payload', '{"max_tokens":100,"model":"m"}', '{"max_tokens":100,"model":"m"}'],
    // JSON inside JSON strings
    [
      'Action Cable identifier',
      'payload',
      '{"command":"subscribe","identifier":"{\\"channel\\":\\"Chat\\",\\"token\\":\\"t1\\"}"}',
      '{"command":"subscribe","identifier":"{\\"channel\\":\\"Chat\\",\\"token\\":\\"[REDACTED]\\"}"}',
    ],
    ['data string', 'payload', '{"data":"{\\"token\\":\\"t2\\",\\"n\\":1}"}', '{"data":"{\\"token\\":\\"[REDACTED]\\",\\"n\\":1}"}'],
    [
      'two levels of strings',
      'payload',
      JSON.stringify({ a: JSON.stringify({ b: JSON.stringify({ password: 'p9' }) }) }),
      JSON.stringify({ a: JSON.stringify({ b: JSON.stringify({ password: R }) }) }),
    ],
    ['Socket.IO string arg', 'payload', '42["auth","{\\"secret\\":\\"s5\\"}"]', '42["auth","{\\"secret\\":\\"[REDACTED]\\"}"]'],
    [
      'STOMP inside SockJS',
      'payload',
      'a["CONNECT\\nlogin:ann\\npasscode:p4\\n\\n\\u0000"]',
      `a["CONNECT\\nlogin:${R}\\npasscode:${R}\\n\\n\\u0000"]`,
    ],
    ['form data in a JSON string', 'payload', '{"body":"token=t7&a=1"}', `{"body":"token=${R}&a=1"}`],
    ['untouched strings keep their escapes', 'payload', '{"a":"\\u00e9\\/x","b":"{\\"c\\":1}"}', '{"a":"\\u00e9\\/x","b":"{\\"c\\":1}"}'],
    // Header lines in text frames
    ['Cookie line', 'payload', 'GET /x HTTP/1.1\r\nHost: h\r\nCookie: sid=abc; theme=dark\r\n\r\n', `GET /x HTTP/1.1\r\nHost: h\r\nCookie: ${R}\r\n\r\n`],
    ['Set-Cookie line', 'payload', 'HTTP/1.1 200 OK\nset-cookie: a=b; HttpOnly\n', `HTTP/1.1 200 OK\nset-cookie: ${R}\n`],
    ['Authorization line', 'payload', 'SEND\nAuthorization: Token abc\ndestination:/q\n\nhi\u0000', `SEND\nAuthorization: ${R}\ndestination:/q\n\nhi\u0000`],
    ['STOMP CONNECT', 'payload', 'CONNECT\naccept-version:1.2\nlogin:ann\npasscode:p3\nhost:h\n\n\u0000', `CONNECT\naccept-version:1.2\nlogin:${R}\npasscode:${R}\nhost:h\n\n\u0000`],
    ['STOMP frame login kept outside CONNECT', 'payload', 'MESSAGE\ndestination:/q\n\nlogin:page\u0000', 'MESSAGE\ndestination:/q\n\nlogin:page\u0000'],
    // Form-encoded
    ['token= at the start', 'payload', 'token=t3&a=1', `token=${R}&a=1`],
    ['token= after &', 'payload', 'a=1&token=t4', `a=1&token=${R}`],
    ['sid= at the start of a line', 'payload', 'x\nsid=s6', `x\nsid=${R}`],
    // Free text: close reasons, notes, event details
    ['reason JWT', 'text', `expired ${JWT}`, `expired ${R}`],
    ['reason bearer', 'text', 'bad Bearer abcdefgh12345', `bad Bearer ${R}`],
    ['reason JSON', 'text', '{"error":"expired","token":"t5"}', `{"error":"expired","token":${M}}`],
    ['reason token=', 'text', 'token=t6 expired', `token=${R} expired`],
    ['note header line', 'text', 'logged in\nPassword: hunter2', `logged in\nPassword: ${R}`],
    ['plain prose stays', 'text', 'a Basic plan; keyboard=us; the session ended', 'a Basic plan; keyboard=us; the session ended'],
    ['name=value after a space counts', 'text', 'retry with key=abc123 later', `retry with key=${R} later`],
  ] as const)('%s', (_name, kind, input, expected) => {
    expect(redactor[kind](input)).toBe(expected);
  });
});

describe('sub-protocols', () => {
  const connection = (protocols: string[], protocol?: string): Connection => ({
    id: 'c', frameUrl: '', url: 'wss://h.test/', protocols, ...(protocol !== undefined ? { protocol } : {}), createdAt: 0, messages: [],
  });
  const session = (c: Connection): Session => ({ id: 's', startedAt: 0, connections: [c], pageEvents: [], notes: [], dropped: { messages: 0, previews: 0, rejected: 0 } });
  const redacted = (protocols: string[], protocol?: string) => redactSession(session(connection(protocols, protocol))).connections[0];

  it.each([
    [['graphql-transport-ws'], 'graphql-transport-ws', ['graphql-transport-ws'], 'graphql-transport-ws'],
    [['v12.stomp', 'v11.stomp'], 'v12.stomp', ['v12.stomp', 'v11.stomp'], 'v12.stomp'],
    [['access_token', JWT], 'access_token', ['access_token', R], 'access_token'],
    [['Bearer', 'abcdefghij0123456789'], undefined, ['Bearer', R], undefined],
    [['chat', JWT], JWT, ['chat', R], R],
    [['base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5p', 'base64.binary.k8s.io'], 'base64.binary.k8s.io', ['base64url.bearer.authorization.k8s.io.' + R, 'base64.binary.k8s.io'], 'base64.binary.k8s.io'],
    [['json', '3f9a1c0d5e7b2a4f6c8e0d1b3a5c7e9f0a2b4c6d'], '3f9a1c0d5e7b2a4f6c8e0d1b3a5c7e9f0a2b4c6d', ['json', R], R],
  ])('%j / %j -> %j / %j', (protocols, protocol, expectedProtocols, expectedProtocol) => {
    const c = redacted(protocols, protocol);
    expect(c.protocols).toEqual(expectedProtocols);
    expect(c.protocol).toBe(expectedProtocol);
  });
});

// ---------------------------------------------------------------------------
// A session with every secret, exported whole

const T0 = 1_762_164_900_000;
/** Every secret value; each must be absent from every export. */
const SECRETS = {
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrMSJ9.c2VjcmV0LXNpZy0x',
  protoToken: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0',
  sid: 'LEAKsid01',
  pass: 'LEAKpass02',
  authKey: 'LEAKauthkey03',
  sessionKey: 'LEAKsessionkey04',
  pwd: 'LEAKpwd05',
  passphrase: 'LEAKphrase06',
  otp: '918273',
  sessionJson: 'LEAKsession07',
  csrf: 'LEAKcsrf08',
  key: 'LEAKkey09',
  bearerKey: 'LEAKbearer10',
  secretKey: 'LEAKsecretkey11',
  awsSecret: 'LEAKaws12',
  cableToken: 'LEAKcable13',
  dataToken: 'LEAKdata14',
  cookie: 'LEAKcookie15',
  setCookie: 'LEAKsetcookie16',
  authorization: 'LEAKauthz17',
  formToken: 'LEAKform18',
  formToken2: 'LEAKform19',
  stompLogin: 'LEAKlogin20',
  stompPasscode: 'LEAKpasscode21',
  reasonBearer: 'LEAKreasonbearer22',
  requestedReason: 'LEAKrequested23',
  closeRequested: 'LEAKcloserequested24',
  pageToken: 'LEAKpage25',
  frameToken: 'LEAKframe26',
  navToken: 'LEAKnav27',
  noteToken: 'LEAKnote28',
  eventFrame: 'LEAKevframe29',
  nameToken: 'LEAKname30',
};

function seeded(): Session {
  const s = SECRETS;
  const text = (index: number, preview: string): Message => ({ index, direction: 'send', time: T0 + 100 + index, opcode: 1, size: utf8ByteLength(preview), preview, truncated: false });
  const previews = [
    `{"type":"login","pwd":"${s.pwd}","pass":"${s.pass}","passphrase":"${s.passphrase}","otp":${s.otp}}`,
    `{"session":"${s.sessionJson}","csrf":"${s.csrf}","key":"${s.key}","bearer":"${s.bearerKey}","secretKey":"${s.secretKey}","SecretAccessKey":"${s.awsSecret}"}`,
    JSON.stringify({ command: 'subscribe', identifier: JSON.stringify({ channel: 'Chat', token: s.cableToken }) }),
    JSON.stringify({ data: JSON.stringify({ token: s.dataToken }) }),
    `GET /x HTTP/1.1\r\nCookie: a=${s.cookie}\r\nSet-Cookie: b=${s.setCookie}\r\nAuthorization: Basic ${s.authorization}\r\n\r\n`,
    `token=${s.formToken}&a=1`,
    `a=1&token=${s.formToken2}`,
    `CONNECT\naccept-version:1.2\nlogin:${s.stompLogin}\npasscode:${s.stompPasscode}\n\n\u0000`,
    `hello ${s.jwt}`,
  ];
  const connection: Connection = {
    id: 'c1',
    frameUrl: `https://app.test/frame?token=${s.frameToken}`,
    url: `wss://app.test/ws?sid=${s.sid}&pass=${s.pass}&auth_key=${s.authKey}&session_key=${s.sessionKey}`,
    protocols: ['access_token', s.jwt, s.protoToken],
    protocol: s.jwt,
    createdAt: T0,
    openedAt: T0 + 10,
    closedAt: T0 + 5000,
    closeRequestedAt: T0 + 4990,
    closeRequestedCode: 4000,
    closeRequestedReason: `token=${s.closeRequested}`,
    close: { time: T0 + 5000, code: 4401, reason: `expired Bearer ${s.reasonBearer} ${s.jwt}`, wasClean: true, initiator: 'page', requestedCode: 4000, requestedReason: `{"token":"${s.requestedReason}"}` },
    messages: previews.map((preview, i) => text(i, preview)),
  };
  return {
    id: 's1',
    name: `checkout token=${s.nameToken}`,
    pageUrl: `https://app.test/room?session=${s.pageToken}`,
    startedAt: T0,
    endedAt: T0 + 6000,
    connections: [connection],
    pageEvents: [{ type: 'navigation', time: T0 + 1, detail: `https://app.test/next?auth=${s.navToken}`, frameUrl: `https://app.test/f?sid=${s.eventFrame}` }],
    notes: [{ id: 'n1', time: T0 + 2, text: `logged in, Authorization: Bearer ${s.noteToken}` }],
    dropped: { messages: 0, previews: 0, rejected: 0 },
  };
}

describe('whole exports of a session seeded with every secret', () => {
  it.each(['har', 'json', 'csv'] as const)('%s contains none of the secrets', (format) => {
    const file = buildExport(seeded(), { format, redact: {} }).text;
    // Unredacted, every secret is there: the seeding works.
    const plain = buildExport(seeded(), { format }).text;
    const leaked = Object.entries(SECRETS).filter(([, secret]) => file.includes(secret) || file.includes(JSON.stringify(secret).slice(1, -1)));
    expect(leaked.map(([name]) => name)).toEqual([]);
    expect(file).toContain(R);
    if (format !== 'csv') {
      for (const secret of Object.values(SECRETS)) expect(plain).toContain(secret);
    }
  });
});

describe('bounds', () => {
  it('redacts JSON strings three levels deep, and stops there without throwing', () => {
    let text = JSON.stringify({ password: 'p' });
    for (let i = 0; i < 3; i++) text = JSON.stringify({ data: text });
    expect(redactor.payload(text)).not.toContain('"p\\');
    for (let i = 0; i < 8; i++) text = JSON.stringify({ data: text });
    expect(() => redactor.payload(text)).not.toThrow();
  });

  it('copes with deep JSON (falls back to the loose matcher)', () => {
    const deep = '['.repeat(100_000) + '{"token":"t"}' + ']'.repeat(100_000);
    expect(redactor.payload(deep)).toContain(`"token":${M}`);
  });
});
