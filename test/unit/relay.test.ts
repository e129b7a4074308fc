// The relay (src/content/relayCore.ts) on fakes: a plain EventTarget for the
// window, fake ports for the background.
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../src/content/relayCore';
import { batchEventType, commandEventType, EVENT_HELLO, EVENT_READY } from '../../src/protocol/page';
import type { RelayToBackground } from '../../src/protocol/messages';
import { FakeClock, portPair, settle, type FakePort } from './background/fakes';

const NONCE = 'nonce-123456';

/**
 * `reads`: the fake background answers each hello with `live`, as the real one does for a document of a read tab
 * (decision 74); default false when `atOnce` is given (the tests about holding), true otherwise.
 */
function relay(options: { top?: boolean; failConnect?: boolean; atOnce?: () => Promise<boolean>; webdriver?: boolean; href?: string; target?: EventTarget; reads?: boolean } = {}) {
  const reads = options.reads ?? options.atOnce === undefined;
  let keyTurnedTrue: (() => void) | undefined;
  const target = options.target ?? new EventTarget();
  const clock = new FakeClock();
  const ports: FakePort[] = []; // the background's ends
  let readies = 0;
  target.addEventListener(EVENT_READY, () => readies++);
  /** The commands the relay dispatched to its hook, as the hook reads them (JSON). */
  const commands: unknown[] = [];
  target.addEventListener(commandEventType(NONCE), (event) => commands.push(JSON.parse((event as CustomEvent<string>).detail)));
  startRelay({
    target,
    top: options.top ?? true,
    href: () => options.href ?? 'https://app.example/',
    now: () => clock.now(),
    timeOrigin: clock.now() - 1000,
    webdriver: options.webdriver ?? false,
    connect: (name) => {
      if (options.failConnect) throw new Error('Extension context invalidated.');
      const [mine, theirs] = portPair(name);
      ports.push(theirs);
      if (reads) theirs.onMessage.addListener((message) => (message as RelayToBackground).kind === 'hello' && theirs.postMessage({ kind: 'live', docId: 'doc1' }));
      return mine as never;
    },
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    helloAtOnce: options.atOnce ?? (() => Promise.resolve(true)),
    watchHelloAtOnce: (callback) => (keyTurnedTrue = callback),
    docId: 'doc1',
  });
  const page = {
    hello: () => target.dispatchEvent(new CustomEvent(EVENT_HELLO, { detail: NONCE })),
    raw: (json: string) => target.dispatchEvent(new CustomEvent(batchEventType(NONCE), { detail: NONCE + json })),
    batch: (seq: number, nonce = NONCE, padding = '') => target.dispatchEvent(new CustomEvent(batchEventType(NONCE), { detail: `${nonce}{"v":1,"seq":${seq},"records":[],"messages":{},"pad":"${padding}"}` })),
  };
  /** What the background got as it was posted (several batches may come as one `batches` message: decision 76). */
  const raw = (port: FakePort) => port.received as RelayToBackground[];
  /** What the background got, a `batches` message read as the batches it carries, in order. */
  const all = (port: FakePort) =>
    raw(port).flatMap((m): RelayToBackground[] => (m.kind === 'batches' ? m.batches.map((b) => ({ kind: 'batch', docId: m.docId, ...b })) : [m]));
  const received = (port: FakePort) => all(port).filter((m) => m.kind !== 'holding');
  const ack = (port: FakePort, seq: number) => port.postMessage({ kind: 'ack', docId: 'doc1', seq });
  /** The background says the document's tab is read (decision 74); `docId`: another document's. */
  const live = (port: FakePort, docId = 'doc1') => port.postMessage({ kind: 'live', docId });
  /** Nothing reads the document's tab any more (decision 77). */
  const heldAgain = (port: FakePort, docId = 'doc1') => port.postMessage({ kind: 'held', docId });
  /** What the relay told its hook about holding (decision 78), in order. */
  const liveTold = () => commands.flatMap((c) => ((c as { c: string }).c === 'live' ? [(c as { on: boolean }).on] : []));
  return { target, clock, ports, page, received, all, raw, ack, live, heldAgain, liveTold, readies: () => readies, keyTurnsTrue: () => keyTurnedTrue?.() };
}

/** Each message as posted: a batch by its seq, several batches (decision 76) by the list of their seqs, others by kind. */
const shapes = (messages: RelayToBackground[]) => messages.filter((m) => m.kind !== 'holding').map((m) => (m.kind === 'batch' ? m.seq : m.kind === 'batches' ? m.batches.map((b) => b.seq) : m.kind));

