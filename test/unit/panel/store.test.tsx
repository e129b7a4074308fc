// @vitest-environment happy-dom
// The store: deltas bump the revision at once, while heartbeat annotation and
// the diagnosis are throttled (at most one run per 500 ms), and stay affordable at 100k messages.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analysisMs, analysisRevision, applySessionDelta, findings, revision, runAnalysis, visibleMessages, selectConnection, hideHeartbeats } from '../../../src/panel/store';
import { flush, load, nginxLikeSession } from './fixtures';

afterEach(() => vi.useRealTimers());

describe('store', () => {
  it('applies deltas at once and analyses at most every 500 ms', () => {
    // Fake every clock the throttle reads, before the first analysis, so the test does not depend on the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'requestIdleCallback', 'cancelIdleCallback', 'Date'] });
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    const analysedBefore = analysisRevision.value;
    const revisionBefore = revision.value;
    let time = live.messages[live.messages.length - 1].time;
    for (let batch = 0; batch < 100; batch++) {
      applySessionDelta({ messages: [{ connectionId: live.id, messages: [{ index: live.messages.length, direction: 'send', time: ++time, opcode: 1, size: 4, preview: 'tick', truncated: false }] }] });
      vi.advanceTimersByTime(10); // 100 batches over one second
    }
    expect(revision.value - revisionBefore).toBe(100);
    vi.advanceTimersByTime(1000);
    const runs = analysisRevision.value - analysedBefore;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(4);
    expect(findings.value[0]?.kind).toBe('idle-timeout');
  });

  it('annotates and diagnoses 100k messages in well under a second, and filters them fast', () => {
    const s = nginxLikeSession();
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    let time = live.messages[live.messages.length - 1].time;
    for (let i = 0; i < 100_000; i++) {
      const ping = i % 20 === 0;
      live.messages.push({ index: live.messages.length, direction: i % 2 ? 'receive' : 'send', time: (time += 2), opcode: 1, size: 40, preview: ping ? '{"type":"ping"}' : `{"type":"update","price":${i}}`, truncated: false });
    }
    load(s); // runs the analysis once
    const firstMs = analysisMs.value;
    runAnalysis(); // nothing changed: annotation is skipped, only the diagnosis runs
    const againMs = analysisMs.value;
    console.log(`analysis of 100k messages: first ${firstMs.toFixed(0)} ms, unchanged ${againMs.toFixed(0)} ms`);
    expect(firstMs).toBeLessThan(1500);
    expect(againMs).toBeLessThan(firstMs + 50);
    flush(() => selectConnection(live.id));
    const began = performance.now();
    flush(() => (hideHeartbeats.value = true));
    const { count } = visibleMessages.value;
    const filterMs = performance.now() - began;
    console.log(`hiding heartbeats among 100k messages: ${filterMs.toFixed(1)} ms`);
    expect(count).toBeLessThan(100_030);
    expect(filterMs).toBeLessThan(200);
  });
});
