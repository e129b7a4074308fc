import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/diagnosis';
import type { Finding, FindingKind } from '../../src/core/finding';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import type { Connection, Session } from '../../src/core/model';
import {
  addConnection,
  beat,
  chatter,
  closeAt,
  createRng,
  failHandshake,
  pageEvent,
  receive,
  send,
  session,
  T0,
} from './helpers/synth';

const URL = 'wss://app.example/ws';

function kinds(findings: Finding[]): FindingKind[] {
  return findings.map((finding) => finding.kind);
}

function only(findings: Finding[], kind: FindingKind): Finding {
  const matching = findings.filter((finding) => finding.kind === kind);
  expect(matching, `one ${kind} in ${JSON.stringify(kinds(findings))}`).toHaveLength(1);
  return matching[0];
}

interface ChainOptions {
  count: number;
  seed: number;
  /** Silence before each 1006; the connection's active time before it varies. */
  silenceMs: number;
  jitterMs?: number;
  url?: string;
  startAt?: number;
}

/** Connections that chat irregularly for a varying time, fall silent, and die silenceMs later (1006). */
function idleChain(s: Session, options: ChainOptions): Connection[] {
  const { count, seed, silenceMs, jitterMs = 200, url = URL } = options;
  const rng = createRng(seed);
  const connections: Connection[] = [];
  let time = options.startAt ?? T0;
  for (let i = 0; i < count; i++) {
    const connection = addConnection(s, { url, createdAt: time });
    const openedAt = connection.openedAt ?? time;
    chatter(connection, openedAt, openedAt + 30_000 + rng() * 90_000, 200, Math.min(8000, silenceMs * 0.8), rng);
    const lastTime = connection.messages[connection.messages.length - 1].time;
    closeAt(connection, lastTime + silenceMs + (rng() * 2 - 1) * jitterMs);
    connections.push(connection);
    time = (connection.closedAt ?? time) + 1000 + rng() * 2000;
  }
  return connections;
}

/** Regular pings every pingEveryMs (answered), but every connection is cut at ageMs (1006). */
function lifetimeChain(s: Session, count: number, ageMs: number, pingEveryMs: number, seed: number): Connection[] {
  const rng = createRng(seed);
  const connections: Connection[] = [];
  let time = T0;
  for (let i = 0; i < count; i++) {
    const connection = addConnection(s, { url: URL, createdAt: time });
    const openedAt = connection.openedAt ?? time;
    const closeTime = openedAt + ageMs + (rng() * 2 - 1) * 300;
    const phaseMs = rng() * pingEveryMs;
    beat(connection, { from: openedAt - phaseMs, to: closeTime, intervalMs: pingEveryMs, jitterMs: 400, direction: 'send', ping: '{"type":"ping"}', pong: '{"type":"pong"}', rng });
    closeAt(connection, closeTime);
    connections.push(connection);
    time = closeTime + 1000 + rng() * 2000;
  }
  return connections;
}

