// Storage failures and the caps across tabs: an ack only after the write
// succeeded, and one tab never silently pushes out another's records.
import { describe, expect, it } from 'vitest';
import { Harness, T0, pageBatch } from './fakes';
import type { PageRecord } from '../../../src/protocol/page';
import { MAX_PAGE_EVENTS_PER_TAB, MAX_RECORDS_PER_BATCH } from '../../../src/core/limits';
import { DEFAULT_CAPS } from '../../../src/core/caps';

const create = (id: number, url = `wss://app.example/ws${id}`, time = T0 + id): PageRecord => ({ k: 'create', at: 0, id, time, url, protocols: [] });

describe('background: acks follow successful writes', () => {
  it('keeps a batch unacknowledged while its write fails, retries, and acknowledges once stored', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    h.browser.session.failNextSets = 1;
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 5, 1, 1, 'a']]));
    await h.clock.advance(400); // the first write ran and failed
    expect(h.browser.session.sets).toBeGreaterThanOrEqual(1);
    expect(relay.acked('d1')).toBe(0);
    expect(h.stored(1)).toBeUndefined();
    await h.flush(5000); // retried
    expect(h.stored(1)?.connections[0].messages.map((m) => m.preview)).toEqual(['a']);
    expect(relay.acked('d1')).toBe(1);
  });

  it('when writes keep failing, evicts by the caps (counted) until the tab can be stored', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 5, 1, 100_000, 'p'.repeat(80_000)]]));
    // The estimate says it fits, the storage says otherwise (e.g. multi-byte text counted at three bytes a character).
    h.browser.session.quotaBytes = 50_000;
    await h.flush(30_000);
    const stored = h.stored(1)!;
    expect(stored).toBeDefined();
    expect(stored.dropped.previews).toBe(1);
    expect(relay.acked('d1')).toBe(1);
  });
});

describe('background: one tab cannot erase another', () => {
  it('a tab opening 200 sockets with 60 KB URLs loses its own oldest connections, counted; a victim tab keeps everything', async () => {
    const h = new Harness(); // storage.session: 10 MiB, default caps
    const victim = h.relay(2);
    victim.hello('v');
    victim.batch('v', pageBatch(1, [create(1)]));
    const attacker = h.relay(1);
    attacker.hello('a');
    let vseq = 1;
    for (let seq = 1; seq <= 20; seq++) {
      const records: PageRecord[] = [];
      for (let i = 0; i < 10; i++) {
        const id = (seq - 1) * 10 + i + 1;
        records.push(create(id, `wss://evil.example/${'x'.repeat(60_000)}?${id}`));
      }
      attacker.batch('a', pageBatch(seq, records));
      victim.batch('v', pageBatch(++vseq, [], [[1, 1, T0 + 1000 + seq, 1, 10, `message ${seq}`]]));
      await h.flush(1100);
    }
    await h.flush(5000);
    const stored = h.stored(2)!;
    expect(stored.connections[0].messages.map((m) => m.preview)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 1}`));
    expect(stored.dropped).toEqual({ messages: 0, previews: 0, rejected: 0 });
    expect(victim.acked('v')).toBe(21);
    const evil = h.stored(1)!;
    expect(evil.dropped.droppedConnections).toBeGreaterThan(100);
    expect(evil.connections.length + evil.dropped.droppedConnections!).toBe(200);
    expect(attacker.acked('a')).toBe(20);
    expect(h.browser.session.bytesInUse()).toBeLessThan(10 * 1024 * 1024);
  });

  it('the total cap takes from the largest tab first, counted in that tab', async () => {
    const h = new Harness();
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { caps: { maxTabBytes: 1_000_000, maxTotalBytes: 600_000 } } });
    const small = h.relay(2);
    small.hello('s');
    small.batch('s', pageBatch(1, [create(1)], [[1, 1, T0 + 2, 1, 1000, 's'.repeat(80_000)]]));
    await h.flush();
    const big = h.relay(1);
    big.hello('b');
    big.batch('b', pageBatch(1, [create(1)]));
    for (let seq = 2; seq <= 10; seq++) big.batch('b', pageBatch(seq, [], [[1, 1, T0 + 10 + seq, 1, 1000, 'b'.repeat(80_000)]]));
    await h.flush();
    expect(h.stored(2)!.connections[0].messages[0].preview.length).toBe(80_000);
    expect(h.stored(2)!.dropped.previews).toBe(0);
    expect(h.stored(1)!.dropped.previews).toBeGreaterThan(0);
  });

  it('evicts whole connections when a tab\'s metadata alone is over its cap', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    for (let seq = 1; seq <= 100; seq++) relay.batch('d1', pageBatch(seq, [create(seq, `wss://x/${'u'.repeat(60_000)}${seq}`)]));
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.connections.length * 60_000).toBeLessThanOrEqual(DEFAULT_CAPS.maxTabBytes);
    expect(stored.dropped.droppedConnections).toBe(100 - stored.connections.length);
    expect(stored.connections.at(-1)!.url.endsWith('100')).toBe(true); // the newest stay
  });
});

