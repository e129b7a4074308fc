// The one analysis of a session (src/core/analysis.ts, src/core/facts.ts):
// every fact every view reads, and the definitions where the old copies disagreed.
import { describe, expect, it } from 'vitest';
import { analyzeSession, createAnalyzer } from '../../src/core/analysis';
import { closeSeverity, connectionAgeMs, connectionFacts, connectionState, endedAt, handshakeOutcome, isDrop, messageCounts } from '../../src/core/facts';
import { diagnose } from '../../src/core/diagnosis';
import { addConnection, beat, closeAt, createRng, failHandshake, receive, send, session, T0 } from './helpers/synth';

describe('connection facts', () => {
  it('measures end, lifetime, silences by direction, and counts each way', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: 100 });
    send(c, T0 + 1000, 'hello'); // 5 B
    receive(c, T0 + 2000, 'world!'); // 6 B
    send(c, T0 + 4000, 'é');
    closeAt(c, T0 + 10_100);
    const facts = analyzeSession(s).facts.get(c.id)!;
    expect(facts.endedAt).toBe(T0 + 10_100);
    expect(facts.lifetimeMs).toBe(10_000);
    expect(facts.silenceBeforeEndMs).toEqual({ any: 6100, received: 8100, sent: 6100 });
    expect(facts.longestSurvivedSilenceMs).toEqual({ any: 2000, received: 1900, sent: 3000 });
    expect(facts.counts).toMatchObject({ sent: 2, received: 1, receivedBytes: 6 });
    expect(facts.counts.sentBytes).toBe(c.messages.filter((m) => m.direction === 'send').reduce((sum, m) => sum + m.size, 0));
    expect(facts).toMatchObject({ handshake: 'opened', severity: 'abnormal', state: 'closed' });
  });

  it('counts no silence across missing messages (their indices skip), and a silence after them from the first message after them', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: 100 });
    for (let i = 0; i < 10; i++) send(c, T0 + 1000 + i * 1000, 'ping');
    receive(c, T0 + 30_000, 'late');
    send(c, T0 + 31_000, 'after');
    closeAt(c, T0 + 40_100);
    // The first five gone (a cap's cut of the oldest), and message 9 lost between 8 and 10 (a page left unread).
    c.messages.splice(0, 5);
    c.droppedMessages = 5;
    c.messages.splice(3, 1);
    expect(c.messages.map((m) => m.index)).toEqual([5, 6, 7, 9, 10, 11]);
    const facts = analyzeSession(s).facts.get(c.id)!;
    // Nothing received is known only from the first message after the gap (10 s) to 30 s: 20 s, not the 29.9 s from the open.
    expect(facts.longestSurvivedSilenceMs).toEqual({ any: 20_000, received: 20_000, sent: 21_000 });
    expect(facts.silenceBeforeEndMs).toEqual({ any: 9100, received: 10_100, sent: 9100 });
  });

  it('keeps silences incrementally: a live connection read again gives what a fresh read gives, through gaps and cuts', () => {
    const rng = createRng(84);
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: 100 });
    let time = T0 + 200;
    let index = 0;
    for (let step = 0; step < 200; step++) {
      const added = Math.floor(rng() * 5);
      for (let k = 0; k < added; k++) {
        time += rng() < 0.1 ? 5000 + rng() * 20_000 : rng() * 1000;
        if (rng() < 0.05) index += 1 + Math.floor(rng() * 10); // unread before it
        c.messages.push({ index: index++, direction: rng() < 0.5 ? 'send' : 'receive', time, opcode: 1, size: 1, preview: 'x', truncated: false });
      }
      if (rng() < 0.05 && c.messages.length > 3) {
        const cut = 1 + Math.floor(rng() * (c.messages.length - 1)); // the cap's cut of the oldest
        c.messages.splice(0, cut);
        c.droppedMessages = (c.droppedMessages ?? 0) + cut;
      }
      if (step === 150) c.closedAt = time + 3000;
      const fresh = structuredClone(c);
      const { longestSurvivedSilenceMs, silenceBeforeEndMs } = connectionFacts(c);
      expect({ longestSurvivedSilenceMs, silenceBeforeEndMs }, `step ${step}`).toEqual({
        longestSurvivedSilenceMs: connectionFacts(fresh).longestSurvivedSilenceMs,
        silenceBeforeEndMs: connectionFacts(fresh).silenceBeforeEndMs,
      });
    }
    expect(c.droppedMessages).toBeGreaterThan(0);
  });

  it('takes the close event time (closedAt) as the end when the close record disagrees', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    closeAt(c, T0 + 5000);
    c.close!.time = T0 + 4000; // an edited file: closedAt is when the page saw the end
    expect(endedAt(c)).toBe(T0 + 5000);
    expect(analyzeSession(s).facts.get(c.id)!.lifetimeMs).toBe(5000 - 50);
  });

  it('grades every kind of end', () => {
    const s = session();
    const grade = (setup: (c: ReturnType<typeof addConnection>) => void): string => {
      const c = addConnection(s, { createdAt: T0 });
      setup(c);
      return closeSeverity(c);
    };
    expect(grade(() => {})).toBe('open');
    expect(grade((c) => closeAt(c, T0 + 1000, 'server', 1000))).toBe('clean');
    expect(grade((c) => closeAt(c, T0 + 1000, 'page', 1000))).toBe('page');
    expect(grade((c) => closeAt(c, T0 + 1000, 'server', 1001))).toBe('going-away');
    expect(grade((c) => closeAt(c, T0 + 1000, 'server', 1012))).toBe('going-away');
    expect(grade((c) => closeAt(c, T0 + 1000, 'server', 4008))).toBe('server-error');
    expect(grade((c) => closeAt(c, T0 + 1000, 'abnormal'))).toBe('abnormal');
    expect(grade((c) => (c.closedAt = T0 + 1000))).toBe('unknown');
    const failed = addConnection(s, { createdAt: T0, openDelayMs: null });
    failHandshake(failed, T0 + 20);
    expect(closeSeverity(failed)).toBe('handshake-failed');
    expect(isDrop('handshake-failed') && isDrop('abnormal') && isDrop('server-error') && isDrop('going-away')).toBe(true);
    expect(isDrop('clean') || isDrop('page') || isDrop('open') || isDrop('unknown')).toBe(false);
  });

  it('does not count a page giving up on a pending handshake as a failed handshake (the CLI used to)', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: null });
    closeAt(c, T0 + 30, 'page', 1000);
    expect(handshakeOutcome(c)).toBe('abandoned');
    expect(closeSeverity(c)).toBe('page');
    expect(diagnose(s).some((finding) => finding.kind === 'handshake-failed')).toBe(false);
  });

  it('gives states and ages for live views', () => {
    const s = session();
    const pending = addConnection(s, { createdAt: T0, openDelayMs: null });
    expect(connectionState(pending)).toBe('connecting');
    const open = addConnection(s, { createdAt: T0 });
    expect(connectionState(open)).toBe('open');
    expect(connectionAgeMs(open, T0 + 1050)).toBe(1000);
    open.closeRequestedAt = T0 + 2000;
    expect(connectionState(open)).toBe('closing');
    closeAt(open, T0 + 2100, 'page');
    expect(connectionState(open)).toBe('closed');
    expect(connectionAgeMs(open, T0 + 99_999)).toBe(2050);
  });

  it('keeps counts incrementally and recounts after a cap cut the head', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    for (let i = 0; i < 10; i++) send(c, T0 + 100 + i, 'ab');
    expect(messageCounts(c).sent).toBe(10);
    receive(c, T0 + 200, 'abc');
    expect(messageCounts(c)).toMatchObject({ sent: 10, received: 1, receivedBytes: 3 });
    c.messages.splice(0, 4);
    c.droppedMessages = 4;
    expect(messageCounts(c)).toMatchObject({ sent: 6, received: 1 });
  });
});