describe('idle-timeout', () => {
  it('finds a 60 s idle timeout (basis any) with nginx among the suspects', () => {
    const s = session();
    idleChain(s, { count: 4, seed: 1, silenceMs: 60_000 });
    const findings = diagnose(s);
    expect(kinds(findings)).toEqual(['idle-timeout']);
    const [idle] = findings;
    expect(idle.basis).toBe('any');
    expect(Math.abs((idle.periodMs ?? 0) - 60_000)).toBeLessThan(500);
    expect(idle.confidence).toBeGreaterThanOrEqual(0.7);
    expect(idle.connections).toHaveLength(4);
    expect(idle.suspects?.map((suspect) => suspect.name)).toEqual(expect.arrayContaining(['nginx', 'AWS ALB', 'Heroku router']));
    expect(idle.suspects?.some((suspect) => suspect.name === 'GCP external HTTP(S) load balancer')).toBe(false);
    expect(idle.fix).toMatch(/every ≤ 30 s from the server/);
    expect(idle.fix).toMatch(/proxy_read_timeout/);
  });

  it('finds a 3 s idle timeout at varying ages, with no default matching', () => {
    const s = session();
    const chain = idleChain(s, { count: 5, seed: 2, silenceMs: 3000 });
    const ages = chain.map((c) => (c.closedAt ?? 0) - (c.openedAt ?? 0));
    expect(Math.max(...ages) - Math.min(...ages)).toBeGreaterThan(10_000);
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.basis).toBe('any');
    expect(Math.abs((idle.periodMs ?? 0) - 3000)).toBeLessThan(300);
    expect(idle.detail).toMatch(/likely configured/);
    expect(diagnose(s).some((finding) => finding.kind === 'max-lifetime')).toBe(false);
  });

  it('tolerates a few hundred ms of jitter', () => {
    const s = session();
    idleChain(s, { count: 4, seed: 3, silenceMs: 60_000, jitterMs: 600 });
    expect(only(diagnose(s), 'idle-timeout').confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('tells the received basis when only server traffic resets the timer', () => {
    const s = session();
    const rng = createRng(4);
    let time = T0;
    for (let i = 0; i < 4; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      const lastReceivedAt = openedAt + 10_000 + rng() * 60_000;
      for (let at = openedAt + 1000; at <= lastReceivedAt; at += 2000 + rng() * 5000) receive(connection, at, `{"tick":${Math.round(at)}}`);
      const closeTime = (connection.messages[connection.messages.length - 1]?.time ?? openedAt) + 30_000;
      // The page keeps pinging every 7 s, which this intermediary ignores.
      beat(connection, { from: openedAt + rng() * 7000, to: closeTime, intervalMs: 7000, direction: 'send', ping: 'ping' });
      closeAt(connection, closeTime);
      time = closeTime + 2000;
    }
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.basis).toBe('received');
    expect(idle.periodMs).toBeCloseTo(30_000, -2);
    expect(idle.fix).toMatch(/from the server/);
  });

  it('still finds it when the oldest messages are missing (a cap\'s cut, a page left unread): no silence across them', () => {
    const s = session();
    let time = T0;
    for (let i = 0; i < 4; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      // 200 s of chatter, then 60 s of silence and the drop.
      for (let at = openedAt + 1000; at <= openedAt + 200_000 + i * 7000; at += 2000) receive(connection, at, `{"tick":${at}}`);
      const closeTime = connection.messages[connection.messages.length - 1].time + 60_000;
      closeAt(connection, closeTime);
      // Only the last 20 messages kept, their indices as they were; the first kept one comes 160 s and more after the open.
      const cut = connection.messages.length - 20;
      connection.messages.splice(0, cut);
      connection.droppedMessages = cut;
      time = closeTime + 2000;
    }
    const idle = only(diagnose(s), 'idle-timeout');
    expect(Math.abs((idle.periodMs ?? 0) - 60_000)).toBeLessThan(500);
    expect(idle.connections).toHaveLength(4);
  });

  it('gives two consistent closes as a hint only', () => {
    const s = session();
    idleChain(s, { count: 2, seed: 5, silenceMs: 60_000 });
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.confidence).toBeLessThan(0.6);
    expect(idle.confidence).toBeGreaterThan(0);
  });

  it('pools closes across endpoints behind the same proxy', () => {
    const s = session();
    idleChain(s, { count: 1, seed: 6, silenceMs: 60_000, url: 'wss://a.example/ws' });
    idleChain(s, { count: 1, seed: 7, silenceMs: 60_000, url: 'wss://b.example/ws' });
    idleChain(s, { count: 1, seed: 8, silenceMs: 60_000, url: 'wss://c.example/ws', startAt: T0 + 5000 });
    const idle = only(diagnose(s), 'idle-timeout');
    expect(idle.connections).toHaveLength(3);
  });

  it('finds nothing for a single close', () => {
    const s = session();
    idleChain(s, { count: 1, seed: 9, silenceMs: 60_000 });
    expect(diagnose(s)).toEqual([]);
  });

  it('finds nothing for random irregular disconnects', () => {
    const s = session();
    const rng = createRng(10);
    let time = T0;
    for (let i = 0; i < 8; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      chatter(connection, openedAt, openedAt + 30_000 + rng() * 600_000, 500, 20_000, rng);
      const lastTime = connection.messages[connection.messages.length - 1].time;
      closeAt(connection, lastTime + rng() * 20_000);
      time = (connection.closedAt ?? time) + 1000 + rng() * 10_000;
    }
    expect(diagnose(s)).toEqual([]);
  });
});

