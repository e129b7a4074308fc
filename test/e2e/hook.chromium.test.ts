// The built MAIN-world hook alone, injected into a page of real Chromium
// without the extension, with a stand-in relay that collects its batches:
// batching, preview bounds, sizes, and the handshake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PageBatch } from '../../src/protocol/page';
import { startServer, type TestServer } from './support/servers';
import { CHROME_EXTENSION_DIR, launchWithExtension, requireFile, type ExtensionBrowser } from './support/chromium';

let server: TestServer;
let browser: ExtensionBrowser;
let page: Page;

// A stand-in for the relay (same handshake), exposing what it received.
const FAKE_RELAY = `
  (() => {
    let nonce;
    window.__batches = [];
    window.__pageSawBatch = false;
    addEventListener('__socketscope_hello', (e) => { e.stopImmediatePropagation(); if (!nonce) { nonce = e.detail; dispatchEvent(new CustomEvent('__socketscope_ready')); } }, true);
    addEventListener('__socketscope_batch', (e) => {
      e.stopImmediatePropagation();
      if (nonce && e.detail.startsWith(nonce)) window.__batches.push(JSON.parse(e.detail.slice(nonce.length)));
    }, true);
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

async function batches(): Promise<PageBatch[]> {
  return page.evaluate(() => (window as unknown as { __batches: PageBatch[] }).__batches);
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
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { received, pageSawBatch: (window as unknown as { __pageSawBatch: boolean }).__pageSawBatch };
    });
    expect(result).toEqual({ received: 5003, pageSawBatch: false });
    const all = await batches();
    expect(all.map((b) => b.seq)).toEqual(all.map((_, i) => i + 1));
    // 10,006 messages in batches of at most 4,096: several batches, none over the flush size.
    const counts = all.map((b) => b.messages.id.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_006);
    expect(Math.max(...counts)).toBeLessThanOrEqual(4096);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const flat = all.flatMap((b) => b.messages.preview.map((preview, i) => ({ preview, size: b.messages.size[i], truncated: b.messages.truncated[i], dir: b.messages.dir[i], opcode: b.messages.opcode[i] })));
    const sent = flat.filter((m) => m.dir === 0);
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
    const before = (await batches()).length;
    await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/silent?flood');
      await new Promise((resolve) => (ws.onopen = resolve));
      // 40 × 64 KiB at once: 3.5 Mi characters of base64 previews, over the 1 Mi burst.
      for (let i = 0; i < 40; i++) ws.send(new Uint8Array(65_536).fill(i));
      ws.close();
      await new Promise((resolve) => (ws.onclose = resolve));
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    const fresh = (await batches()).slice(before);
    const truncated = fresh.flatMap((b) => b.messages.truncated);
    const sizes = fresh.flatMap((b) => b.messages.size);
    expect(sizes).toEqual(Array.from({ length: 40 }, () => 65_536));
    const withPreview = truncated.filter((t) => t === 0).length;
    expect(withPreview).toBeGreaterThanOrEqual(10);
    expect(withPreview).toBeLessThan(40);
    // Past the budget: recorded, marked 2 (no preview), previews empty; the first ones keep theirs.
    expect(truncated.slice(0, withPreview).every((t) => t === 0)).toBe(true);
    expect(truncated.slice(withPreview).every((t) => t === 2)).toBe(true);
    expect(fresh.flatMap((b) => b.messages.preview).slice(withPreview).every((p) => p === '')).toBe(true);
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
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    const fresh = (await batches()).slice(before);
    expect(fresh.flatMap((b) => b.messages.preview)).toEqual([]);
  });
});
