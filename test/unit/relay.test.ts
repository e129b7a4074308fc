// The relay (src/content/relayCore.ts) on fakes: a plain EventTarget for the
// window, fake ports for the background.
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../src/content/relayCore';
import { batchEventType, EVENT_HELLO, EVENT_READY } from '../../src/protocol/page';
import type { RelayToBackground } from '../../src/protocol/messages';
import { FakeClock, portPair, settle, type FakePort } from './background/fakes';

const NONCE = 'nonce-123456';

function relay(options: { top?: boolean; failConnect?: boolean; atOnce?: () => Promise<boolean>; webdriver?: boolean; href?: string } = {}) {
  let keyTurnedTrue: (() => void) | undefined;
  const target = new EventTarget();
  const clock = new FakeClock();
  const ports: FakePort[] = []; // the background's ends
  let readies = 0;
  target.addEventListener(EVENT_READY, () => readies++);
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
      return mine as never;
    },
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    helloAtOnce: options.atOnce ?? (() => Promise.resolve(true)),
    watchHelloAtOnce: (callback) => (keyTurnedTrue = callback),
    docId: 'doc1',
  });
  const page = {
    hello: () => target.dispatchEvent(new CustomEvent(EVENT_HELLO, { detail: NONCE })),
    batch: (seq: number, nonce = NONCE, padding = '') => target.dispatchEvent(new CustomEvent(batchEventType(NONCE), { detail: `${nonce}{"v":1,"seq":${seq},"records":[],"messages":{},"pad":"${padding}"}` })),
  };
  const received = (port: FakePort) => port.received as RelayToBackground[];
  const ack = (port: FakePort, seq: number) => port.postMessage({ kind: 'ack', docId: 'doc1', seq });
  return { target, clock, ports, page, received, ack, readies: () => readies, keyTurnsTrue: () => keyTurnedTrue?.() };
}

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

  it('waits for the first batch to say hello from the top frame too, unless the background wants hellos at once (decision 71)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    await settle();
    expect(r.ports.length, 'a page without sockets does not start the worker').toBe(0);
    r.page.batch(1);
    await settle();
    expect(r.ports.length).toBe(1);
    const [hello, batch] = r.received(r.ports[0]);
    expect(hello).toMatchObject({ kind: 'hello', top: true, deferred: true, timeOrigin: r.clock.now() - 1000 });
    expect(batch).toMatchObject({ kind: 'batch', seq: 1 });
  });

  it('says hello at once, not deferred, when the hint says so, when it cannot be read, and for the automation panel hash', async () => {
    for (const options of [{ atOnce: () => Promise.resolve(true) }, { atOnce: () => Promise.reject(new Error('no storage')) }, { atOnce: () => new Promise<boolean>(() => undefined), webdriver: true, href: 'https://app.example/#socketscope-open-panel' }]) {
      const r = relay(options);
      await settle();
      expect(r.ports.length, String(options.atOnce)).toBe(1);
      expect(r.received(r.ports[0])[0]).toMatchObject({ kind: 'hello' });
      expect(r.received(r.ports[0])[0]).not.toHaveProperty('deferred');
    }
  });

  it('connects once when a batch comes before the hint: its hello is deferred', async () => {
    let answer: (value: boolean) => void = () => undefined;
    const r = relay({ atOnce: () => new Promise<boolean>((resolve) => (answer = resolve)) });
    r.page.hello();
    r.page.batch(1);
    answer(true);
    await settle();
    expect(r.ports.length).toBe(1);
    expect(r.received(r.ports[0]).map((m) => (m.kind === 'hello' ? `hello${m.deferred ? ' deferred' : ''}` : m.kind))).toEqual(['hello deferred', 'batch']);
  });

  it('says hello, late, when the hint turns true after the document started (a panel opened on a page without sockets)', async () => {
    const r = relay({ atOnce: () => Promise.resolve(false) });
    r.page.hello();
    await settle();
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
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello', 'batch']);
  });

  it('waits for the first batch to connect from a subframe', async () => {
    const r = relay({ top: false });
    expect(r.ports.length).toBe(0);
    r.page.hello();
    r.page.batch(1);
    await settle();
    expect(r.received(r.ports[0]).map((m) => m.kind)).toEqual(['hello', 'batch']);
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
    await settle();
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