describe('max-lifetime', () => {
  it('tells an absolute limit from an idle timeout: 6 s pings, cut at 120 s', () => {
    const s = session();
    lifetimeChain(s, 5, 120_000, 6000, 11);
    const findings = diagnose(s);
    expect(kinds(findings)).toEqual(['max-lifetime']);
    const [lifetime] = findings;
    expect(Math.abs((lifetime.periodMs ?? 0) - 120_000)).toBeLessThan(400);
    expect(lifetime.confidence).toBeGreaterThanOrEqual(0.7);
    expect(lifetime.basis).toBeUndefined();
    // No default is 120 s: the absolute limits one can configure, GCP first among them.
    expect(lifetime.suspects?.map((suspect) => suspect.name)).toContain('GCP external HTTP(S) load balancer');
    expect(lifetime.suspects?.some((suspect) => suspect.name === 'nginx')).toBe(false);
    expect(lifetime.detail).toMatch(/absolute limit/);
    expect(lifetime.fix).toMatch(/reconnect proactively before 120 s/);
  });

  it('matches the GCP default at 30 s', () => {
    const s = session();
    lifetimeChain(s, 3, 30_000, 2000, 12);
    const lifetime = only(diagnose(s), 'max-lifetime');
    expect(lifetime.suspects?.[0].name).toBe('GCP external HTTP(S) load balancer');
    expect(lifetime.fix).toMatch(/timeoutSec/);
  });

  it('does not call an idle timeout an absolute limit (and vice versa) with 1 s pings', () => {
    const s = session();
    lifetimeChain(s, 4, 300_000, 1000, 13);
    expect(kinds(diagnose(s))).toEqual(['max-lifetime']);
  });

  it('finds nothing when the ages vary', () => {
    const s = session();
    const rng = createRng(14);
    let time = T0;
    for (let i = 0; i < 5; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      const closeTime = openedAt + 40_000 + rng() * 400_000;
      beat(connection, { from: openedAt, to: closeTime, intervalMs: 6000, jitterMs: 1000, direction: 'send', ping: 'ping', pong: 'pong', rng });
      closeAt(connection, closeTime);
      time = closeTime + 3000;
    }
    expect(diagnose(s)).toEqual([]);
  });
});

describe('heartbeat-too-slow', () => {
  function socketIoChain(s: Session, pingIntervalMs: number, silenceMs: number): void {
    let time = T0;
    for (let i = 0; i < 3; i++) {
      const connection = addConnection(s, { url: 'wss://app.example/socket.io/?EIO=4&transport=websocket', createdAt: time });
      const openedAt = connection.openedAt ?? time;
      receive(connection, openedAt + 5, `0{"sid":"s${i}","upgrades":[],"pingInterval":${pingIntervalMs},"pingTimeout":20000,"maxPayload":1000000}`);
      send(connection, openedAt + 10, '40');
      receive(connection, openedAt + 20, '40{"sid":"x"}');
      // Earlier silences stay shorter than the timeout, as they must for an idle timer.
      send(connection, openedAt + 4000 + i * 2000, '42["hello"]');
      closeAt(connection, openedAt + 4000 + i * 2000 + silenceMs + i * 100);
      time = (connection.closedAt ?? time) + 1500;
    }
  }

  it('blames a Socket.IO pingInterval of 25 s behind a 10 s idle timeout', () => {
    const s = session();
    socketIoChain(s, 25_000, 10_000);
    const findings = diagnose(s);
    expect(kinds(findings)).toEqual(['idle-timeout', 'heartbeat-too-slow']);
    const slow = only(findings, 'heartbeat-too-slow');
    expect(slow.title).toMatch(/Engine\.IO heartbeat every 25 s .* 10 s idle timeout/);
    expect(slow.fix).toMatch(/pingInterval to ≤ 5 s/);
    expect(slow.connections).toHaveLength(3);
    expect(only(findings, 'idle-timeout').detail).not.toMatch(/silent from open to close/);
  });

  it('says when an idle reading cannot be told from an age limit (silent from open to close)', () => {
    const s = session();
    [0, 1, 2].forEach((i) => {
      const connection = addConnection(s, { url: URL, createdAt: T0 + i * 40_000 });
      receive(connection, (connection.openedAt ?? 0) + 10, 'welcome');
      closeAt(connection, (connection.openedAt ?? 0) + 30_010 + i * 100);
    });
    expect(only(diagnose(s), 'idle-timeout').detail).toMatch(/silent from open to close/);
  });

  it('stays quiet when the heartbeat is faster than the timeout', () => {
    const s = session();
    socketIoChain(s, 25_000, 60_000);
    expect(kinds(diagnose(s))).toEqual(['idle-timeout']);
  });
});

