import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/diagnosis';
import type { Finding, FindingKind } from '../../src/core/finding';
import type { Connection, HandshakeInfo, Session } from '../../src/core/model';
import { addConnection, beat, chatter, closeAt, createRng, receive, send, session, T0 } from './helpers/synth';

const URL = 'wss://app.example/ws';

function only(findings: Finding[], kind: FindingKind): Finding {
  const matching = findings.filter((finding) => finding.kind === kind);
  expect(matching, `one ${kind} in ${JSON.stringify(findings.map((f) => f.kind))}`).toHaveLength(1);
  return matching[0];
}

function handshake(status: number, responseHeaders: Array<[string, string]>, extra: Partial<HandshakeInfo> = {}): HandshakeInfo {
  return {
    status,
    requestHeaders: [{ name: 'Origin', value: 'https://app.example' }],
    responseHeaders: responseHeaders.map(([name, value]) => ({ name, value })),
    startedAt: T0,
    ...extra,
  };
}

function withHandshake(connections: Connection[], headers: Array<[string, string]>): Connection[] {
  for (const connection of connections) {
    connection.handshake = handshake(101, [['Upgrade', 'websocket'], ...headers], { statusText: 'Switching Protocols' });
    connection.handshakeEvidence = 'matched';
  }
  return connections;
}

/** Connections that chat, fall silent, and die silenceMs later (1006). */
function idleChain(s: Session, count: number, silenceMs: number, seed = 1): Connection[] {
  const rng = createRng(seed);
  const connections: Connection[] = [];
  let time = T0;
  for (let i = 0; i < count; i++) {
    const connection = addConnection(s, { url: URL, createdAt: time });
    const openedAt = connection.openedAt ?? time;
    chatter(connection, openedAt, openedAt + 30_000 + rng() * 90_000, 200, Math.min(8000, silenceMs * 0.8), rng);
    const lastTime = connection.messages[connection.messages.length - 1].time;
    closeAt(connection, lastTime + silenceMs + (rng() * 2 - 1) * 200);
    connections.push(connection);
    time = (connection.closedAt ?? time) + 1000 + rng() * 2000;
  }
  return connections;
}

/** Regular pings, but every connection is cut at ageMs (1006). */
function lifetimeChain(s: Session, count: number, ageMs: number, pingEveryMs: number): Connection[] {
  const rng = createRng(9);
  const connections: Connection[] = [];
  let time = T0;
  for (let i = 0; i < count; i++) {
    const connection = addConnection(s, { url: URL, createdAt: time });
    const openedAt = connection.openedAt ?? time;
    const closeTime = openedAt + ageMs + (rng() * 2 - 1) * 300;
    beat(connection, { from: openedAt - rng() * pingEveryMs, to: closeTime, intervalMs: pingEveryMs, jitterMs: 400, direction: 'send', ping: '{"type":"ping"}', pong: '{"type":"pong"}', rng });
    closeAt(connection, closeTime);
    connections.push(connection);
    time = closeTime + 1000 + rng() * 2000;
  }
  return connections;
}

