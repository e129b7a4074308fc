// The handshake in the export: HAR request/response headers, status, IP and
// timings as Chrome's own HAR writes them, handshakeEvidence in the extras,
// read back by the import; and the export's redaction of the headers.
import { describe, expect, it } from 'vitest';
import { fromHar, toHar } from '../../src/core/har';
import { buildExport } from '../../src/core/exportFile';
import { diagnose } from '../../src/core/diagnosis';
import type { Connection, Session } from '../../src/core/model';

const T0 = 1_790_000_000_000;

function session(): Session {
  const matched: Connection = {
    id: 'c1',
    frameUrl: 'https://app.test/',
    url: 'wss://app.test/live',
    protocols: ['graphql-ws', 'base64url.bearer.authorization.k8s.io.SECRETtokenAbcdefghijklmnop123456'],
    protocol: 'graphql-ws',
    createdAt: T0,
    openedAt: T0 + 40,
    closedAt: T0 + 5000,
    close: { time: T0 + 5000, code: 1000, reason: '', wasClean: true, initiator: 'page' },
    messages: [],
    handshakeEvidence: 'matched',
    handshake: {
      status: 101,
      statusText: 'Switching Protocols',
      httpVersion: 'HTTP/1.1',
      requestHeaders: [
        { name: 'Origin', value: 'https://app.test' },
        { name: 'Sec-WebSocket-Protocol', value: 'graphql-ws, base64url.bearer.authorization.k8s.io.SECRETtokenAbcdefghijklmnop123456' },
        { name: 'Cookie', value: '(value not recorded)' },
      ],
      responseHeaders: [
        { name: 'Server', value: 'nginx/1.22.1' },
        { name: 'Sec-WebSocket-Protocol', value: 'graphql-ws' },
      ],
      remoteIp: '2001:db8::1',
      startedAt: T0 + 3,
      respondedAt: T0 + 33,
    },
  };
  const refused: Connection = {
    id: 'c2',
    frameUrl: 'https://app.test/',
    url: 'wss://app.test/missing',
    protocols: [],
    createdAt: T0 + 100,
    errorAt: T0 + 120,
    closedAt: T0 + 121,
    close: { time: T0 + 121, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
    messages: [],
    handshakeEvidence: 'matched',
    handshake: { status: 0, requestHeaders: [], responseHeaders: [], startedAt: T0 + 102, error: 'net::ERR_FAILED' },
  };
  const unmatched: Connection = { id: 'c3', frameUrl: '', url: 'wss://app.test/a', protocols: [], createdAt: T0 + 200, openedAt: T0 + 210, messages: [], handshakeEvidence: 'unmatched' };
  const unavailable: Connection = { id: 'c4', frameUrl: '', url: 'wss://app.test/b', protocols: [], createdAt: T0 + 300, openedAt: T0 + 310, messages: [], handshakeEvidence: 'unavailable' };
  return {
    id: 's1',
    tabId: 1,
    startedAt: T0,
    endedAt: T0 + 6000,
    connections: [matched, refused, unmatched, unavailable],
    pageEvents: [],
    notes: [],
    dropped: { messages: 0, previews: 0, rejected: 0 },
    source: 'live',
  };
}

describe('HAR export and import of the handshake', () => {
  it('fills request.headers, response.status/headers, serverIPAddress and timings.wait as Chrome does', () => {
    const har = toHar(session());
    const [matched, refused, unmatched] = har.log.entries;
    expect(matched.request.headers).toContainEqual({ name: 'Origin', value: 'https://app.test' });
    expect(matched.response).toMatchObject({ status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1' });
    expect(matched.response.headers).toEqual([
      { name: 'Server', value: 'nginx/1.22.1' },
      { name: 'Sec-WebSocket-Protocol', value: 'graphql-ws' },
    ]);
    expect(matched.serverIPAddress).toBe('[2001:db8::1]');
    expect(matched.timings.wait).toBe(30);
    expect(matched.timings.wait + matched.timings.receive + matched.timings.send).toBe(matched.time);
    expect(matched._socketscope).toMatchObject({ handshakeEvidence: 'matched', handshakeStartedAt: T0 + 3, handshakeRespondedAt: T0 + 33 });
    expect(refused.response).toMatchObject({ status: 0, _error: 'net::ERR_FAILED' });
    expect(unmatched.response.status).toBe(101);
    expect(unmatched.request.headers).toEqual([]);
    expect(unmatched.serverIPAddress).toBeUndefined();
    expect(unmatched._socketscope.handshakeEvidence).toBe('unmatched');
  });

  it('round-trips the handshake and its evidence through the import', () => {
    const original = session();
    const imported = fromHar(JSON.parse(JSON.stringify(toHar(original))) as unknown).session;
    expect(imported.connections.map((c) => c.handshakeEvidence)).toEqual(['matched', 'matched', 'unmatched', 'unavailable']);
    expect(imported.connections[0].handshake).toEqual(original.connections[0].handshake);
    expect(imported.connections[1].handshake).toEqual(original.connections[1].handshake);
    expect(imported.connections[2].handshake).toBeUndefined();
    expect(imported.connections[3].handshake).toBeUndefined();
    // The diagnosis reads the same from the file as from the live session.
    expect(diagnose(imported).map((f) => [f.kind, f.title])).toEqual(diagnose(original).map((f) => [f.kind, f.title]));
  });

  it('reads the handshake of a Chrome HAR entry, dropping cookie and authorization values', () => {
    const chrome = {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [],
        entries: [
          {
            startedDateTime: new Date(T0).toISOString(),
            time: 1000,
            request: { method: 'GET', url: 'wss://app.test/live', headers: [{ name: 'Cookie', value: 'sid=SECRET' }, { name: 'Upgrade', value: 'websocket' }] },
            response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [{ name: 'Server', value: 'nginx/1.22.1' }] },
            serverIPAddress: '127.0.0.1',
            timings: { blocked: 1, dns: -1, connect: -1, send: 0, wait: 5, receive: 994 },
            _resourceType: 'websocket',
            _webSocketMessages: [],
          },
        ],
      },
    };
    const connection = fromHar(chrome).session.connections[0];
    expect(connection.handshakeEvidence).toBe('matched');
    expect(connection.handshake).toMatchObject({ status: 101, remoteIp: '127.0.0.1', responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }] });
    expect(JSON.stringify(connection)).not.toContain('SECRET');
  });
});