describe('tab-throttled', () => {
  function throttledConnection(s: Session, hiddenGapMs: number, withTimerLate = false): Connection {
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    const openedAt = connection.openedAt ?? T0;
    const hiddenAt = openedAt + 62_000;
    beat(connection, { from: openedAt, to: hiddenAt, intervalMs: 5000, direction: 'send', ping: '{"type":"ping"}', pong: '{"type":"pong"}' });
    pageEvent(s, 'hidden', hiddenAt);
    const lastPing = connection.messages[connection.messages.length - 1].time;
    const closeTime = lastPing + Math.min(hiddenGapMs, 20_000);
    if (hiddenGapMs < 20_000) {
      beat(connection, { from: lastPing - 30, to: closeTime, intervalMs: hiddenGapMs, direction: 'send', ping: '{"type":"ping"}', pong: '{"type":"pong"}' });
    }
    if (withTimerLate) pageEvent(s, 'timer-late', closeTime - 5000, 15_000);
    closeAt(connection, closeTime, 'server', 4000, 'heartbeat timeout');
    return connection;
  }

  it('finds late page heartbeats while the tab is hidden before a close', () => {
    const s = session();
    const connection = throttledConnection(s, 60_000);
    const throttled = only(diagnose(s), 'tab-throttled');
    expect(throttled.connections).toEqual([connection.id]);
    expect(throttled.confidence).toBeGreaterThanOrEqual(0.7);
    expect(throttled.detail).toMatch(/every 5 s when visible/);
  });

  it('finds timer-late events before a close', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 60_000, 500, 4000, createRng(15));
    pageEvent(s, 'timer-late', T0 + 61_000, 9000);
    closeAt(connection, T0 + 62_000);
    expect(only(diagnose(s), 'tab-throttled').detail).toMatch(/fired up to 9 s late/);
  });

  it('stays quiet when the server closes normally after a late timer', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 60_000, 500, 4000, createRng(15));
    pageEvent(s, 'timer-late', T0 + 61_000, 9000);
    closeAt(connection, T0 + 62_000, 'server', 1000);
    expect(diagnose(s)).toEqual([]);
  });

  it('stays quiet when heartbeats kept their pace while hidden', () => {
    const s = session();
    throttledConnection(s, 5000);
    expect(diagnose(s)).toEqual([]);
  });

  it('stays quiet when the tab was visible again before the close', () => {
    const s = session();
    throttledConnection(s, 60_000);
    pageEvent(s, 'visible', T0 + 70_000);
    expect(diagnose(s)).toEqual([]);
  });
});

describe('network-offline', () => {
  it('blames the network when the browser went offline just before an abnormal close', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 50_000, 500, 4000, createRng(16));
    pageEvent(s, 'offline', T0 + 50_500);
    closeAt(connection, T0 + 52_000);
    const offline = only(diagnose(s), 'network-offline');
    expect(offline.connections).toEqual([connection.id]);
    expect(offline.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('keeps offline closes out of the timer analysis', () => {
    const s = session();
    const chain = idleChain(s, { count: 3, seed: 17, silenceMs: 60_000 });
    chain.forEach((c) => pageEvent(s, 'offline', (c.closedAt ?? 0) - 100));
    expect(kinds(diagnose(s))).toEqual(['network-offline']);
  });

  it('stays quiet when the offline event is long before the close', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 500_000, 500, 4000, createRng(18));
    pageEvent(s, 'offline', T0 + 10_000);
    pageEvent(s, 'online', T0 + 12_000);
    closeAt(connection, T0 + 502_000);
    expect(diagnose(s)).toEqual([]);
  });
});

