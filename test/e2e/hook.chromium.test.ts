// The built MAIN-world hook alone, injected into a page of real Chromium
// without the extension, with a stand-in relay that collects its batches:
// batching, preview bounds, sizes, and the handshake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { unpackColumns, type MessageColumns, type PageBatch } from '../../src/protocol/page';
import { startServer, type TestServer } from './support/servers';
import { CHROME_EXTENSION_DIR, launchWithExtension, requireFile, type ExtensionBrowser } from './support/chromium';

let server: TestServer;
let browser: ExtensionBrowser;
let page: Page;

// A stand-in for the relay (same handshake, batches under the nonce as event type), exposing what it
// received. It keeps the raw strings with natives saved at start, so a page that tampers with
// prototypes cannot disturb it; they are parsed in node.
const FAKE_RELAY = `
  (() => {
    let nonce;
    const store = new Map();
    const mapSet = Map.prototype.set;
    const apply = Reflect.apply;
    window.__raw = store;
    window.__pageSawBatch = false;
    const startsWith = String.prototype.startsWith;
    const slice = String.prototype.slice;
    const onBatch = (e) => {
      e.stopImmediatePropagation();
      if (apply(startsWith, e.detail, [nonce])) apply(mapSet, store, [store.size, apply(slice, e.detail, [nonce.length])]);
    };
    const onHello = (e) => {
      e.stopImmediatePropagation();
      if (nonce) return;
      nonce = e.detail;
      window.__nonceShape = nonce.replace(/[0-9a-z]/g, (c) => (/[0-9a-f]/.test(c) ? 'h' : 'z'));
      removeEventListener('__socketscope_hello', onHello, true);
      addEventListener(nonce, onBatch, true);
      dispatchEvent(new CustomEvent('__socketscope_ready'));
      // Live, as the real relay tells a document of a tab something reads (decision 74): these tests are about what the
      // hook records then (a held document keeps no preview of binary over 16 KiB, decision 86: wake.chromium tests it).
      dispatchEvent(new CustomEvent(nonce + '-c', { detail: JSON.stringify({ c: 'live', on: true }) }));
    };
    addEventListener('__socketscope_hello', onHello, true);
    dispatchEvent(new CustomEvent('__socketscope_ready'));
  })();
`;

