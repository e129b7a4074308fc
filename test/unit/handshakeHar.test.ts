import { describe, expect, it } from 'vitest';
import { handshakeFromHar, harHeaders, harIpAddress, redactHandshake, redactProtocolList } from '../../src/core/handshakeHar';
import { HEADER_VALUE_NOT_RECORDED } from '../../src/core/headers';
import type { HandshakeInfo } from '../../src/core/model';
import { createRedactor, REDACTED_MARKER } from '../../src/core/redact';
import { T0 } from './helpers/synth';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

function handshake(): HandshakeInfo {
  return {
    status: 101,
    statusText: 'Switching Protocols',
    requestHeaders: [
      { name: 'Origin', value: 'https://app.example' },
      { name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'Sec-WebSocket-Protocol', value: `access_token, ${JWT}` },
    ],
    responseHeaders: [
      { name: 'Upgrade', value: 'websocket' },
      { name: 'Server', value: 'nginx/1.22.1' },
      { name: 'Sec-WebSocket-Protocol', value: 'access_token' },
    ],
    remoteIp: '2001:db8::7',
    startedAt: T0,
    respondedAt: T0 + 42,
  };
}

describe('harHeaders', () => {
  it("fills what Chrome's HAR carries for a WebSocket", () => {
    const fields = harHeaders(handshake());
    expect(fields.response).toEqual({
      status: 101,
      statusText: 'Switching Protocols',
      httpVersion: 'HTTP/1.1',
      headers: handshake().responseHeaders,
    });
    expect(fields.request.headers).toEqual(handshake().requestHeaders);
    expect(fields.serverIPAddress).toBe('[2001:db8::7]');
    expect(fields.waitMs).toBe(42);
    expect(harIpAddress('203.0.113.7')).toBe('203.0.113.7');
  });

  it('writes status 0 and no HTTP version when no answer came', () => {
    const fields = harHeaders({ status: 0, requestHeaders: [], responseHeaders: [], startedAt: T0, error: 'net::ERR_CONNECTION_REFUSED' });
    expect(fields.response).toMatchObject({ status: 0, statusText: '', httpVersion: '' });
    expect(fields.serverIPAddress).toBeUndefined();
  });

  it('reads a handshake back from a HAR entry (ours or Chrome), never keeping cookie values', () => {
    const entry = {
      request: { headers: [{ name: 'Cookie', value: 'sid=secret' }, { name: 'Origin', value: 'https://app.example' }] },
      response: { status: 403, statusText: 'Forbidden', headers: [{ name: 'Server', value: 'cloudflare' }] },
      serverIPAddress: '[2001:db8::7]',
      timings: { blocked: -1, dns: 2, connect: 10, send: 0, wait: 30, receive: 0 },
    };
    const read = handshakeFromHar(entry, T0);
    expect(read).toEqual({
      status: 403,
      statusText: 'Forbidden',
      requestHeaders: [
        { name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED },
        { name: 'Origin', value: 'https://app.example' },
      ],
      responseHeaders: [{ name: 'Server', value: 'cloudflare' }],
      remoteIp: '2001:db8::7',
      startedAt: T0,
      respondedAt: T0 + 42,
    });
    expect(JSON.stringify(read)).not.toContain('secret');
    expect(handshakeFromHar({ request: { headers: [] }, response: { status: 101, headers: [] } }, T0)).toBeUndefined();
    expect(handshakeFromHar('nonsense', T0)).toBeUndefined();
    expect(harHeaders(read as HandshakeInfo).response.status).toBe(403);
  });
});

describe('redactHandshake', () => {
  it('replaces token-like sub-protocols and secrets in URLs, keeps names and everything else', () => {
    const redacted = redactHandshake(
      {
        ...handshake(),
        responseHeaders: [...handshake().responseHeaders, { name: 'Location', value: 'wss://app.example/ws?token=abc123' }],
      },
      createRedactor(),
      REDACTED_MARKER,
    );
    expect(redacted.requestHeaders).toEqual([
      { name: 'Origin', value: 'https://app.example' },
      { name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'Sec-WebSocket-Protocol', value: `access_token, ${REDACTED_MARKER}` },
    ]);
    expect(redacted.responseHeaders).toContainEqual({ name: 'Server', value: 'nginx/1.22.1' });
    expect(redacted.responseHeaders).toContainEqual({ name: 'Location', value: `wss://app.example/ws?token=${REDACTED_MARKER}` });
    expect(JSON.stringify(redacted)).not.toContain(JWT);
  });

  it('keeps ordinary sub-protocol names', () => {
    expect(redactProtocolList(['graphql-transport-ws', 'v12.stomp', 'mqtt', 'wamp.2.json', 'access_token'], 'X')).toEqual([
      'graphql-transport-ws',
      'v12.stomp',
      'mqtt',
      'wamp.2.json',
      'access_token',
    ]);
    expect(redactProtocolList(['base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklq', 'a1b2c3d4e5f60718'], 'X')).toEqual(['X', 'X']);
  });
});
