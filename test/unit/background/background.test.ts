// The background on in-memory fakes of the extension API (fakes.ts): acks,
// resends, caps, recordings, tab close, navigations.
import { describe, expect, it } from 'vitest';
import { EXTENSION_ID, EXTENSION_ORIGIN, Harness, T0, pageBatch } from './fakes';
import type { PageRecord } from '../../../src/protocol/page';
import type { RecordingStatus } from '../../../src/protocol/messages';

const create = (id: number, time = T0 + 1, url = `wss://app.example/ws${id}`): PageRecord => ({ k: 'create', at: 0, id, time, url, protocols: [] });
const close = (id: number, time: number): PageRecord => ({ k: 'close', at: 0, id, time, code: 1000, reason: '', wasClean: true });

describe('background: acks and persistence', () => {
  it('acknowledges a batch only once the tab is persisted', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 2, 1, 5, 'hello']]));
    await h.clock.advance(10);
    expect(relay.acked('d1')).toBe(0);
    expect(h.stored(1)).toBeUndefined();
    await h.flush();
    expect(h.stored(1)?.connections[0].messages.map((m) => m.preview)).toEqual(['hello']);
    expect(relay.acked('d1')).toBe(1);
  });

  it('applies a resent batch once, and acknowledges the duplicate', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    const first = pageBatch(1, [create(1)], [[1, 0, T0 + 2, 1, 1, 'a']]);
    const second = pageBatch(2, [], [[1, 0, T0 + 3, 1, 1, 'b']]);
    relay.batch('d1', first);
    relay.batch('d1', second);
    await h.flush();
    // The worker restarts: a new background reads the stored tabs; the relay resends both on a new port.
    const again = new Harness({ session: h.browser.session, clock: h.clock });
    const relay2 = again.relay(1);
    relay2.hello('d1');
    relay2.batch('d1', first);
    relay2.batch('d1', second);
    relay2.batch('d1', pageBatch(3, [], [[1, 1, T0 + 4, 1, 1, 'c']]));
    await again.flush();
    expect(again.stored(1)?.connections[0].messages.map((m) => `${m.index}${m.preview}`)).toEqual(['0a', '1b', '2c']);
    expect(relay2.acked('d1')).toBe(3);
    expect(again.stored(1)?.dropped.lostBatches).toBeUndefined();
  });

  it('counts the batches a restarted worker never got as lost: the seqs the relay no longer had to resend', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)], [[1, 0, T0 + 2, 1, 1, 'a']]));
    await h.flush();
    // Batch 2 reached the worker, which stopped before storing it; the relay's cap had dropped 2 and 3 from what it resends.
    relay.batch('d1', pageBatch(2, [], [[1, 1, T0 + 3, 1, 1, 'b']]));
    const again = new Harness({ session: h.browser.session, clock: h.clock });
    const relay2 = again.relay(1);
    relay2.hello('d1');
    relay2.batch('d1', pageBatch(4, [], [[1, 1, T0 + 5, 1, 1, 'd']]));
    relay2.batch('d1', pageBatch(5, [], [[1, 1, T0 + 6, 1, 1, 'e']]));
    await again.flush();
    expect(again.stored(1)?.dropped.lostBatches).toBe(2);
    expect(again.stored(1)?.connections[0].messages.map((m) => m.preview)).toEqual(['a', 'd', 'e']);
    expect(relay2.acked('d1')).toBe(5);
  });
});

describe('background: caps', () => {
  it('keeps a tab under its cap by evicting the oldest previews, counted', async () => {
    const h = new Harness();
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { caps: { maxTabBytes: 20_000, maxTotalBytes: 100_000 } } });
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)]));
    for (let seq = 2; seq < 12; seq++) relay.batch('d1', pageBatch(seq, [], [[1, 1, T0 + seq, 1, 3000, 'x'.repeat(3000)]]));
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.dropped.previews).toBeGreaterThan(0);
    expect(stored.connections[0].messages.length).toBe(10);
    expect(stored.connections[0].messages[0].evicted).toBe(true);
    expect(stored.connections[0].messages[9].preview.length).toBe(3000);
  });
});

describe('background: writes after an eviction in place', () => {
  it('stores the previews another tab\'s growth evicted, though the evicted tab got no new message', async () => {
    const h = new Harness();
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { caps: { maxTabBytes: 100_000, maxTotalBytes: 60_000 } } });
    const big = h.relay(1);
    big.hello('b');
    big.batch('b', pageBatch(1, [create(1)]));
    for (let seq = 2; seq < 12; seq++) big.batch('b', pageBatch(seq, [], [[1, 1, T0 + seq, 1, 4000, 'b'.repeat(4000)]]));
    await h.flush();
    expect(h.stored(1)!.connections[0].messages.every((m) => m.preview.length === 4000)).toBe(true);
    // Tab 2 pushes the total over its cap: the largest tab (1) gives up its oldest previews, in place.
    const small = h.relay(2);
    small.hello('s');
    small.batch('s', pageBatch(1, [create(1)]));
    for (let seq = 2; seq < 8; seq++) small.batch('s', pageBatch(seq, [], [[1, 1, T0 + seq, 1, 4000, 's'.repeat(4000)]]));
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.dropped.previews).toBeGreaterThan(0);
    expect(stored.connections[0].messages[0]).toMatchObject({ preview: '', evicted: true });
  });
});

