// What the background makes of a relay's compact record (docs/decisions.md, 73): the record of a document that went
// away while nothing read it, posted at its pagehide, possibly after its successor spoke, or after its tab closed.
import { describe, expect, it } from 'vitest';
import { Harness, T0 } from './fakes';
import { compactBatches } from '../../../src/content/compact';
import { PROTOCOL_VERSION, packMeta, type PageRecord } from '../../../src/protocol/page';

const create = (id: number, time: number, url = `wss://app.example/ws${id}`): PageRecord => ({ k: 'create', at: 0, id, time, url, protocols: [] });

/** Hook batches seq 1..`batches`, each `rows` received messages on connection 1 (created in the first), and their compact record. */
function held(batches: number, rows: number, t0 = T0) {
  const jsons = Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      v: PROTOCOL_VERSION,
      seq: b + 1,
      t0,
      records: b ? [] : [create(1, t0 + 1)],
      messages: { meta: Array(rows).fill(packMeta(1, 0, 1, 1)), time: Array(rows).fill(b * rows ? 1000 : 2000), size: Array(rows).fill(1), preview: Array(rows).fill('m') },
      droppedMessages: 0,
    }),
  );
  return compactBatches(jsons)!;
}

describe('background: a compact record', () => {
  it('stands for every batch it replaced: none counted lost; the messages left out counted as dropped, unread', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1', { deferred: true, timeOrigin: T0 });
    relay.send({ kind: 'batch', docId: 'd1', seq: 3, json: held(3, 100), span: 3 });
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.dropped.lostBatches).toBeUndefined();
    expect(stored.dropped).toMatchObject({ messages: 44, unreadMessages: 44 });
    expect(stored.connections[0].droppedMessages).toBe(44);
    expect(stored.connections[0].messages.map((m) => m.index)).toEqual(Array.from({ length: 256 }, (_, i) => 44 + i));
    expect(relay.acked('d1')).toBe(3);
  });

  it('takes a span that says more than its seq for none', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1', { deferred: true, timeOrigin: T0 });
    relay.send({ kind: 'batch', docId: 'd1', seq: 3, json: held(3, 10), span: 9 });
    await h.flush();
    expect(h.stored(1)!.dropped.lostBatches).toBe(2);
  });

  it("keeps a past top document that speaks after its successor as history: no navigation to it, its successor's sockets untouched", async () => {
    const h = new Harness();
    const next = h.relay(1);
    next.hello('new', { frameUrl: 'https://app.example/b', time: T0 + 60_000, timeOrigin: T0 + 59_000 });
    next.send({ kind: 'batch', docId: 'new', seq: 1, json: JSON.stringify({ v: 1, seq: 1, t0: T0 + 59_000, records: [{ ...create(1, T0 + 59_500), url: 'wss://b.example/' }], messages: { meta: [], time: [], size: [], preview: [] }, droppedMessages: 0 }) });
    await h.flush();
    const old = h.relay(1);
    old.hello('old', { frameUrl: 'https://app.example/a', time: T0 + 60_001, timeOrigin: T0, deferred: true });
    old.send({ kind: 'batch', docId: 'old', seq: 2, json: held(2, 10), span: 2 });
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.pageUrl).toBe('https://app.example/b');
    expect(stored.connections.map((c) => [c.url, c.close?.initiator])).toEqual([
      ['wss://b.example/', undefined],
      ['wss://app.example/ws1', undefined],
    ]);
    expect(stored.connections[1].messages.length).toBe(20);
    expect(stored.pageEvents.filter((e) => e.type === 'navigation')).toEqual([]);
  });

  it("drops a past top document's record when its successor cleared the tab (Preserve log off)", async () => {
    const h = new Harness();
    h.panel().send({ kind: 'settings', settings: { preserveLog: false } });
    const next = h.relay(1);
    next.hello('new', { frameUrl: 'https://app.example/b', time: T0 + 60_000, timeOrigin: T0 + 59_000 });
    const old = h.relay(1);
    old.hello('old', { frameUrl: 'https://app.example/a', time: T0 + 60_001, timeOrigin: T0, deferred: true });
    old.send({ kind: 'batch', docId: 'old', seq: 2, json: held(2, 10), span: 2 });
    await h.flush();
    expect(h.stored(1)?.connections ?? []).toEqual([]);
  });

  it('ignores what a document of a closed tab posts after the tab went', async () => {
    const h = new Harness();
    h.browser.onRemoved.emit(1);
    await h.clock.advance(0);
    const relay = h.relay(1);
    relay.hello('d1', { deferred: true, timeOrigin: T0 });
    relay.send({ kind: 'batch', docId: 'd1', seq: 2, json: held(2, 10), span: 2 });
    await h.flush();
    expect(h.stored(1)).toBeUndefined();
  });

  it('tells a panel that a document of its tab still holds batches, and when it handed them over', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.send({ kind: 'hello', v: PROTOCOL_VERSION, docId: 'd1', frameUrl: 'https://app.example/', top: true, time: T0, timeOrigin: T0 - 10, webdriver: false, deferred: true, holding: true });
    const panel = h.panel();
    panel.subscribe(1);
    await h.flush(10);
    expect(panel.received.find((m) => m.kind === 'snapshot')).toMatchObject({ holding: true });
    relay.send({ kind: 'holding', docId: 'd1', batches: 3, chars: 300 });
    relay.send({ kind: 'holding', docId: 'd1', batches: 0, chars: 0 });
    await h.flush(10);
    expect(panel.received.filter((m) => m.kind === 'holding')).toEqual([{ kind: 'holding', tabId: 1, holding: false }]);
    const again = h.panel();
    again.subscribe(1);
    await h.flush(10);
    expect(again.received.find((m) => m.kind === 'snapshot')).not.toHaveProperty('holding');
  });
});