describe('background: page events', () => {
  it('keeps at most MAX_PAGE_EVENTS_PER_TAB page events per tab, oldest dropped first, counted', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    const per = 1000;
    const batches = MAX_PAGE_EVENTS_PER_TAB / per + 5;
    for (let seq = 1; seq <= batches; seq++) {
      relay.batch('d1', pageBatch(seq, Array.from({ length: per }, (_, i): PageRecord => ({ k: 'page', at: 0, type: i % 2 ? 'online' : 'offline', time: T0 + seq * per + i }))));
    }
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.pageEvents.length).toBe(MAX_PAGE_EVENTS_PER_TAB);
    expect(stored.dropped.droppedPageEvents).toBe(5 * per);
    expect(stored.pageEvents[0].time).toBe(T0 + 6 * per);
    expect(relay.acked('d1')).toBe(batches);
  });

  it('refuses a batch with too many records, counts them, and acknowledges it', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, Array.from({ length: MAX_RECORDS_PER_BATCH + 1 }, (): PageRecord => ({ k: 'page', at: 0, type: 'online', time: T0 + 1 }))));
    await h.flush();
    expect(h.stored(1)!.pageEvents.length).toBe(0);
    expect(h.stored(1)!.dropped.rejected).toBe(MAX_RECORDS_PER_BATCH + 1);
    expect(relay.acked('d1')).toBe(1);
  });
});

describe('background: documents are stored too', () => {
  it('counts each document\'s frame URL in the tab\'s cost, so the tab pays for its own frames', async () => {
    const h = new Harness();
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { caps: { maxTabBytes: 1_000_000, maxTotalBytes: 8_000_000 } } });
    const top = h.relay(1);
    top.hello('top');
    const previews: [number, number, number, number, number, string][] = Array.from({ length: 5 }, (_, i) => [1, 1, T0 + 5 + i, 1, 80_000, String(i).repeat(80_000)]);
    top.batch('top', pageBatch(1, [create(1)], previews));
    await h.flush();
    // 10 frames with 60 KB URLs: 600 KB of document entries; with the 400 KB of previews, over the tab's cap.
    for (let i = 0; i < 10; i++) h.relay(1, i + 1, 'https://app.example/frame').hello(`frame${i}`, { top: false, frameUrl: `https://app.example/frame?${'f'.repeat(60_000)}${i}` });
    top.batch('top', pageBatch(2, [], [[1, 1, T0 + 60, 1, 10, 'new']]));
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.dropped.previews).toBe(4);
    expect(stored.connections[0].messages.map((m) => m.preview.length)).toEqual([0, 0, 0, 0, 80_000, 3]);
  });

  it('when storage still refuses a write, the tab that is really the largest gives up records, not a smaller victim', async () => {
    const h = new Harness({ sessionQuota: 2_000_000 });
    const victim = h.relay(2);
    victim.hello('v');
    const previews: [number, number, number, number, number, string][] = Array.from({ length: 10 }, (_, i) => [1, 1, T0 + 10 + i, 1, 80_000, String(i).repeat(80_000)]);
    victim.batch('v', pageBatch(1, [create(1)], previews));
    await h.flush();
    expect(victim.acked('v')).toBe(1);
    // A tab whose frames' URLs alone are 1.8 MB: the estimate says 4 MiB fits, the storage (2 MB here) does not.
    const top = h.relay(1);
    top.hello('top');
    for (let i = 0; i < 30; i++) h.relay(1, i + 1).hello(`frame${i}`, { top: false, frameUrl: `https://evil.example/?${'f'.repeat(60_000)}${i}` });
    top.batch('top', pageBatch(1, [create(1)]));
    victim.batch('v', pageBatch(2, [], [[1, 1, T0 + 100, 1, 3, 'new']]));
    await h.flush(20_000);
    expect(h.stored(2)!.dropped).toEqual({ messages: 0, previews: 0, rejected: 0 });
    expect(victim.acked('v')).toBe(2);
  });
});


describe('background: append-only writes', () => {
  it('writes only the new messages of a large tab, goes on appending after a restart, and leaves nothing behind when the tab closes', async () => {
    const h = new Harness();
    const written: string[][] = [];
    const set = h.browser.session.set.bind(h.browser.session);
    h.browser.session.set = (items) => (written.push(Object.keys(items)), set(items));
    const relay = h.relay(1);
    relay.hello('d1');
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, i): [number, number, number, number, number, string] => [1, 1, T0 + 10 + from + i, 1, 100, `message ${from + i}`.padEnd(100, '.')]);
    relay.batch('d1', pageBatch(1, [create(1)], rows(0, 4000)));
    relay.batch('d1', pageBatch(2, [], rows(4000, 4000)));
    await h.flush();
    const chunks = () => [...h.browser.session.data.keys()].filter((key) => key.startsWith('msgs:1:'));
    expect(chunks().length).toBeGreaterThan(4);
    expect(relay.acked('d1')).toBe(2);
    // One more message: the tab's entry is written, no chunk is.
    written.length = 0;
    relay.batch('d1', pageBatch(3, [], rows(8000, 1)));
    await h.flush();
    expect(written).toEqual([['tab:1']]);
    expect(h.stored(1)!.connections[0].messages.length).toBe(8001);

    // A restarted service worker reads the chunks back and appends after them.
    const restarted = new Harness({ session: h.browser.session, clock: h.clock });
    await restarted.ready;
    expect(restarted.stored(1)!.connections[0].messages.map((m) => m.preview.trim())).toEqual(Array.from({ length: 8001 }, (_, i) => `message ${i}`.padEnd(100, '.').trim()));
    written.length = 0;
    const again = restarted.relay(1);
    again.hello('d1');
    again.batch('d1', pageBatch(4, [], rows(8001, 1)));
    await restarted.flush();
    expect(written.flat().filter((key) => key.startsWith('msgs:'))).toEqual([]);
    expect(restarted.stored(1)!.connections[0].messages.length).toBe(8002);

    restarted.browser.onRemoved.emit(1);
    await restarted.flush();
    expect([...restarted.browser.session.data.keys()].filter((key) => key.endsWith(':1') || key.startsWith('msgs:1:'))).toEqual([]);
  });
});