describe('analyzeSession', () => {
  it('annotates heartbeats, measures them, and diagnoses with the same facts', () => {
    const s = session();
    for (let i = 0; i < 4; i++) {
      const start = T0 + i * 20_000;
      const c = addConnection(s, { createdAt: start, url: 'wss://app.example/socket' });
      beat(c, { from: start + 50, to: start + 12_000, intervalMs: 1000, direction: 'send', ping: 'ping', pong: 'pong', replyDelayMs: 10 });
      closeAt(c, start + 12_050 + 3000);
    }
    const analysis = analyzeSession(s);
    expect(analysis.chains).toHaveLength(1);
    const first = analysis.facts.get(s.connections[0].id)!;
    expect(first.heartbeat).toMatchObject({ direction: 'send' });
    expect(first.heartbeat.intervalMs).toBeCloseTo(1000, -1);
    expect(s.connections[0].messages.some((m) => m.heartbeat === 'ping')).toBe(true);
    expect(analysis.findings.map((f) => f.kind)).toEqual(diagnose(s).map((f) => f.kind));
  });

  it('names a repeating-message heartbeat the same however often it is analysed (the CLI relied on an order)', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    for (let i = 1; i <= 8; i++) send(c, T0 + i * 1000, `tick ${i}`);
    const analyzer = createAnalyzer();
    const once = analyzer.analyze(s).facts.get(c.id)!.heartbeat.protocol;
    expect(once).toMatch(/^repeating message/);
    send(c, T0 + 9000, 'tick 9'); // a live connection grows: analysed again, with our own marks on its messages
    const again = analyzer.analyze(s).facts.get(c.id)!.heartbeat.protocol;
    expect(again).toBe(once);
    expect(c.messages[c.messages.length - 1].heartbeat).toBe('ping');
  });

  it('reuses the facts of connections that did not change', () => {
    const s = session();
    const a = addConnection(s, { createdAt: T0 });
    const b = addConnection(s, { createdAt: T0 });
    const analyzer = createAnalyzer();
    const first = analyzer.analyze(s);
    send(b, T0 + 500, 'x');
    const second = analyzer.analyze(s);
    expect(second.facts.get(a.id)).toBe(first.facts.get(a.id));
    expect(second.facts.get(b.id)).not.toBe(first.facts.get(b.id));
    expect(second.facts.get(b.id)!.counts.sent).toBe(1);
  });
});