beforeAll(async () => {
  const hookPath = join(CHROME_EXTENSION_DIR, 'src', 'page', 'hook.js');
  requireFile(hookPath, 'build the extension first with `npm run build`.');
  server = await startServer();
  browser = await launchWithExtension({ withExtension: false });
  page = await browser.context.newPage();
  await page.addInitScript({ content: FAKE_RELAY });
  await page.addInitScript({ content: readFileSync(hookPath, 'utf8') });
  await page.goto(`${server.origin}/blank.html`);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The hook's batches as sent, their packed columns read in the long form (every batch of this hook is packed). */
async function batches(): Promise<(PageBatch & { messages: MessageColumns })[]> {
  const raw = await page.evaluate(() => [...(window as unknown as { __raw: Map<number, string> }).__raw.values()]);
  return raw.map((json) => {
    const batch = JSON.parse(json) as PageBatch;
    if (!('meta' in batch.messages)) throw new Error(`batch ${batch.seq} is not packed`);
    return { ...batch, messages: unpackColumns(batch.messages) };
  });
}

/** A new page of blank.html where `scripts` run first (a stand-in relay among them), then the hook; `run` gets it, and it is closed after. */
async function withHookPage(scripts: string[], run: (other: Page) => Promise<void>): Promise<void> {
  const other = await browser.context.newPage();
  try {
    for (const content of scripts) await other.addInitScript({ content });
    await other.addInitScript({ content: readFileSync(join(CHROME_EXTENSION_DIR, 'src', 'page', 'hook.js'), 'utf8') });
    await other.goto(`${server.origin}/blank.html`);
    await run(other);
  } finally {
    await other.close();
  }
}

describe('the page hook (Chromium)', () => {
  it('batches messages, bounds previews, and counts exact UTF-8 sizes', async () => {
    const result = await page.evaluate(async () => {
      // Page listeners for the hook's events must never fire.
      addEventListener('__socketscope_batch', () => ((window as unknown as { __pageSawBatch: boolean }).__pageSawBatch = true));
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?hook');
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve) => (ws.onopen = resolve));
      const big = 'é'.repeat(70_000); // 70,000 units, 140,000 bytes
      const emoji = '😀'; // a surrogate pair: 4 bytes
      let received = 0;
      const done = new Promise<void>((resolve) => {
        ws.onmessage = () => {
          if (++received === 5003) resolve();
        };
      });
      ws.send(big);
      ws.send(emoji);
      ws.send(new Uint8Array(100_000).fill(7));
      for (let i = 0; i < 5000; i++) ws.send(`m${i}`);
      await done;
      ws.close();
      await new Promise((resolve) => setTimeout(resolve, 450)); // past the hook's flush: within 200 ms of a record
      return { received, pageSawBatch: (window as unknown as { __pageSawBatch: boolean }).__pageSawBatch };
    });
    expect(result).toEqual({ received: 5003, pageSawBatch: false });
    const all = await batches();
    expect(all.map((b) => b.seq)).toEqual(all.map((_, i) => i + 1));
    // 10,006 messages in several batches, none over the bound that flushes inside the page's task (32,768).
    const counts = all.map((b) => b.messages.id.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_006);
    expect(Math.max(...counts)).toBeLessThanOrEqual(32_768);
    expect(all.length).toBeGreaterThanOrEqual(2);
    // The send loop passed the 4,096-message flush size, but its batch waited for the loop to end: m0 and m4999 travel together.
    const batchOf = (text: string) => all.findIndex((b) => b.messages.preview.some((preview, i) => preview === text && b.messages.dir[i] === 0));
    expect(batchOf('m0')).toBeGreaterThanOrEqual(0);
    expect(batchOf('m4999')).toBe(batchOf('m0'));
    const flat = all.flatMap((b) => b.messages.preview.map((preview, i) => ({ preview, size: b.messages.size[i], truncated: b.messages.truncated[i], dir: b.messages.dir[i], opcode: b.messages.opcode[i] })));
    const sent = flat.filter((m) => m.dir === 0);
    // Times travel as differences from the row before; summed, they are the page's clock, in order, never before t0.
    const times = all.flatMap((b) => b.messages.time);
    expect(times[0]).toBeGreaterThan(0);
    expect(times.every((time, i) => Number.isInteger(time) && (i === 0 || time >= times[i - 1]))).toBe(true);
    expect(new Set(all.map((b) => b.t0)).size).toBe(1);
    expect(sent[0]).toMatchObject({ size: 140_000, truncated: 1, opcode: 1 });
    expect(sent[0].preview.length).toBe(65_536);
    expect(sent[1]).toMatchObject({ preview: '😀', size: 4, truncated: 0 });
    expect(sent[2]).toMatchObject({ size: 100_000, truncated: 1, opcode: 2 });
    expect(Buffer.from(sent[2].preview, 'base64').length).toBe(65_536);
    expect(sent.slice(3).map((m) => m.preview)).toEqual(Array.from({ length: 5000 }, (_, i) => `m${i}`));
    const records = all.flatMap((b) => b.records.map((r) => r.k));
    expect(records.filter((k) => k !== 'page')).toEqual(['create', 'open', 'closing', 'close']);
    expect(all.reduce((sum, b) => sum + b.droppedMessages, 0)).toBe(0);
  });

  it('keeps recording every message of a flood, without previews past the preview budget', async () => {
    // A new document: full budgets (they are per document, and the tests above spent some).
    await page.reload();
    const before = (await batches()).length;
    await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/silent?flood');
      await new Promise((resolve) => (ws.onopen = resolve));
      // 40 × 64 KiB at once: 3.5 Mi characters of base64 previews, far over the binary burst (four of them).
      for (let i = 0; i < 40; i++) ws.send(new Uint8Array(65_536).fill(i));
      // Then text: its budget is its own, untouched by the binary flood (one 40 Ki-character message, twice).
      ws.send('t'.repeat(40_960));
      ws.send('u'.repeat(40_960));
      ws.close();
      await new Promise((resolve) => (ws.onclose = resolve));
      await new Promise((resolve) => setTimeout(resolve, 450));
    });
    const fresh = (await batches()).slice(before);
    const truncated = fresh.flatMap((b) => b.messages.truncated);
    const sizes = fresh.flatMap((b) => b.messages.size);
    const previews = fresh.flatMap((b) => b.messages.preview);
    expect(sizes).toEqual([...Array.from({ length: 40 }, () => 65_536), 40_960, 40_960]);
    const withPreview = truncated.slice(0, 40).filter((t) => t === 0).length;
    // Four in the burst, and at most a few more from the refill (128 Ki characters, 1.5 previews, a second).
    expect(withPreview).toBeGreaterThanOrEqual(4);
    expect(withPreview).toBeLessThan(10);
    // Past the budget: recorded, marked 2 (no preview), previews empty; the first ones keep theirs.
    expect(truncated.slice(0, withPreview).every((t) => t === 0)).toBe(true);
    expect(previews.slice(0, withPreview).map((p) => Buffer.from(p, 'base64').length)).toEqual(Array.from({ length: withPreview }, () => 65_536));
    expect(truncated.slice(withPreview, 40).every((t) => t === 2)).toBe(true);
    expect(previews.slice(withPreview, 40).every((p) => p === '')).toBe(true);
    expect(truncated.slice(40)).toEqual([0, 0]);
    expect(previews.slice(40)).toEqual(['t'.repeat(40_960), 'u'.repeat(40_960)]);
  });

  it('refills the text preview budget at 256 Ki characters a second (docs/decisions.md, 68)', async () => {
    await page.reload();
    const before = (await batches()).length;
    await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/silent?refill');
      await new Promise((resolve) => (ws.onopen = resolve));
      // The burst, exactly (16 × 64 Ki = 1 Mi characters), then one more at once: past the budget.
      for (let i = 0; i < 17; i++) ws.send(String.fromCharCode(97 + i).repeat(65_536));
      // A second later the refill has brought back 256 Ki characters: four of these, not sixteen.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (let i = 0; i < 16; i++) ws.send('z'.repeat(65_536));
      ws.close();
      await new Promise((resolve) => (ws.onclose = resolve));
      await new Promise((resolve) => setTimeout(resolve, 450));
    });
    const truncated = (await batches()).slice(before).flatMap((b) => b.messages.truncated);
    expect(truncated).toHaveLength(33);
    expect(truncated.slice(0, 16).every((t) => t === 0)).toBe(true);
    expect(truncated[16]).toBe(2);
    const refilled = truncated.slice(17).filter((t) => t === 0).length;
    // At least four (the timer never fires early); a late timer adds one per 250 ms. The old 1 Mi a second gave sixteen.
    expect(refilled).toBeGreaterThanOrEqual(4);
    expect(refilled).toBeLessThanOrEqual(8);
  });

  it('does not record sends that never reach the wire (socket closing or closed)', async () => {
    const before = (await batches()).length;
    await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?late');
      await new Promise((resolve) => (ws.onopen = resolve));
      ws.close();
      ws.send('after close');
      await new Promise((resolve) => (ws.onclose = resolve));
      ws.send('after closed');
      await new Promise((resolve) => setTimeout(resolve, 450));
    });
    const fresh = (await batches()).slice(before);
    expect(fresh.flatMap((b) => b.messages.preview)).toEqual([]);
  });

  it('flushes a record that follows a quiet spell within 40 ms, and under sustained traffic at most every 200 ms', async () => {
    const result = await page.evaluate(async () => {
      const raw = (window as unknown as { __raw: Map<number, string> }).__raw;
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/silent?cadence');
      await new Promise((resolve) => (ws.onopen = resolve));
      await sleep(450); // the open's batch is out, and the last flush long past
      const beforeQuiet = raw.size;
      ws.send('after a quiet spell');
      await sleep(150);
      const afterQuiet = raw.size - beforeQuiet;
      // One second of a message every 10 ms: a 40 ms timer alone sent about 25 batches.
      const beforeTraffic = raw.size;
      const started = performance.now();
      let sent = 0;
      while (performance.now() - started < 1000) {
        ws.send('tick');
        sent++;
        await sleep(10);
      }
      const duringTraffic = raw.size - beforeTraffic;
      ws.close();
      // Its close records out before the next test counts its own batches.
      await new Promise((resolve) => (ws.onclose = resolve));
      await sleep(450);
      return { afterQuiet, duringTraffic, sent };
    });
    expect(result.afterQuiet).toBe(1);
    expect(result.sent).toBeGreaterThan(30);
    expect(result.duringTraffic).toBeGreaterThanOrEqual(3);
    expect(result.duringTraffic).toBeLessThanOrEqual(7);
  });
});