describe('server-restart', () => {
  it('reports a 1012 Service Restart from the server', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 50_000, 500, 4000, createRng(19));
    closeAt(connection, T0 + 51_000, 'server', 1012, 'restarting');
    const restart = only(diagnose(s), 'server-restart');
    expect(restart.confidence).toBeGreaterThanOrEqual(0.9);
    expect(restart.detail).toMatch(/1012 Service Restart/);
  });

  it('reports connections opened at different times that die in the same second', () => {
    const s = session();
    const rng = createRng(20);
    ['a', 'b', 'c'].forEach((name, i) => {
      const connection = addConnection(s, { url: `wss://${name}.example/ws`, createdAt: T0 + i * 30_000 });
      chatter(connection, connection.openedAt ?? 0, T0 + 199_000, 500, 3000, rng);
      closeAt(connection, T0 + 200_000 + i * 200);
    });
    const restart = only(diagnose(s), 'server-restart');
    expect(restart.connections).toHaveLength(3);
    expect(restart.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('does not blame the server for sockets opened together and idle-killed together', () => {
    const s = session();
    ['a', 'b', 'c'].forEach((name) => {
      const connection = addConnection(s, { url: `wss://${name}.example/ws`, createdAt: T0 });
      receive(connection, T0 + 100, 'welcome');
      closeAt(connection, T0 + 60_100);
    });
    const findings = diagnose(s);
    expect(kinds(findings)).toEqual(['idle-timeout']);
  });

  it('does not take two closes that meet by chance among many for a restart', () => {
    const s = session();
    const rng = createRng(27);
    for (let i = 0; i < 60; i++) {
      const createdAt = T0 + rng() * 3_000_000;
      const connection = addConnection(s, { url: `wss://app.example/ws${i}`, createdAt });
      receive(connection, createdAt + 500, 'hello');
      closeAt(connection, createdAt + 1000 + rng() * 600_000);
    }
    // One coincidence: two connections opened 100 s apart close 300 ms apart.
    [0, 100_000].forEach((openOffsetMs, i) => {
      const connection = addConnection(s, { url: 'wss://app.example/pair', createdAt: T0 + openOffsetMs });
      receive(connection, T0 + openOffsetMs + 500, 'hello');
      closeAt(connection, T0 + 1_000_000 + i * 300);
    });
    expect(kinds(diagnose(s))).not.toContain('server-restart');
  });

  it('ignores 1001 Going Away from the page on navigation', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    chatter(connection, T0, T0 + 50_000, 500, 4000, createRng(21));
    pageEvent(s, 'pagehide', T0 + 51_000);
    closeAt(connection, T0 + 51_000, 'page', 1001);
    expect(diagnose(s)).toEqual([]);
  });
});

describe('client-close', () => {
  function watchdogChain(s: Session, count: number, silenceMs: (i: number) => number): Connection[] {
    const rng = createRng(22);
    const connections: Connection[] = [];
    let time = T0;
    for (let i = 0; i < count; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      chatter(connection, openedAt, openedAt + 20_000 + rng() * 60_000, 300, 3000, rng);
      const lastTime = connection.messages[connection.messages.length - 1].time;
      closeAt(connection, lastTime + silenceMs(i), 'page', 4000, 'pong timeout');
      connections.push(connection);
      time = (connection.closedAt ?? time) + 1000;
    }
    return connections;
  }

  it('recognises a watchdog: the page closes after the same silence and reconnects', () => {
    const s = session();
    watchdogChain(s, 4, (i) => 10_000 + i * 50);
    const clientClose = only(diagnose(s), 'client-close');
    expect(clientClose.confidence).toBeGreaterThanOrEqual(0.7);
    expect(Math.abs((clientClose.periodMs ?? 0) - 10_000)).toBeLessThan(200);
    expect(clientClose.detail).toMatch(/close\(4000, "pong timeout"\)/);
    expect(clientClose.detail).toMatch(/not the network/);
    expect(clientClose.connections).toHaveLength(3); // the last close has no reconnect after it
  });

  it('reports repeated page closes without a common silence with less confidence', () => {
    const s = session();
    watchdogChain(s, 4, (i) => [2000, 15_000, 40_000, 7000][i]);
    const clientClose = only(diagnose(s), 'client-close');
    expect(clientClose.periodMs).toBeUndefined();
    expect(clientClose.confidence).toBeLessThan(0.7);
  });

  it('stays quiet when the page deliberately closes with 1000 and reopens at varying moments', () => {
    const s = session();
    watchdogChain(s, 5, (i) => [2000, 15_000, 40_000, 7000, 25_000][i]).forEach((c) => {
      if (c.close) c.close.code = c.close.requestedCode = 1000;
    });
    expect(diagnose(s)).toEqual([]);
  });

  it('stays quiet for closes on navigation and for a single page close', () => {
    const s = session();
    let time = T0;
    for (let i = 0; i < 3; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      chatter(connection, connection.openedAt ?? time, time + 30_000, 300, 3000, createRng(23 + i));
      pageEvent(s, 'pagehide', time + 30_500);
      closeAt(connection, time + 30_600, 'page', 1000);
      pageEvent(s, 'navigation', time + 30_700);
      time += 31_000;
    }
    const single = addConnection(s, { url: 'wss://other.example/ws', createdAt: T0 });
    closeAt(single, T0 + 5000, 'page', 1000);
    addConnection(s, { url: 'wss://other.example/ws', createdAt: T0 + 6000 });
    expect(diagnose(s)).toEqual([]);
  });
});