describe('background: recordings', () => {
  it('starts and stops a recording from our own pages only, with a badge', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    await h.flush();
    const own = { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` };
    const ask = (message: unknown, sender = own) => h.browser.onMessage.emit(message, sender)[0] as Promise<RecordingStatus> | undefined;
    expect(ask({ kind: 'record-start', tabId: 1, name: 'x' }, { id: EXTENSION_ID, url: 'https://evil.example/' })).toBeUndefined();
    const started = await ask({ kind: 'record-start', tabId: 1, name: 'Checkout' })!;
    expect(started.recordingActive).toBe(true);
    expect(started.recording?.name).toBe('Checkout');
    await h.flush();
    expect(h.browser.badges.get(1)).toBe('REC');
    const stopped = await ask({ kind: 'record-stop', tabId: 1 })!;
    expect(stopped.recordingActive).toBe(false);
    expect(stopped.recording?.endedAt).toBe(h.clock.now());
    await h.flush();
    expect(h.browser.badges.get(1)).toBe('');
  });
});

describe('background: the page a recording is named after', () => {
  it("reads the tab's page from the browser: a page without sockets has not said hello (decision 71)", async () => {
    const h = new Harness();
    h.relay(1).hello('d1', { frameUrl: 'https://app.example/chat' });
    await h.flush();
    const own = { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` };
    const ask = (message: unknown) => h.browser.onMessage.emit(message, own)[0] as Promise<RecordingStatus>;
    // The tab went on to a page that opened no socket: only the browser knows it.
    h.browser.tabUrls.set(1, 'https://docs.example/guide');
    expect((await ask({ kind: 'recording-status', tabId: 1 })).pageUrl).toBe('https://docs.example/guide');
    const started = await ask({ kind: 'record-start', tabId: 1 });
    expect(started.recording?.name).toMatch(/^docs\.example \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(started.pageUrl).toBe('https://docs.example/guide');
    // No answer from the browser (no access to the page, or the tab is gone): the last page the background saw.
    h.browser.tabUrls.delete(1);
    expect((await ask({ kind: 'recording-status', tabId: 1 })).pageUrl).toBe('https://app.example/chat');
  });
});

describe('background: tab close', () => {
  it('releases a closed tab\'s data, in memory and in storage', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)]));
    await h.flush();
    expect(h.stored(1)).toBeDefined();
    h.browser.onRemoved.emit(1);
    await h.flush();
    expect(h.browser.session.data.has('tab:1')).toBe(false);
    const panel = h.panel();
    panel.subscribe(1);
    await h.flush();
    const snapshot = panel.received.find((m) => m.kind === 'snapshot');
    expect(snapshot?.kind === 'snapshot' && snapshot.session.connections.length).toBe(0);
  });
});

describe('background: tab close during a write', () => {
  it('removes what a write that was under way when the tab closed stored', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)]));
    let open!: () => void;
    h.browser.session.gate = new Promise<void>((resolve) => (open = resolve));
    await h.flush(); // the write started and waits
    h.browser.onRemoved.emit(1);
    await h.flush();
    open();
    await h.flush();
    expect(h.browser.session.data.has('tab:1')).toBe(false);
  });
});

describe('background: navigations', () => {
  it('keeps records across navigations with a marker when preserve log is on, and clears them when off', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1', { frameUrl: 'https://app.example/a' });
    relay.batch('d1', pageBatch(1, [create(1), close(1, T0 + 5)]));
    await h.flush();
    const next = h.relay(1);
    next.hello('d2', { frameUrl: 'https://app.example/b', time: T0 + 10 });
    await h.flush();
    let stored = h.stored(1)!;
    expect(stored.connections.length).toBe(1);
    expect(stored.pageEvents.map((e) => [e.type, e.detail])).toEqual([['navigation', 'https://app.example/b']]);
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { preserveLog: false } });
    next.batch('d2', pageBatch(1, [create(1, T0 + 11)]));
    await h.flush();
    const third = h.relay(1);
    third.hello('d3', { frameUrl: 'https://app.example/c', time: T0 + 20 });
    await h.flush();
    stored = h.stored(1)!;
    expect(stored.connections.length).toBe(0);
    expect(stored.pageUrl).toBe('https://app.example/c');
  });

  it("keeps a document's beforeunload for its later batches, across a worker restart: a socket failing after it is ended by the navigation", async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1), create(2), { k: 'page', at: 0, type: 'beforeunload', time: T0 + 50 }]));
    await h.flush();
    const again = new Harness({ session: h.browser.session, clock: h.clock });
    const relay2 = again.relay(1);
    relay2.hello('d1');
    relay2.batch('d1', pageBatch(2, [{ k: 'error', at: 0, id: 1, time: T0 + 55 }, { k: 'close', at: 0, id: 1, time: T0 + 56, code: 1006, reason: '', wasClean: true }]));
    relay2.batch('d1', pageBatch(3, [{ k: 'page', at: 0, type: 'pagehide', time: T0 + 70 }, { k: 'close', at: 0, id: 2, time: T0 + 70, code: 1001, reason: '', wasClean: false, navigation: 1 }]));
    await again.flush();
    expect(again.stored(1)!.connections.map((c) => c.close?.initiator)).toEqual(['navigation', 'navigation']);
  });

  it('ends the sockets of the earlier document still open in the records when the next one arrives (no pagehide batch came)', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1', { frameUrl: 'https://app.example/a' });
    relay.batch('d1', pageBatch(1, [create(1)]));
    await h.flush();
    const next = h.relay(1);
    next.hello('d2', { frameUrl: 'https://app.example/a', time: T0 + 5000 });
    await h.flush();
    const [socket] = h.stored(1)!.connections;
    expect(socket.close).toMatchObject({ initiator: 'navigation', code: 1001, time: T0 + 5000 });
    expect(socket.closedAt).toBe(T0 + 5000);
  });
});
