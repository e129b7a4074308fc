// When the background writes a tab to storage.session: once after a burst (quiet for 400 ms, so the
// hook's 200 ms batches under a flood are not a quiet spell), at least every 5 s under sustained traffic,
// at most once a second under a trickle, and a failed write's retry is not brought forward (docs/decisions.md, 48 and 66).
import { describe, expect, it } from 'vitest';
import { Harness, T0, pageBatch } from './fakes';
import type { PageRecord } from '../../../src/protocol/page';

const create = (id: number): PageRecord => ({ k: 'create', at: 0, id, time: T0 + id, url: `wss://app.example/ws${id}`, protocols: [] });

async function started(): Promise<{ h: Harness; relay: ReturnType<Harness['relay']> }> {
  const h = new Harness();
  await h.ready;
  const relay = h.relay(1);
  relay.hello('d1');
  await h.flush(); // the hello's own write
  return { h, relay };
}

describe('background: persist schedule', () => {
  it('writes a burst once, 400 ms after its last batch, and acknowledges every batch then', async () => {
    const { h, relay } = await started();
    const before = h.browser.session.sets;
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 5, 1, 1, 'm1']]));
    // A batch every 40 ms for a second (the hook's flush after a quiet spell), then every 200 ms for 3 s
    // (its cadence under sustained traffic, decision 64): neither gap is the burst's end.
    for (let seq = 2; seq <= 25; seq++) {
      await h.clock.advance(40);
      relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + 5 + seq, 1, 2, `m${seq}`]]));
    }
    for (let seq = 26; seq <= 40; seq++) {
      await h.clock.advance(200);
      relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + 5 + seq, 1, 2, `m${seq}`]]));
    }
    expect(h.browser.session.sets).toBe(before);
    expect(relay.acked('d1')).toBe(0);
    await h.clock.advance(399);
    expect(h.browser.session.sets).toBe(before);
    await h.clock.advance(1);
    expect(h.browser.session.sets).toBe(before + 1);
    expect(relay.acked('d1')).toBe(40);
    expect(h.stored(1)?.connections[0].messages).toHaveLength(40);
  });

  it('under sustained traffic writes at least every 5 s', async () => {
    const { h, relay } = await started();
    const before = h.browser.session.sets;
    relay.batch('d1', pageBatch(1, [create(1)]));
    const ackedAt: number[] = [];
    for (let seq = 2; seq <= 60; seq++) {
      await h.clock.advance(200); // 12 s of batches at the hook's flood cadence
      relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + seq, 1, 1, 'x']]));
      if (relay.acked('d1') > (ackedAt.length ? ackedAt[ackedAt.length - 1] : 0)) ackedAt.push(relay.acked('d1'));
    }
    const writes = h.browser.session.sets - before;
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(3);
    // No batch waited for its ack more than 5 s (25 batches) plus the write.
    expect(ackedAt[0]).toBeLessThanOrEqual(26);
    for (let i = 1; i < ackedAt.length; i++) expect(ackedAt[i] - ackedAt[i - 1]).toBeLessThanOrEqual(26);
  });

  it('under a trickle (a message every 600 ms) writes at most once a second', async () => {
    const { h, relay } = await started();
    await h.clock.advance(1000);
    const before = h.browser.session.sets;
    relay.batch('d1', pageBatch(1, [create(1)]));
    for (let seq = 2; seq <= 18; seq++) {
      await h.clock.advance(600); // 10 s
      relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + seq, 1, 1, 'beat']]));
    }
    await h.clock.advance(1000);
    const writes = h.browser.session.sets - before;
    expect(writes).toBeGreaterThanOrEqual(5);
    expect(writes).toBeLessThanOrEqual(12); // 11.2 s, at most one a second
    expect(relay.acked('d1')).toBe(18);
  });

  it('keeps a failed write’s retry delay although batches keep coming', async () => {
    const { h, relay } = await started();
    h.browser.session.failNextSets = 1;
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 5, 1, 1, 'a']]));
    await h.clock.advance(400); // the write ran and failed
    const afterFailure = h.browser.session.sets;
    for (let seq = 2; seq <= 20; seq++) {
      await h.clock.advance(40);
      relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + 5 + seq, 1, 1, 'b']]));
    }
    // 760 ms later: still waiting for the 1 s retry, not rescheduled 150 ms after each batch.
    expect(h.browser.session.sets).toBe(afterFailure);
    await h.clock.advance(300);
    expect(h.browser.session.sets).toBe(afterFailure + 1);
    expect(relay.acked('d1')).toBe(20);
  });
});