describe('the handshake nonce (Chromium)', () => {
  const shape = (target: Page) => target.evaluate(() => (window as unknown as { __nonceShape: string }).__nonceShape);
  /** A new page of blank.html where `before` runs first, then the stand-in relay and the hook. */
  const withPage = (before: string, run: (other: Page) => Promise<void>) => withHookPage([before, FAKE_RELAY], run);
  it('comes from crypto.randomUUID in a secure context (docs/decisions.md, 69)', async () => {
    // 127.0.0.1 is a secure context: a version-4 UUID (hex digits, read as h; its fixed '4' too), then the 'x'.
    expect(await shape(page)).toBe('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhhz');
  });
  it('comes from crypto.getRandomValues where randomUUID is missing (an insecure context), and batches still flow', async () => {
    // Before the hook: what an http:// page of another host sees (randomUUID is [SecureContext]).
    await withPage('delete Crypto.prototype.randomUUID;', async (other) => {
      const nonce = await shape(other);
      // Four base-36 words (digits and letters, no dash), then the 'x'.
      expect(nonce).toMatch(/^[hz]{8,28}z$/);
      expect(nonce).not.toContain('-');
      const count = await other.evaluate(async () => {
        const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?insecure');
        await new Promise((resolve) => (ws.onopen = resolve));
        ws.send('over the fallback nonce');
        await new Promise((resolve) => setTimeout(resolve, 450));
        return (window as unknown as { __raw: Map<number, string> }).__raw.size;
      });
      expect(count).toBeGreaterThan(0);
    });
  });

  it('takes only a string from a randomUUID that is not the browser\'s, converting nothing, and falls back to getRandomValues', async () => {
    // Only a script that ran before the hook (e.g. a parent reaching into a new about:blank frame) could do this.
    const replaced = 'Crypto.prototype.randomUUID = () => ({ toString() { window.__converted = true; return "known-secret-known-secret-known-secret"; } });';
    await withPage(replaced, async (other) => {
      const seen = await other.evaluate(() => ({ converted: (window as unknown as { __converted?: boolean }).__converted === true, shape: (window as unknown as { __nonceShape: string }).__nonceShape }));
      expect(seen.converted).toBe(false);
      expect(seen.shape).toMatch(/^[hz]{8,28}z$/);
    });
  });
});

