import { describe, expect, it } from 'vitest';
import {
  handshakeFromObservation,
  matchHandshakes,
  mergeObservation,
  normalizeWebSocketUrl,
  resolveHandshakes,
  statusTextOf,
  type HandshakeObservation,
  type MatchableConnection,
} from '../../src/core/handshakeMatch';
import { HEADER_VALUE_NOT_RECORDED } from '../../src/core/headers';
import { T0 } from './helpers/synth';

const TAB = 7;
const URL = 'wss://app.example/ws';

function conn(id: string, createdAt: number, extra: Partial<MatchableConnection> = {}): MatchableConnection {
  return { id, url: URL, createdAt, openedAt: createdAt + 80, ...extra };
}

function obs(requestId: string, timeStamp: number, extra: Partial<HandshakeObservation> = {}): HandshakeObservation {
  return { requestId, url: URL, tabId: TAB, frameId: 0, timeStamp, statusCode: 101, respondedAt: timeStamp + 60, ...extra };
}

function pairs(result: ReturnType<typeof matchHandshakes>): string[] {
  return result.matches.map((match) => `${match.observation.requestId}→${match.connectionId}`);
}

describe('normalizeWebSocketUrl', () => {
  it('spells ws/http and wss/https alike, drops default ports, fragments and host case', () => {
    expect(normalizeWebSocketUrl('https://App.Example:443/ws?x=1')).toBe('wss://app.example/ws?x=1');
    expect(normalizeWebSocketUrl('wss://app.example/ws?x=1')).toBe('wss://app.example/ws?x=1');
    expect(normalizeWebSocketUrl('http://app.example:80/ws')).toBe('ws://app.example/ws');
    expect(normalizeWebSocketUrl('ws://app.example:8080/ws')).toBe('ws://app.example:8080/ws');
    expect(normalizeWebSocketUrl('ws://app.example/ws')).not.toBe(normalizeWebSocketUrl('wss://app.example/ws'));
    expect(normalizeWebSocketUrl('not a url')).toBe('not a url');
  });
});

describe('matchHandshakes', () => {
  it('pairs two sockets to the same URL opened 50 ms apart in order', () => {
    const result = matchHandshakes(TAB, [conn('a', T0), conn('b', T0 + 50)], [obs('r2', T0 + 53), obs('r1', T0 + 4)]);
    expect(pairs(result)).toEqual(['r1→a', 'r2→b']);
    expect(result.unmatchedConnections).toEqual([]);
    expect(result.unmatchedObservations).toEqual([]);
  });

  it('keeps the order under a constant clock skew larger than the spacing', () => {
    // The browser's clock is 300 ms ahead of the page's: nearest-createdAt alone would pair r1 with b.
    const result = matchHandshakes(TAB, [conn('a', T0, { openedAt: T0 + 500 }), conn('b', T0 + 50, { openedAt: T0 + 550 })], [
      obs('r1', T0 + 300),
      obs('r2', T0 + 352),
    ]);
    expect(pairs(result)).toEqual(['r1→a', 'r2→b']);
  });

  it('leaves a connection without its observation unmatched instead of shifting the others', () => {
    const result = matchHandshakes(TAB, [conn('a', T0), conn('b', T0 + 50), conn('c', T0 + 100)], [obs('r2', T0 + 55), obs('r3', T0 + 104)]);
    expect(pairs(result)).toEqual(['r2→b', 'r3→c']);
    expect(result.unmatchedConnections).toEqual(['a']);
  });

  it("uses the page's measured clock offset (a page clock minutes behind after a system sleep)", () => {
    const behindMs = 5 * 60_000;
    const connections = [conn('a', T0 - behindMs), conn('b', T0 - behindMs + 50)];
    const observations = [obs('r1', T0 + 3), obs('r2', T0 + 52)];
    expect(matchHandshakes(TAB, connections, observations).matches).toEqual([]);
    expect(pairs(matchHandshakes(TAB, connections, observations, { clockOffsetMs: behindMs }))).toEqual(['r1→a', 'r2→b']);
    const resolved = resolveHandshakes(TAB, [conn('c', T0 - behindMs + 10_000)], [], { available: true, now: T0 + 10_500, clockOffsetMs: behindMs });
    expect(resolved.size).toBe(0); // still young on the browser's clock
  });

  it('pairs a long reconnect storm (thousands of sockets to one URL) quickly and exactly', () => {
    const connections: MatchableConnection[] = [];
    const observations: HandshakeObservation[] = [];
    for (let i = 0; i < 3000; i++) {
      const createdAt = T0 + i * 700; // a socket every 0.7 s: one long cluster
      connections.push(conn(`c${i}`, createdAt, { openedAt: undefined, errorAt: createdAt + 30 }));
      if (i % 10 !== 3) observations.push(obs(`r${i}`, createdAt + 4, { statusCode: 503 }));
    }
    const started = performance.now();
    const result = matchHandshakes(TAB, connections, observations);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.matches.every((match) => match.connectionId.slice(1) === match.observation.requestId.slice(1))).toBe(true);
    expect(result.matches).toHaveLength(observations.length);
  });

  it('accepts 200 as the success of a WebSocket over HTTP/2 (RFC 8441), not over HTTP/1.1', () => {
    const h2 = matchHandshakes(TAB, [conn('a', T0)], [obs('r1', T0 + 5, { statusCode: 200, statusLine: 'HTTP/2 200' })]);
    expect(pairs(h2)).toEqual(['r1→a']);
    expect(handshakeFromObservation(h2.matches[0].observation)).toMatchObject({ status: 200, httpVersion: 'HTTP/2' });
    const h1 = matchHandshakes(TAB, [conn('a', T0)], [obs('r1', T0 + 5, { statusCode: 200, statusLine: 'HTTP/1.1 200 OK' })]);
    expect(h1.matches).toEqual([]);
  });

  it('pairs by frame when both sides know it', () => {
    const result = matchHandshakes(TAB, [conn('top', T0, { frameId: 0 }), conn('iframe', T0 + 10, { frameId: 3 })], [
      obs('r-iframe', T0 + 12, { frameId: 3 }),
      obs('r-top', T0 + 14, { frameId: 0 }),
    ]);
    expect(pairs(result)).toEqual(['r-iframe→iframe', 'r-top→top']);
  });

  it('matches a Firefox http(s) URL with the hook\'s wss URL', () => {
    const result = matchHandshakes(TAB, [conn('a', T0)], [obs('r1', T0 + 5, { url: 'https://app.example/ws' })]);
    expect(pairs(result)).toEqual(['r1→a']);
  });

  it('matches nothing across tabs, URLs, frames or beyond the window', () => {
    const connections = [conn('a', T0, { frameId: 0 })];
    const result = matchHandshakes(TAB, connections, [
      obs('other-tab', T0 + 5, { tabId: TAB + 1 }),
      obs('other-url', T0 + 5, { url: 'wss://app.example/other' }),
      obs('other-frame', T0 + 5, { frameId: 2 }),
      obs('too-late', T0 + 3500),
      obs('too-early', T0 - 1500),
    ]);
    expect(result.matches).toEqual([]);
    expect(result.unmatchedConnections).toEqual(['a']);
    expect(result.unmatchedObservations.map((o) => o.requestId)).toEqual(['other-url', 'other-frame', 'too-late', 'too-early']);
  });

  it('does not pair an opened socket with a refused handshake', () => {
    const refused = matchHandshakes(TAB, [conn('opened', T0)], [obs('r403', T0 + 5, { statusCode: 403 })]);
    expect(refused.matches).toEqual([]);
    const result = matchHandshakes(TAB, [conn('opened', T0), conn('failed', T0 + 20, { openedAt: undefined, errorAt: T0 + 70 })], [
      obs('r101', T0 + 5),
      obs('r403', T0 + 25, { statusCode: 403 }),
    ]);
    expect(pairs(result)).toEqual(['r101→opened', 'r403→failed']);
  });
});