describe('relay', () => {
  it('says hello at once from the top frame, and forwards batches carrying the nonce only', async () => {
    const r = relay();
    expect(r.readies()).toBe(1);
    r.page.hello();
    r.page.batch(1);
    r.page.batch(2, 'forged-nonce');
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 1]);
  });

  it('holds a document\'s batches while nothing reads it: its Port opens with the first, for the hello only (decisions 71 and 73)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    await settle();
    expect(r.ports.length, 'a page without sockets never reaches the worker').toBe(0);
    r.page.batch(1);
    r.page.batch(2);
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.all(r.ports[0])).toEqual([expect.objectContaining({ kind: 'hello', deferred: true, holding: true })]);
    // Every 20 s it says it holds them (the worker stays up for the pagehide record); a Port the worker's stop closed opens again at once.
    await r.clock.advance(20_000);
    expect(r.all(r.ports[0])[1]).toMatchObject({ kind: 'holding', docId: 'doc1', batches: 2 });
    r.ports[0].disconnect();
    await r.clock.advance(1000);
    expect(r.ports.length, 'open again within a second').toBe(2);
    await r.clock.advance(20_000);
    expect(r.all(r.ports[1]).map((m) => m.kind)).toEqual(['hello', 'holding']);
    r.target.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(r.all(r.ports[1]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 'holding', 1, 2, 'holding']); // not the hook's form: as they are
    expect(r.all(r.ports[1]).at(-1)).toMatchObject({ kind: 'holding', batches: 0 });
    await r.clock.advance(60_000);
    expect(r.all(r.ports[1]).length, 'nothing held: no more ticks').toBe(5);
  });

  it('hands held batches over, in order after a deferred hello, when the background says its tab is read (a panel opened later), and not before', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    r.page.batch(1);
    r.page.batch(2);
    await settle();
    r.keyTurnsTrue(); // a panel opened, on another tab: still held (decision 74)
    r.live(r.ports[0], 'another-doc');
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello']);
    r.live(r.ports[0]);
    r.page.batch(3);
    await settle();
    expect(r.ports.length).toBe(1);
    const [hello, ...batches] = r.received(r.ports[0]);
    expect(hello).toMatchObject({ kind: 'hello', top: true, deferred: true, timeOrigin: r.clock.now() - 1000 });
    expect(batches.map((m) => m.kind === 'batch' && m.seq)).toEqual([1, 2, 3]);
    // `live` arrives after batch 3 (a Port delivers later): all three were held, and go in one message.
    expect(shapes(r.raw(r.ports[0])), 'what it held in one message (one task for the worker, one delta for the panel)').toEqual(['hello', [1, 2, 3]]);
    r.page.batch(4);
    await settle();
    expect(shapes(r.raw(r.ports[0])), 'then each as it comes').toEqual(['hello', [1, 2, 3], 4]);
  });

  it('holds again when nothing reads its tab any more, says so at once, and hands over at the next live (decision 77)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    r.page.batch(1);
    await settle();
    r.live(r.ports[0]);
    await settle();
    r.page.batch(2);
    await settle();
    r.heldAgain(r.ports[0], 'another-doc');
    r.page.batch(3);
    await settle();
    expect(shapes(r.raw(r.ports[0])), 'live: another document\'s held changes nothing').toEqual(['hello', 1, 2, 3]);
    r.heldAgain(r.ports[0]);
    await settle();
    r.page.batch(4);
    r.page.batch(5);
    await settle();
    expect(shapes(r.raw(r.ports[0])), 'held again').toEqual(['hello', 1, 2, 3]);
    expect(r.all(r.ports[0]).filter((m) => m.kind === 'holding').map((m) => m.kind === 'holding' && m.batches), 'told at once, then that it handed over').toEqual([0, 1]);
    r.live(r.ports[0]);
    await settle();
    expect(shapes(r.raw(r.ports[0]))).toEqual(['hello', 1, 2, 3, [4, 5]]);
    expect(r.all(r.ports[0]).at(-1)).toMatchObject({ kind: 'holding', batches: 0 });
    // Held again, then the page goes away: the compact record of what it held since.
    r.heldAgain(r.ports[0]);
    await settle();
    r.page.batch(6);
    r.target.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(r.all(r.ports[0]).filter((m) => m.kind === 'batch').map((m) => m.kind === 'batch' && m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('tells its hook when it goes live and when it holds again, once per change, so the hook reads large Blobs only while live (decision 78)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    r.page.batch(1);
    await settle();
    expect(r.liveTold(), 'held from the start: the hook\'s default, nothing to tell').toEqual([]);
    r.live(r.ports[0]);
    r.live(r.ports[0]);
    await settle();
    expect(r.liveTold()).toEqual([true]);
    r.heldAgain(r.ports[0], 'another-doc');
    await settle();
    expect(r.liveTold(), 'another document\'s held').toEqual([true]);
    r.heldAgain(r.ports[0]);
    r.heldAgain(r.ports[0]);
    await settle();
    r.live(r.ports[0]);
    await settle();
    expect(r.liveTold()).toEqual([true, false, true]);
    // Live before its hook's nonce came (the automation page): told once the hook is there.
    const early = relay({ webdriver: true, href: 'https://app.example/#socketscope-open-panel' });
    expect(early.liveTold()).toEqual([]);
    early.page.hello();
    expect(early.liveTold()).toEqual([true]);
  });

  it('says in its hello to a restarted worker that it is live, so that worker can tell it to hold (decision 77)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    r.page.batch(1);
    await settle();
    expect(r.all(r.ports[0])[0]).not.toHaveProperty('live');
    r.live(r.ports[0]);
    await settle();
    r.ports[0].disconnect(); // the worker stopped, with batch 1 unacknowledged
    await r.clock.advance(100);
    expect(r.all(r.ports[1])[0]).toMatchObject({ kind: 'hello', live: true });
  });

  it('stays live past what it may hold, whatever the background says after', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    const mib = 'x'.repeat(1024 * 1024);
    for (let seq = 1; seq <= 5; seq++) r.page.batch(seq, NONCE, mib);
    await settle();
    r.heldAgain(r.ports[0]);
    await settle();
    r.page.batch(6);
    await settle();
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 1, 2, 3, 4, 5, 6]);
    expect(r.liveTold(), 'its hook reads large Blobs from then on').toEqual([true]);
    r.ports[0].disconnect();
    await r.clock.advance(100);
    expect(r.all(r.ports[1])[0], 'nothing to tell a new worker: it cannot hold again').not.toHaveProperty('live');
  });

  it('hands its batches over and stays live once they pass what it may hold', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    const mib = 'x'.repeat(1024 * 1024);
    for (let seq = 1; seq <= 3; seq++) r.page.batch(seq, NONCE, mib);
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello']);
    r.page.batch(4, NONCE, mib); // past HOLD_MAX_CHARS (4 Mi)
    r.page.batch(5);
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 1, 2, 3, 4, 5]);
    expect(shapes(r.raw(r.ports[0])), 'several in a message, up to 4 Mi characters each').toEqual(['hello', [1, 2, 3], 4, 5]);
  });

  it('hands over a compact record of what it held when the document goes away, and what the hook sends after at once', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    const packed = (seq: number, rows: number) =>
      `{"v":1,"seq":${seq},"t0":1000,"records":[],"messages":{"meta":[${Array(rows).fill(16).join(',')}],"time":[${Array(rows).fill(1).join(',')}],"size":[${Array(rows).fill(1).join(',')}],"preview":[${Array(rows).fill('"a"').join(',')}]},"droppedMessages":0}`;
    r.page.raw(packed(1, 200));
    r.page.raw(packed(2, 200));
    await settle();
    r.target.dispatchEvent(new Event('pagehide'));
    r.page.raw(packed(3, 1)); // the hook's own pagehide batch, after the relay's listener
    await settle();
    expect(r.ports.length).toBe(1);
    const [hello, compact, last] = r.received(r.ports[0]);
    expect(hello).toMatchObject({ kind: 'hello', deferred: true });
    expect(compact).toMatchObject({ kind: 'batch', seq: 2, span: 2 });
    expect(JSON.parse(compact.kind === 'batch' ? compact.json : '')).toMatchObject({ seq: 2, unread: [1, 400 - 256] });
    expect(last).toMatchObject({ kind: 'batch', seq: 3 });
    expect(last).not.toHaveProperty('span');
    // Back from the back/forward cache: held again, and compacted again at the next pagehide, from its first new seq.
    r.target.dispatchEvent(new Event('pageshow'));
    r.page.raw(packed(4, 1));
    r.page.raw(packed(5, 1));
    await settle();
    expect(r.received(r.ports[0]).length).toBe(3);
    r.target.dispatchEvent(new Event('freeze'));
    await settle();
    expect(r.received(r.ports[0])[3]).toMatchObject({ kind: 'batch', seq: 5, span: 2 });
  });

  it('puts the hook\'s own last batch in the compact record, whichever pagehide listener runs first', async () => {
    // A window's capturing listeners run before its other ones: this target lets the test run them one by one.
    class Steps extends EventTarget {
      readonly listeners: { type: string; capture: boolean; listener: EventListenerOrEventListenerObject }[] = [];
      override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
        if (listener && (type === 'pagehide' || type === 'freeze')) this.listeners.push({ type, capture: options === true, listener });
        else super.addEventListener(type, listener, options);
      }
      run(type: string, capture: boolean): void {
        for (const entry of this.listeners) if (entry.type === type && entry.capture === capture) (entry.listener as EventListener)(new Event(type));
      }
    }
    const packed = (seq: number, rows: number, records = '') =>
      `{"v":1,"seq":${seq},"t0":1000,"records":[${records}],"messages":{"meta":[${Array(rows).fill(16).join(',')}],"time":[${Array(rows).fill(1).join(',')}],"size":[${Array(rows).fill(1).join(',')}],"preview":[${Array(rows).fill('"a"').join(',')}]},"droppedMessages":0}`;
    const pagehide = '{"k":"page","at":300,"type":"pagehide","time":2000}';
    for (const hookFirst of [false, true]) {
      const target = new Steps();
      const r = relay({ atOnce: () => Promise.resolve(false), target });
      r.page.hello();
      r.page.raw(packed(1, 300));
      await settle();
      if (hookFirst) r.page.raw(packed(2, 300, pagehide));
      target.run('pagehide', true); // the relay's first listener (before any page script's)
      if (!hookFirst) r.page.raw(packed(2, 300, pagehide)); // the hook's, after it: its batch goes into the record
      target.run('pagehide', false);
      await settle();
      const batches = r.received(r.ports[0]).filter((m) => m.kind === 'batch');
      expect(batches.map((m) => m.kind === 'batch' && [m.seq, m.span]), `hook first: ${hookFirst}`).toEqual([[2, 2]]);
      const record = JSON.parse(batches[0].kind === 'batch' ? batches[0].json : '') as { unread: number[]; records: { type?: string }[] };
      expect(record.unread).toEqual([1, 600 - 256]);
      expect(record.records.map((x) => x.type)).toEqual(['pagehide']);
    }
    // No such batch from the hook (a frame whose hook sent its last one earlier): the later listener sends the record.
    const target = new Steps();
    const r = relay({ atOnce: () => Promise.resolve(false), target });
    r.page.hello();
    r.page.raw(packed(1, 3));
    await settle();
    target.run('pagehide', true);
    expect(r.received(r.ports[0]).filter((m) => m.kind === 'batch')).toEqual([]);
    target.run('pagehide', false);
    await settle();
    expect(r.received(r.ports[0]).filter((m) => m.kind === 'batch').map((m) => m.kind === 'batch' && m.seq)).toEqual([1]);
  });

  it('hands held batches over as they are when they cannot be compacted', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    r.page.batch(1);
    r.page.batch(2);
    r.target.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 1, 2]);
  });

  it('says hello at once, not deferred, when the hint says so, when it cannot be read, and for the automation panel hash', async () => {
    for (const options of [{ atOnce: () => Promise.resolve(true) }, { atOnce: () => Promise.reject(new Error('no storage')) }, { atOnce: () => new Promise<boolean>(() => undefined), webdriver: true, href: 'https://app.example/#socketscope-open-panel' }]) {
      const r = relay(options);
      await r.clock.advance(0); // the top frame asks a task after its start (decision 85); the automation hash goes at once
      expect(r.ports.length, String(options.atOnce)).toBe(1);
      expect(r.received(r.ports[0])[0]).toMatchObject({ kind: 'hello' });
      expect(r.received(r.ports[0])[0]).not.toHaveProperty('deferred');
    }
  });

  it('reads the hint a task after its start, not before the page\'s first script; a first batch before that asks at once (decision 85)', async () => {
    let asked = 0;
    const r = relay({ atOnce: () => (asked++, Promise.resolve(true)) });
    r.page.hello();
    await settle();
    expect(asked, 'nothing read while the task that injected the relay runs (Firefox builds its storage API on first use)').toBe(0);
    expect(r.ports.length).toBe(0);
    await r.clock.advance(0);
    expect(asked).toBe(1);
    expect(r.received(r.ports[0])[0]).toMatchObject({ kind: 'hello' });
    expect(r.received(r.ports[0])[0]).not.toHaveProperty('deferred');

    let askedEarly = 0;
    const early = relay({ atOnce: () => (askedEarly++, Promise.resolve(false)) });
    early.page.hello();
    early.page.batch(1);
    await settle();
    expect(askedEarly, 'the first batch asks, before the timer').toBe(1);
    await early.clock.advance(0);
    expect(askedEarly, 'the timer then asks nothing more').toBe(1);
    expect(early.all(early.ports[0])).toEqual([expect.objectContaining({ kind: 'hello', deferred: true, holding: true })]);
  });

  it('holds a batch that comes before the hint (its Port and deferred hello go with it), then hands it over when its tab is read', async () => {
    let answer: (value: boolean) => void = () => undefined;
    const r = relay({ atOnce: () => new Promise<boolean>((resolve) => (answer = resolve)) });
    r.page.hello();
    r.page.batch(1);
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello']);
    answer(true);
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind), 'the hint alone: something reads some tab').toEqual(['hello']);
    r.live(r.ports[0]);
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'hello' ? `hello${m.deferred ? ' deferred' : ''}` : m.kind))).toEqual(['hello deferred', 'batch']);
  });

  it('says hello, late, when the hint turns true after the document started (a panel opened on a page without sockets)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    await r.clock.advance(0);
    expect(r.ports.length).toBe(0);
    r.keyTurnsTrue();
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0])).toEqual([expect.objectContaining({ kind: 'hello', deferred: true, timeOrigin: r.clock.now() - 1000 })]);
    // Once only: a second change, or the first batch, uses the same Port and says nothing again.
    r.keyTurnsTrue();
    r.page.batch(1);
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello']);
    r.live(r.ports[0]);
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello', 'batch']);
  });

  it('asks from a subframe at its first batch: live when something reads the tab, held otherwise', async () => {
    let asked = 0;
    const r = relay({ top: false, atOnce: () => (asked++, Promise.resolve(true)), reads: true });
    await settle();
    expect(r.ports.length).toBe(0);
    expect(asked, 'a frame without sockets reads nothing').toBe(0);
    r.page.hello();
    r.page.batch(1);
    await settle();
    expect(asked).toBe(1);
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello', 'batch']);
    const held = relay({ top: false, atOnce: () => Promise.resolve(false) });
    held.page.hello();
    held.page.batch(1);
    await settle();
    expect(held.received(held.ports[0]).map((m) => m.kind)).toEqual(['hello']);
    held.keyTurnsTrue();
    await settle();
    expect(held.received(held.ports[0]).map((m) => m.kind), 'the key alone: something reads another tab').toEqual(['hello']);
    held.live(held.ports[0]);
    await settle();
    expect(held.received(held.ports[0]).map((m) => m.kind)).toEqual(['hello', 'batch']);
  });

  it('keeps unacknowledged batches and resends them, in order, after the background went away', async () => {
    const r = relay();
    r.page.hello();
    r.page.batch(1);
    r.page.batch(2);
    r.page.batch(3);
    await settle();
    r.ack(r.ports[0], 1);
    await settle();
    r.ports[0].disconnect(); // the service worker stopped
    await r.clock.advance(100);
    expect(r.ports.length).toBe(2);
    expect(r.received(r.ports[1]).map((m) => (m.kind === 'batch' ? m.seq : m.kind))).toEqual(['hello', 2, 3]);
    expect(shapes(r.raw(r.ports[1])), 'resent as one message').toEqual(['hello', [2, 3]]);
    r.ack(r.ports[1], 3);
    await settle();
    r.ports[1].disconnect();
    await r.clock.advance(100);
    expect(r.ports.length).toBe(2); // nothing pending: no reconnect until the next batch
  });

  it('gives up quietly when the extension is gone', async () => {
    const r = relay({ failConnect: true });
    r.page.hello();
    expect(() => r.page.batch(1)).not.toThrow();
  });

  it('sends its document time origin in the hello', async () => {
    const r = relay();
    await r.clock.advance(0);
    const hello = r.received(r.ports[0])[0];
    expect(hello.kind === 'hello' && hello.timeOrigin).toBe(r.clock.now() - 1000);
  });

  it('bounds what it keeps unacknowledged: the oldest batches go, and what it resends starts after them', async () => {
    const r = relay();
    r.page.hello();
    const mib = 'x'.repeat(1024 * 1024);
    for (let seq = 1; seq <= 20; seq++) r.page.batch(seq, NONCE, mib); // the background never acknowledges
    await settle();
    r.ports[0].disconnect();
    await r.clock.advance(100);
    // The drop the last batch caused is reported with the next one.
    r.page.batch(21);
    await settle();
    const resent = r.received(r.ports[1]).filter((m) => m.kind === 'batch');
    const kept = resent.length - 1;
    expect(kept).toBeLessThan(20);
    expect(kept).toBeGreaterThanOrEqual(15);
    // In order and without holes from the oldest it kept: the background counts the seqs before it as lost.
    expect(resent.map((m) => m.kind === 'batch' && m.seq)).toEqual(Array.from({ length: kept + 1 }, (_, i) => 21 - kept + i));
  });
});
