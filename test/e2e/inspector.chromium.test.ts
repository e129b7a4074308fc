// The message inspector in Chromium with the built extension: a page receives
// MessagePack frames (encoded by the test's ws server with @msgpack/msgpack)
// and the panel shows them decoded as a tree; the session-wide search finds a
// message in another connection and opens it; Pause freezes the view while
// capture goes on, and Resume loses nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { encode } from '@msgpack/msgpack';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, openPanel, waitForSession, type ExtensionBrowser } from './support/chromium';

const STREAM_COUNT = 60;
const STREAM_EVERY_MS = 50;
const NEEDLE = 'needle-7f3a';

let pages: TestServer;
let wsHttp: Server;
let wss: WebSocketServer;
let wsOrigin: string;
let streamSent = 0;

beforeAll(async () => {
  pages = await startServer();
  wsHttp = createServer();
  wss = new WebSocketServer({ server: wsHttp });
  wss.on('connection', (ws, request) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/msgpack') {
      ws.send(encode({ type: 'quote', symbol: 'ACME', price: 42.5, tags: ['fast', 'fresh'] }));
      ws.send(encode({ type: 'quote', symbol: 'INIT', price: 7 }));
    } else if (path === '/chat') {
      for (let i = 0; i < 20; i++) ws.send(JSON.stringify({ type: 'chat', n: i, text: i === 13 ? `the ${NEEDLE} is here` : `hello ${i}` }));
    } else if (path === '/stream') {
      // Starts when the page asks (after the panel is open and paused), so the pause sees traffic arrive.
      ws.on('message', () => {
        const timer = setInterval(() => {
          ws.send(JSON.stringify({ type: 'tick', n: streamSent++ }));
          if (streamSent >= STREAM_COUNT) clearInterval(timer);
        }, STREAM_EVERY_MS);
      });
    }
  });
  await new Promise<void>((resolve) => wsHttp.listen(0, '127.0.0.1', resolve));
  wsOrigin = `ws://127.0.0.1:${(wsHttp.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (wsHttp ? wsHttp.close(() => resolve()) : resolve()));
  await pages?.close();
});

describe('the inspector (Chromium)', () => {
  let browser: ExtensionBrowser;
  let page: Page;
  let panel: Page;

  beforeAll(async () => {
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    await page.goto(`${pages.origin}/inspector.html?ws=${encodeURIComponent(wsOrigin)}`);
    const { tabId } = await waitForSession(
      browser,
      (s) => s.connections.some((c) => c.url.endsWith('/msgpack') && c.messages.length >= 2) && s.connections.some((c) => c.url.endsWith('/chat') && c.messages.length >= 20),
      'the msgpack and chat messages',
    );
    panel = await openPanel(browser, tabId);
    await panel.setViewportSize({ width: 1440, height: 900 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const row = (suffix: string) => panel.locator('tr[data-connection-id]').filter({ has: panel.locator('td.url', { hasText: suffix }) });

  it('shows MessagePack frames as a decoded tree', async () => {
    await row('/msgpack').click();
    await panel.locator('.messages-pane [role=option]').first().click();
    const tree = panel.locator('.message-detail [role=tree][aria-label="Decoded as MessagePack"]');
    await expect.poll(() => tree.textContent()).toContain('symbol: "ACME"');
    const text = await tree.textContent();
    expect(text).toContain('type: "quote"');
    expect(text).toContain('price: 42.5');
    expect(text).toContain('"fresh"');
    expect(await panel.locator('.message-detail select[aria-label="Decode as"]').inputValue()).toBe('auto');
  });

  it('finds a message in another connection and opens it in place', async () => {
    await panel.keyboard.press('Control+Shift+F');
    const box = panel.locator('input[aria-label="Search all messages"]');
    await box.fill(NEEDLE);
    await expect.poll(() => panel.locator('.search-status').textContent()).toMatch(/^1 match in \d+ messages/);
    const hit = panel.locator('[aria-label="Search results"] [role=option]');
    expect(await hit.textContent()).toContain('/chat #13');
    await box.press('Enter');
    await expect.poll(() => panel.locator('.messages-pane .summary-url').textContent()).toMatch(/\/chat$/);
    await expect.poll(() => panel.locator('.messages-pane [role=option][aria-selected=true]').getAttribute('data-index')).toBe('13');
    await expect.poll(() => panel.locator('.message-detail').textContent()).toContain(NEEDLE);
  });

  it('pauses the view while messages keep arriving, and Resume shows every one', async () => {
    await row('/stream').click();
    await expect.poll(() => panel.locator('.messages-pane .count').textContent()).toBe('0 messages');
    await panel.locator('button[aria-label="Pause the view"]').click();
    await page.evaluate(() => (window as unknown as { streamSocket: WebSocket }).streamSocket.send('start'));
    await expect.poll(() => page.evaluate(() => (window as unknown as { received: { stream: number } }).received.stream), { timeout: 15_000 }).toBe(STREAM_COUNT);
    // Paused: the view has not moved, the bar counts what arrived (one sent message, the 60 received).
    await expect.poll(() => panel.locator('[data-testid=pause-bar]').textContent(), { timeout: 5000 }).toContain(`Paused · ${STREAM_COUNT + 1} new messages`);
    expect(await panel.locator('.messages-pane .count').textContent()).toBe('0 messages');
    await panel.locator('[data-testid=pause-bar] button', { hasText: 'Resume' }).click();
    await expect.poll(() => panel.locator('.messages-pane .count').textContent()).toBe(`${STREAM_COUNT + 1} messages`);
    expect(await panel.locator('[data-testid=pause-bar]').count()).toBe(0);
    // Every tick, in order: search finds the last one.
    await panel.locator('input[aria-label="Search all messages"]').fill(`"n":${STREAM_COUNT - 1}}`);
    await expect.poll(() => panel.locator('.search-status').textContent()).toMatch(/^1 match/);
  });
});