describe('handshake-failed and reconnect-storm', () => {
  function failingChain(s: Session, delaysMs: number[]): Connection[] {
    let time = T0;
    const connections: Connection[] = [];
    for (const delayMs of [0, ...delaysMs]) {
      time += delayMs;
      const connection = failHandshake(addConnection(s, { url: URL, createdAt: time, openDelayMs: null }), time + 30);
      connections.push(connection);
      time += 30;
    }
    return connections;
  }

  it('reports a failed handshake with the proxy Upgrade headers in the fix', () => {
    const s = session();
    failingChain(s, []);
    const failed = only(diagnose(s), 'handshake-failed');
    expect(failed.fix).toContain('proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";');
    expect(failed.fix).toMatch(/404/);
  });

  it('does not report a socket the page closed before it opened', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0, openDelayMs: null });
    closeAt(connection, T0 + 10, 'page', 1000);
    expect(diagnose(s)).toEqual([]);
  });

  it('reports fixed short reconnect delays as a storm', () => {
    const s = session();
    failingChain(s, [1000, 1000, 1000, 1010, 990, 1000, 1000]);
    const findings = diagnose(s);
    const storm = only(findings, 'reconnect-storm');
    expect(storm.connections).toHaveLength(8);
    expect(storm.confidence).toBeGreaterThanOrEqual(0.8);
    expect(Math.abs((storm.periodMs ?? 0) - 1000)).toBeLessThanOrEqual(10);
    expect(storm.fix).toMatch(/exponential backoff/);
    only(findings, 'handshake-failed');
  });

  it('stays quiet with exponential backoff', () => {
    const s = session();
    failingChain(s, [500, 1000, 2000, 4000, 4800]);
    expect(kinds(diagnose(s))).toEqual(['handshake-failed']);
  });

  it('stays quiet with too few reconnects', () => {
    const s = session();
    failingChain(s, [1000, 1000, 1000]);
    expect(kinds(diagnose(s))).toEqual(['handshake-failed']);
  });
});