// The page is hostile: it may redefine any prototype, getter or toJSON after the hook started, and
// dispatch events of its own. None of that may reach, change or forge what the hook records.
describe('the page hook against a hostile page (Chromium)', () => {
  it('a page tampering with prototypes can neither read nor rewrite the batches', async () => {
    const before = (await batches()).length;
    const seen = await page.evaluate(async () => {
      // Maps, through saved natives: the spies below make the page's own arrays unusable.
      const seen = new Map<string, number>();
      const restore = new Map<number, () => void>();
      const { apply } = Reflect;
      const mapSet = Map.prototype.set;
      const note = (name: string) => apply(mapSet, seen, [name, 1]);
      const later = (undo: () => void) => apply(mapSet, restore, [restore.size, undo]);
      const wsBase = location.origin.replace('http', 'ws');
      const ws = new WebSocket(wsBase + '/echo?hostile');
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve) => (ws.onopen = resolve));
      let count = 0;
      let echoed: () => void = () => undefined;
      const allEchoed = new Promise<void>((resolve) => (echoed = resolve));
      ws.onmessage = () => {
        if (++count === 3) echoed();
      };
      const spyGetter = (owner: object, name: PropertyKey, value?: unknown) => {
        const original = Object.getOwnPropertyDescriptor(owner, name);
        later(() => (original ? Object.defineProperty(owner, name, original) : delete (owner as Record<PropertyKey, unknown>)[name]));
        Object.defineProperty(owner, name, {
          configurable: true,
          get() {
            note(String(name));
            // A forgery attempt: what a getter is asked for, it can also rewrite.
            return value;
          },
          set() {
            note(`set ${String(name)}`);
          },
        });
      };
      const spyMethod = (owner: Record<string, unknown>, name: string) => {
        const original = owner[name] as (...args: unknown[]) => unknown;
        later(() => (owner[name] = original));
        owner[name] = function (this: unknown, ...args: unknown[]) {
          note(name);
          return apply(original, this, args);
        };
      };
      const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
      const binary = new Uint8Array([1, 2, 3]);
      // Methods and getters the hook would otherwise look up at run time.
      for (const name of ['get', 'set', 'delete', 'has']) spyMethod(WeakMap.prototype as unknown as Record<string, unknown>, name);
      for (const name of ['slice', 'charCodeAt', 'substring']) spyMethod(String.prototype as unknown as Record<string, unknown>, name);
      for (const name of ['push', 'filter']) spyMethod(Array.prototype as unknown as Record<string, unknown>, name);
      spyMethod(Number.prototype as unknown as Record<string, unknown>, 'toString');
      spyMethod(Math as unknown as Record<string, unknown>, 'round');
      for (const name of ['byteLength', 'buffer', 'byteOffset']) spyGetter(typedArrayProto, name, 1);
      // Read an init dictionary (the batch's detail with the nonce) and rewrite the batch in flight.
      for (const name of ['bubbles', 'cancelable', 'composed', 'detail']) spyGetter(Object.prototype, name);
      spyGetter(Object.prototype, 'toJSON', () => 'forged');
      spyGetter(Array.prototype, 'toJSON', () => ['forged']);
      spyGetter(String.prototype, 'toJSON', () => 'forged');
      spyGetter(Number.prototype, 'toJSON', () => 4000);
      // Indexed setters: an array the hook grows would hand each record or message to the page.
      for (const index of ['0', '1', '2', '3']) spyGetter(Array.prototype, index);
      try {
        ws.send('x'.repeat(70_000));
        ws.send('hé');
        ws.send(binary);
        await allEchoed;
        ws.close(4001, 'done');
        // Past the hook's flush timer: the batch is built and dispatched while the page is hostile.
        await new Promise((resolve) => setTimeout(resolve, 450));
      } finally {
        for (let i = restore.size - 1; i >= 0; i--) restore.get(i)!();
      }
      return [...seen.keys()];
    });
    // The hook neither called nor triggered any of the page's getters, setters or methods.
    expect(seen).toEqual([]);
    const fresh = (await batches()).slice(before);
    const records = fresh.flatMap((b) => b.records).filter((r) => r.k !== 'page');
    expect(records[0]).toMatchObject({ k: 'create', url: expect.stringMatching(/\/echo\?hostile$/), protocols: [] });
    expect(records.find((r) => r.k === 'closing')).toMatchObject({ code: 4001, reason: 'done' });
    const sent = fresh.flatMap((b) => b.messages.preview.map((preview, i) => ({ preview, dir: b.messages.dir[i], size: b.messages.size[i] }))).filter((m) => m.dir === 0);
    expect(sent.map((m) => m.size)).toEqual([70_000, 3, 3]);
    expect(sent[0].preview).toBe('x'.repeat(65_536));
    expect(sent[1].preview).toBe('hé');
    expect(sent[2].preview).toBe('AQID');
  });

  it('records only trusted events: messages, closes and page events the page dispatches itself are ignored', async () => {
    const before = (await batches()).length;
    const forgery = await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?forged');
      await new Promise((resolve) => ws.addEventListener('open', resolve));
      ws.dispatchEvent(new MessageEvent('message', { data: 'forged message' }));
      // isTrusted is an own, unforgeable accessor of every event: a page that tries to make it say true, on the
      // prototypes, in a subclass or on the event itself, still dispatches an untrusted event.
      const claimTrust = { configurable: true, get: () => true };
      Object.defineProperty(Event.prototype, 'isTrusted', claimTrust);
      Object.defineProperty(MessageEvent.prototype, 'isTrusted', claimTrust);
      class TrustedMessage extends (MessageEvent as new (type: string, init?: MessageEventInit) => Event) {
        override get isTrusted() {
          return true;
        }
      }
      const subclassed = new TrustedMessage('message', { data: 'forged by a subclass' });
      const own = new MessageEvent('message', { data: 'forged own isTrusted' });
      let redefined = 'no error';
      try {
        Object.defineProperty(own, 'isTrusted', { value: true });
      } catch (error) {
        redefined = (error as Error).name;
      }
      const readBack = [subclassed.isTrusted, own.isTrusted];
      ws.dispatchEvent(subclassed);
      ws.dispatchEvent(own);
      ws.dispatchEvent(new MessageEvent('message', { data: 'forged after the prototypes' }));
      // Listeners run within dispatchEvent: the prototypes can be mended at once, for the tests that share this page.
      delete (Event.prototype as { isTrusted?: boolean }).isTrusted;
      delete (MessageEvent.prototype as { isTrusted?: boolean }).isTrusted;
      ws.dispatchEvent(new Event('open'));
      ws.dispatchEvent(new Event('error'));
      ws.dispatchEvent(new CloseEvent('close', { code: 1006, reason: 'forged close', wasClean: false }));
      for (let i = 0; i < 50; i++) {
        dispatchEvent(new Event('offline'));
        dispatchEvent(new Event('online'));
        dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
        document.dispatchEvent(new Event('freeze'));
        document.dispatchEvent(new Event('visibilitychange'));
      }
      ws.send('real');
      await new Promise((resolve) => ws.addEventListener('message', resolve));
      ws.close(1000);
      await new Promise((resolve) => ws.addEventListener('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 450));
      return { redefined, readBack };
    });
    // The premise: an event's own isTrusted cannot be redefined, and shadows any getter on a prototype.
    expect(forgery).toEqual({ redefined: 'TypeError', readBack: [false, false] });
    const fresh = (await batches()).slice(before);
    expect(fresh.flatMap((b) => b.records).filter((r) => r.k === 'page')).toEqual([]);
    expect(fresh.flatMap((b) => b.records).map((r) => (r.k === 'close' ? [r.k, r.code, r.reason] : r.k))).toEqual(['create', 'open', 'closing', ['close', 1000, '']]);
    expect(fresh.flatMap((b) => b.messages.preview)).toEqual(['real', 'real']);
  });

  it('keeps at most 10 page-context records per type and second, and counts the rest', async () => {
    const before = (await batches()).length;
    await page.evaluate(async () => {
      const w = window as unknown as { __flaps: number; __ws: WebSocket };
      w.__flaps = 0;
      addEventListener('offline', (e) => e.isTrusted && w.__flaps++);
      addEventListener('online', (e) => e.isTrusted && w.__flaps++);
      w.__ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?flapping');
      await new Promise((resolve) => (w.__ws.onopen = resolve));
    });
    const started = Date.now();
    for (let i = 0; i < 15; i++) {
      await browser.context.setOffline(true);
      await browser.context.setOffline(false);
    }
    const elapsed = Date.now() - started;
    const flaps = await page.evaluate(async () => {
      await new Promise((resolve) => setTimeout(resolve, 450));
      return (window as unknown as { __flaps: number }).__flaps;
    });
    const fresh = (await batches()).slice(before);
    const pageRecords = fresh.flatMap((b) => b.records).filter((r) => r.k === 'page');
    const dropped = fresh.reduce((sum, b) => sum + (b.droppedRecords ?? 0), 0);
    expect(flaps).toBe(30);
    // Every real event is either recorded or counted.
    expect(pageRecords.length + dropped).toBe(flaps);
    for (const type of ['offline', 'online']) {
      const times = pageRecords.filter((r) => r.k === 'page' && r.type === type).map((r) => r.time);
      // Never more than 10 of a type within one second.
      for (let i = 10; i < times.length; i++) expect(times[i] - times[i - 10]).toBeGreaterThanOrEqual(1000);
    }
    if (elapsed < 1000) expect(dropped).toBeGreaterThan(0);
  });
});