describe('resolveHandshakes and observations', () => {
  it('says matched, unmatched or unavailable, and waits for young connections', () => {
    const connections = [conn('a', T0), conn('b', T0 + 10_000, { openedAt: undefined }), conn('young', T0 + 20_000, { openedAt: undefined })];
    const resolved = resolveHandshakes(TAB, connections, [obs('r1', T0 + 5)], { available: true, now: T0 + 20_500 });
    expect(resolved.get('a')?.evidence).toBe('matched');
    expect(resolved.get('a')?.handshake?.status).toBe(101);
    expect(resolved.get('b')).toEqual({ evidence: 'unmatched' });
    expect(resolved.has('young')).toBe(false);
    const unavailable = resolveHandshakes(TAB, connections, [], { available: false, now: T0 });
    expect([...unavailable.values()].every((r) => r.evidence === 'unavailable')).toBe(true);
  });

  it('merges webRequest events into one observation, without credential values', () => {
    let observation = mergeObservation(undefined, { requestId: '1', url: URL, tabId: TAB, frameId: 0, timeStamp: T0 });
    observation = mergeObservation(observation, {
      requestId: '1',
      url: URL,
      tabId: TAB,
      timeStamp: T0 + 1,
      requestHeaders: [
        { name: 'Cookie', value: 'sid=secret' },
        { name: 'Origin', value: 'https://app.example' },
      ],
    });
    observation = mergeObservation(observation, {
      requestId: '1',
      url: URL,
      tabId: TAB,
      timeStamp: T0 + 40,
      statusCode: 502,
      statusLine: 'HTTP/1.1 502 Bad Gateway',
      responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }],
      ip: '203.0.113.7',
    });
    const handshake = handshakeFromObservation(observation);
    expect(handshake).toEqual({
      status: 502,
      statusText: 'Bad Gateway',
      httpVersion: 'HTTP/1.1',
      requestHeaders: [
        { name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED },
        { name: 'Origin', value: 'https://app.example' },
      ],
      responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }],
      remoteIp: '203.0.113.7',
      startedAt: T0,
      respondedAt: T0 + 40,
    });
    expect(JSON.stringify(observation)).not.toContain('secret');
  });

  it('records a network error with status 0', () => {
    const observation = mergeObservation(obs('1', T0, { statusCode: undefined, respondedAt: undefined }), {
      requestId: '1',
      url: URL,
      tabId: TAB,
      timeStamp: T0 + 3,
      error: 'net::ERR_CONNECTION_REFUSED',
    });
    expect(handshakeFromObservation(observation)).toMatchObject({ status: 0, error: 'net::ERR_CONNECTION_REFUSED' });
    expect(statusTextOf('HTTP/1.1 101 Switching Protocols')).toBe('Switching Protocols');
    expect(statusTextOf('HTTP/2 403')).toBeUndefined();
  });
});