describe('diagnose', () => {
  it('finds nothing in healthy traffic closed on navigation', () => {
    const s = session();
    const rng = createRng(24);
    let time = T0;
    for (let i = 0; i < 3; i++) {
      const connection = addConnection(s, { url: 'wss://app.example/socket.io/?EIO=4&transport=websocket', createdAt: time });
      const openedAt = connection.openedAt ?? time;
      receive(connection, openedAt + 5, '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000}');
      beat(connection, { from: openedAt, to: openedAt + 600_000, intervalMs: 25_000, jitterMs: 50, direction: 'receive', ping: '2', pong: '3', rng });
      chatter(connection, openedAt, openedAt + 600_000, 100, 30_000, rng);
      pageEvent(s, 'pagehide', openedAt + 600_000);
      closeAt(connection, openedAt + 600_010, 'page', 1000);
      time = openedAt + 601_000;
    }
    addConnection(s, { url: URL, createdAt: time }); // still open
    expect(diagnose(s)).toEqual([]);
  });

  it('finds nothing in an empty session', () => {
    expect(diagnose(session())).toEqual([]);
  });

  it('sorts the most confident findings first and leaves the session unchanged', () => {
    const s = session();
    idleChain(s, { count: 2, seed: 25, silenceMs: 60_000 });
    const restarted = addConnection(s, { url: 'wss://other.example/ws', createdAt: T0 });
    receive(restarted, T0 + 1000, 'ping');
    closeAt(restarted, T0 + 2000, 'server', 1012);
    const findings = diagnose(s);
    expect(kinds(findings)).toEqual(['server-restart', 'idle-timeout']);
    expect(findings.every((finding, i) => i === 0 || findings[i - 1].confidence >= finding.confidence)).toBe(true);
    expect(s.connections.flatMap((c) => c.messages).some((message) => message.heartbeat)).toBe(false);
  });

  it('handles thousands of connections and a million messages quickly', () => {
    const s = session();
    const rng = createRng(26);
    const connectionCount = 2000;
    const messagesPerConnection = 500;
    const kindsOfTraffic = ['engine.io', 'stomp', 'pattern', 'chat'] as const;
    for (let i = 0; i < connectionCount; i++) {
      const traffic = kindsOfTraffic[i % kindsOfTraffic.length];
      const url = traffic === 'engine.io' ? `wss://app${i % 20}.example/socket.io/?EIO=4&transport=websocket` : `wss://app${i % 20}.example/ws`;
      const connection = addConnection(s, { url, createdAt: T0 + i * 1000 });
      let time = connection.openedAt ?? 0;
      for (let m = 0; m < messagesPerConnection; m++) {
        time += 50 + rng() * 400;
        const beatTurn = m % 10 === 0;
        if (traffic === 'engine.io') {
          if (beatTurn) receive(connection, time, '2');
          else if (m % 10 === 1) send(connection, time, '3');
          else receive(connection, time, `42["update",{"id":${m},"value":${Math.round(rng() * 1000)}}]`);
        } else if (traffic === 'stomp') {
          if (beatTurn) send(connection, time, '\n');
          else receive(connection, time, `MESSAGE\ndestination:/topic/a\nmessage-id:${m}\n\n{"price":${rng()}}\u0000`);
        } else if (traffic === 'pattern') {
          if (beatTurn) send(connection, time, `{"k":"alive","n":${m}}`);
          else receive(connection, time, `{"id":${m},"v":${Math.round(rng() * 100)}}`);
        } else {
          send(connection, time, `{"type":"chat","text":"hello ${m}","at":${Math.round(time)}}`);
        }
      }
      closeAt(connection, time + (i % 2 ? 60_000 + rng() * 300 : rng() * 30_000), i % 2 ? 'abnormal' : 'server', i % 2 ? 1006 : 1011);
    }
    const messageCount = s.connections.reduce((sum, c) => sum + c.messages.length, 0);
    expect(messageCount).toBe(1_000_000);

    const started = performance.now();
    annotateHeartbeats(s);
    const annotatedAt = performance.now();
    const findings = diagnose(s);
    const finished = performance.now();
    console.log(
      `perf: ${connectionCount} connections, ${messageCount} messages: annotateHeartbeats ${Math.round(annotatedAt - started)} ms, ` +
        `diagnose ${Math.round(finished - annotatedAt)} ms (findings: ${kinds(findings).join(", ")})`,
    );
    expect(kinds(findings)).toEqual(['idle-timeout']);
    expect(finished - started).toBeLessThan(3000);
  });
});

describe('tab-throttled: one of two tabs keeps dropping', () => {
  const HEARTBEAT_MS = 300;
  const SERVER_TIMEOUT_MS = 900;
  const THROTTLED_MS = 1000;

  /**
   * A scaled-down STOMP-like app: the page sends a heartbeat every 300 ms, the
   * server closes when it has heard nothing for 900 ms. Hidden at `hiddenAt`,
   * the tab's timers fire once a second, so the server closes it again and
   * again; the page reconnects after 200 ms.
   */
  function app(s: Session, options: { hiddenAt?: number; endAt: number; close: 'app-code' | 'tcp-drop' }): Connection[] {
    const connections: Connection[] = [];
    if (options.hiddenAt !== undefined) pageEvent(s, 'hidden', options.hiddenAt);
    let createdAt = T0;
    while (createdAt < options.endAt) {
      const connection = addConnection(s, { url: URL, createdAt });
      connections.push(connection);
      const openedAt = connection.openedAt ?? createdAt;
      let last = openedAt;
      let closedAt: number | undefined;
      for (;;) {
        const hidden = options.hiddenAt !== undefined && last >= options.hiddenAt;
        const next = hidden ? Math.ceil((last + HEARTBEAT_MS) / THROTTLED_MS) * THROTTLED_MS : last + HEARTBEAT_MS;
        if (next - last > SERVER_TIMEOUT_MS) {
          closedAt = last + SERVER_TIMEOUT_MS;
          break;
        }
        if (next >= options.endAt) break;
        send(connection, next, '\n');
        last = next;
      }
      if (closedAt === undefined) break;
      if (options.close === 'app-code') closeAt(connection, closedAt, 'server', 4008, 'heartbeat timeout');
      else closeAt(connection, closedAt);
      createdAt = closedAt + 200;
    }
    return connections;
  }

  for (const close of ['app-code', 'tcp-drop'] as const) {
    it(`names the hidden tab's throttled heartbeat as the cause (${close === 'app-code' ? 'server closes with 4008' : 'TCP drop, 1006'})`, () => {
      const hiddenTab = session();
      const connections = app(hiddenTab, { hiddenAt: T0 + 10_000, endAt: T0 + 40_000, close });
      expect(connections.length).toBeGreaterThan(5);
      const findings = diagnose(hiddenTab);
      expect(findings[0].kind).toBe('tab-throttled');
      const throttled = only(findings, 'tab-throttled');
      expect(throttled.detail).toMatch(/every 300 ms when visible/);
      expect(throttled.connections.length).toBe(connections.filter((c) => c.close).length);
      expect(throttled.fix).toMatch(/server send the heartbeat/);
      expect(throttled.fix).toMatch(/visibilitychange/);
      expect(throttled.fix).toMatch(/worker/);
      // The quick reconnects are a remark on that cause, not a second cause of equal weight.
      for (const finding of findings.filter((f) => f.kind === 'reconnect-storm')) {
        expect(finding.secondary).toBe(true);
        expect(finding.confidence).toBeLessThan(throttled.confidence);
      }

      const visibleTab = session();
      app(visibleTab, { endAt: T0 + 40_000, close });
      expect(diagnose(visibleTab)).toEqual([]);
    });
  }

  it('does not blame throttling for the page closing its own socket while hidden', () => {
    const s = session();
    const connections = app(s, { hiddenAt: T0 + 10_000, endAt: T0 + 20_000, close: 'app-code' });
    for (const connection of connections) if (connection.close) connection.close.initiator = 'page';
    expect(kinds(diagnose(s))).not.toContain('tab-throttled');
  });
});