describe('Blob previews cut at the Previews setting (Chromium)', () => {
  /** A new page of blank.html with the stand-in relay, told `commands` (instead of live) at its handshake, then the hook. */
  function withRelay(commands: object[], run: (other: Page) => Promise<void>): Promise<void> {
    const live = `dispatchEvent(new CustomEvent(nonce + '-c', { detail: JSON.stringify({ c: 'live', on: true }) }));`;
    if (!FAKE_RELAY.includes(live)) throw new Error('the stand-in relay changed: update this test');
    const told = commands.map((command) => `dispatchEvent(new CustomEvent(nonce + '-c', { detail: ${JSON.stringify(JSON.stringify(command))} }));`).join('\n');
    return withHookPage([FAKE_RELAY.replace(live, told)], run);
  }
  /** Echoes binary messages of `sizes` (message of size n filled with n % 251) as Blobs; the received rows' [size, truncated, bytes of the preview]. */
  async function receivedBlobs(other: Page, sizes: number[]): Promise<[number, number, number[]][]> {
    await other.evaluate(async (sizes) => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?blobcut'); // binaryType 'blob', the default
      await new Promise((resolve) => (ws.onopen = resolve));
      let left = sizes.length;
      const done = new Promise<void>((resolve) => (ws.onmessage = () => --left === 0 && resolve()));
      for (const size of sizes) ws.send(new Uint8Array(size).fill(size % 251));
      await done;
      await new Promise((resolve) => setTimeout(resolve, 600)); // the reads, then the flush
    }, sizes);
    const raw = await other.evaluate(() => [...(window as unknown as { __raw: Map<number, string> }).__raw.values()]);
    const rows = raw.flatMap((json) => {
      const { messages } = JSON.parse(json) as PageBatch;
      const columns = unpackColumns(messages as Parameters<typeof unpackColumns>[0]);
      return columns.dir.map((dir, i) => ({ dir, size: columns.size[i], truncated: columns.truncated[i], preview: columns.preview[i] }));
    });
    return rows.filter((row) => row.dir === 1).map((row) => [row.size, row.truncated, [...Buffer.from(row.preview, 'base64')]]);
  }
  const filled = (size: number, length: number) => Array.from({ length }, () => size % 251);

  it('keeps the first bytes of a Blob up to the setting, while held (decisions 78, 81) and live', async () => {
    for (const live of [false, true]) {
      await withRelay([{ c: 'preview', bytes: 1024 }, ...(live ? [{ c: 'live', on: true }] : [])], async (other) => {
        const rows = await receivedBlobs(other, [3000, 1000, 1024, 20_000]);
        expect(rows.map(([size, truncated, bytes]) => [size, truncated, bytes.length]), live ? 'live' : 'held').toEqual([
          [3000, 1, 1024],
          [1000, 0, 1000],
          [1024, 0, 1024],
          // Over 16 KiB: no preview while held (78); live, its first 1,024 bytes.
          live ? [20_000, 1, 1024] : [20_000, 3, 0],
        ]);
        for (const [size, , bytes] of rows) expect(bytes, `${size}`).toEqual(filled(size, bytes.length));
      });
    }
  });
});