describe('export redaction of the handshake', () => {
  it('leaves no token from Sec-WebSocket-Protocol in a redacted HAR', () => {
    const file = buildExport(session(), { format: 'har', redact: {} });
    expect(file.text).not.toContain('SECRETtoken');
    const entry = (JSON.parse(file.text) as ReturnType<typeof toHar>).log.entries[0];
    expect(entry.request.headers.find((h) => h.name === 'Sec-WebSocket-Protocol')?.value).toBe('graphql-ws, [REDACTED]');
    // Names the proxy still: the Server header is not a secret.
    expect(entry.response.headers).toContainEqual({ name: 'Server', value: 'nginx/1.22.1' });
  });

  it('keeps the token in an unredacted export (the session holds what the browser sent)', () => {
    expect(buildExport(session(), { format: 'har' }).text).toContain('SECRETtoken');
  });
});

describe('saved findings keep their identified intermediaries', () => {
  it('reads identified back from log._socketscope.findings', () => {
    const findings = [
      {
        kind: 'idle-timeout' as const,
        title: 't',
        detail: 'd',
        confidence: 0.8,
        connections: ['c1'],
        fix: 'f',
        identified: [{ name: 'nginx', knob: 'proxy_read_timeout', defaultMs: 60_000, evidence: 'server: nginx/1.22.1' }],
      },
    ];
    const imported = fromHar(JSON.parse(JSON.stringify(toHar(session(), { findings }))) as unknown);
    expect(imported.findings?.[0].identified).toEqual(findings[0].identified);
  });
});

describe('redacted findings', () => {
  it('redact the quoted header of an identified intermediary like any text, and keep the name', async () => {
    const { redactFindings } = await import('../../src/core/redact');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const [finding] = redactFindings([
      { kind: 'handshake-failed', title: 't', detail: 'd', confidence: 0.9, connections: [], fix: 'f', identified: [{ name: 'Envoy', evidence: `x-envoy-token: ${jwt}` }] },
    ]);
    expect(finding.identified).toEqual([{ name: 'Envoy', evidence: 'x-envoy-token: [REDACTED]' }]);
  });
});