describe('identified intermediaries in timer findings', () => {
  it('puts nginx, seen in the handshake, before the suspects and never repeats it as a suspect', () => {
    const s = session();
    withHandshake(idleChain(s, 4, 60_000), [['Server', 'nginx/1.22.1']]);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.identified).toEqual([
      { name: 'nginx', knob: 'proxy_read_timeout (also proxy_send_timeout)', defaultMs: 60_000, evidence: 'server: nginx/1.22.1' },
    ]);
    expect(idle.suspects?.map((suspect) => suspect.name)).not.toContain('nginx');
    expect(idle.suspects?.map((suspect) => suspect.name)).toContain('AWS ALB');
    expect(idle.detail).toContain('Identified from the handshake: nginx (`server: nginx/1.22.1`; proxy_read_timeout');
    expect(idle.detail).toMatch(/which matches/);
    expect(idle.detail.indexOf('Identified from the handshake')).toBeLessThan(idle.detail.indexOf('Suspected (not seen in the handshake)'));
    expect(idle.fix).toMatch(/or raise nginx's proxy_read_timeout/);
    expect(idle.fix.indexOf("nginx's")).toBeLessThan(idle.fix.indexOf('AWS ALB') === -1 ? Infinity : idle.fix.indexOf('AWS ALB'));
  });

  it("names the identified product's setting even when its default does not match: likely configured", () => {
    const s = session();
    withHandshake(idleChain(s, 5, 3000, 2), [['Server', 'nginx']]);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.identified?.map((item) => item.name)).toEqual(['nginx']);
    expect(idle.detail).toMatch(/default 60 s, so if it is the one it is likely configured to ~3(\.0)? s/);
    expect(idle.fix).toMatch(/raise nginx's proxy_read_timeout \(also proxy_send_timeout\) \(likely configured to ~3(\.0)? s\)/);
    // The handshake named the proxy: no list of every configurable one.
    expect(idle.suspects).toEqual([]);
  });

  it('keeps the suspects whose default matches when the identified CDN has another default', () => {
    const s = session();
    withHandshake(idleChain(s, 4, 60_000, 3), [['CF-Ray', '8a1b-CDG'], ['Server', 'cloudflare']]);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.identified?.map((item) => `${item.name} ${item.evidence}`)).toEqual(['Cloudflare cf-ray: 8a1b-CDG']);
    expect(idle.suspects?.map((suspect) => suspect.name)).toEqual(expect.arrayContaining(['nginx', 'AWS ALB']));
    expect(idle.suspects?.some((suspect) => suspect.name === 'Cloudflare')).toBe(false);
    expect(idle.fix).toMatch(/raise Cloudflare's proxy read timeout \(Enterprise only\) \(likely configured to ~60 s\), or /);
  });

  it('identifies the GCP load balancer behind a fixed age limit', () => {
    const s = session();
    withHandshake(lifetimeChain(s, 4, 30_000, 6000), [['Via', '1.1 google']]);
    const lifetime = only(diagnose(s), 'max-lifetime');
    expect(lifetime.identified).toEqual([
      {
        name: 'GCP external HTTP(S) load balancer',
        knob: 'timeoutSec on the backend service (BackendConfig on GKE)',
        defaultMs: 30_000,
        evidence: 'via: 1.1 google',
      },
    ]);
    expect(lifetime.suspects?.some((suspect) => suspect.name === 'GCP external HTTP(S) load balancer')).toBe(false);
    expect(lifetime.detail).toContain('Identified from the handshake: GCP external HTTP(S) load balancer (`via: 1.1 google`');
    expect(lifetime.fix).toMatch(/^Raise GCP external HTTP\(S\) load balancer's timeoutSec/);
  });

  it('carries the identified intermediary into heartbeat-too-slow', () => {
    const s = session();
    let time = T0;
    const connections: Connection[] = [];
    for (let i = 0; i < 3; i++) {
      const connection = addConnection(s, { url: 'wss://app.example/socket.io/?EIO=4&transport=websocket', createdAt: time });
      const openedAt = connection.openedAt ?? time;
      receive(connection, openedAt + 5, `0{"sid":"s${i}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`);
      send(connection, openedAt + 10, '40');
      receive(connection, openedAt + 20, '40{"sid":"x"}');
      send(connection, openedAt + 4000 + i * 2000, '42["hello"]');
      closeAt(connection, openedAt + 4000 + i * 2000 + 10_000 + i * 100);
      connections.push(connection);
      time = (connection.closedAt ?? time) + 1500;
    }
    withHandshake(connections, [['Via', '1.1 vegur']]);
    const findings = diagnose(s);
    const slow = only(findings, 'heartbeat-too-slow');
    expect(slow.identified?.map((item) => item.name)).toEqual(['Heroku router']);
    expect(slow.detail).toContain('Identified from the handshake: Heroku router (`via: 1.1 vegur`; idle timeout 55 s, not adjustable)');
    // Heroku's router timer cannot be changed: the fix falls back to the usual wording.
    expect(slow.fix).toMatch(/raise the idle timeout above/);
  });

  it('names a CDN without a known timer, and still lists the configurable suspects', () => {
    const s = session();
    withHandshake(idleChain(s, 5, 3000, 4), [['X-Served-By', 'cache-cdg20741-CDG']]);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.identified).toEqual([{ name: 'Fastly', evidence: 'x-served-by: cache-cdg20741-CDG' }]);
    expect(idle.detail).toContain('Fastly (`x-served-by: cache-cdg20741-CDG`; no known idle timeout)');
    expect(idle.suspects?.length).toBeGreaterThan(0);
    expect(idle.detail).toMatch(/Suspected \(not seen in the handshake\): No common default idle timeout is 3(\.0)? s/);
  });

  it('adds nothing when no handshake was recorded', () => {
    const s = session();
    idleChain(s, 4, 60_000);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.identified).toBeUndefined();
    expect(idle.suspects?.map((suspect) => suspect.name)).toContain('nginx');
  });
});