describe('reconnect-storm beside a root cause', () => {
  it('ranks a fixed reconnect delay below the idle timeout that kills the connections', () => {
    const s = session();
    let time = T0;
    for (let i = 0; i < 8; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      send(connection, openedAt + 100, 'hello');
      closeAt(connection, openedAt + 100 + 3000);
      time = openedAt + 3100 + 1000;
    }
    const findings = diagnose(s);
    expect(findings[0].kind).toBe('idle-timeout');
    const storm = findings.find((f) => f.kind === 'reconnect-storm');
    if (storm) {
      expect(storm.secondary).toBe(true);
      expect(storm.confidence).toBeLessThanOrEqual(0.5);
      expect(storm.detail).toMatch(/another cause/);
    }
  });

  it('still reports a storm of connections that die at once, with no other cause', () => {
    const s = session();
    let time = T0;
    for (let i = 0; i < 7; i++) {
      const connection = addConnection(s, { url: URL, createdAt: time });
      const openedAt = connection.openedAt ?? time;
      closeAt(connection, openedAt + 200, 'server', 4401, 'unauthorized');
      time = openedAt + 200 + 500;
    }
    const storm = only(diagnose(s), 'reconnect-storm');
    expect(storm.secondary).toBeUndefined();
    expect(storm.confidence).toBeGreaterThanOrEqual(0.7);
  });
});

describe('tab-throttled from the timer probe', () => {
  it('takes intensive throttling (once a minute) as evidence, and names basic alignment only as context', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    // The page's traffic keeps its pace while hidden: only the probe speaks.
    beat(connection, { from: T0, to: T0 + 69_900, intervalMs: 500, direction: 'send', ping: 'tick' });
    pageEvent(s, 'hidden', T0 + 61_000);
    const basic = pageEvent(s, 'timer-throttled', T0 + 62_000, 750);
    basic.detail = 'basic';
    closeAt(connection, T0 + 70_000);
    expect(kinds(diagnose(s))).not.toContain('tab-throttled');
    const intensive = pageEvent(s, 'timer-throttled', T0 + 69_000, 59_750);
    intensive.detail = 'intensive';
    const throttled = only(diagnose(s), 'tab-throttled');
    expect(throttled.detail).toMatch(/once a minute/);
  });

  it('says the timers were aligned to whole seconds beside the traffic that fell behind', () => {
    const s = session();
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    const openedAt = connection.openedAt ?? T0;
    beat(connection, { from: openedAt, to: openedAt + 5000, intervalMs: 300, direction: 'send', ping: '\n' });
    pageEvent(s, 'hidden', openedAt + 5000);
    const basic = pageEvent(s, 'timer-throttled', openedAt + 5400, 750);
    basic.detail = 'basic';
    closeAt(connection, openedAt + 5000 + 900, 'server', 4008, 'heartbeat timeout');
    expect(only(diagnose(s), 'tab-throttled').detail).toMatch(/aligned to whole seconds/);
  });
});
