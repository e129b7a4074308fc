// The panel as a tab (?tabId=N): live rows, close information, and the
// Export button's HAR file, checked byte for byte.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, openPanel, waitForSession, type ExtensionBrowser } from './support/chromium';
import type { HarLog } from '../../src/core/har';

let server: TestServer;
let browser: ExtensionBrowser;
let page: Page;
let tabId: number;

beforeAll(async () => {
  server = await startServer();
  browser = await launchWithExtension();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/capture.html`);
  await page.evaluate(async () => {
    const run = (window as unknown as { run(name: string): Promise<unknown> }).run;
    await run('echo');
    await run('serverClose');
    await run('drop');
  });
  ({ tabId } = await waitForSession(browser, (s) => s.connections.filter((c) => c.close).length >= 3, 'three closed sockets'));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('panel as a tab (Chromium)', () => {
  it('lists the connections live with their close codes', async () => {
    const panel = await openPanel(browser, tabId);
    const rows = panel.locator('tr[data-connection-id]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    const dropRow = rows.filter({ hasText: '/drop' });
    await expect.poll(() => dropRow.textContent()).toContain('1006 Abnormal Closure');
    await expect.poll(() => rows.filter({ hasText: '/close?code=4001' }).textContent()).toContain('4001');
    // Live: a socket opened now appears without reloading the panel.
    await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('pageClose'));
    await expect.poll(() => rows.filter({ hasText: '/silent' }).count()).toBe(1);
    // Selecting a connection shows its messages and its close, explained.
    await rows.filter({ has: panel.locator('td.url', { hasText: /\/echo$/ }) }).click();
    await expect.poll(() => panel.getByRole('listbox', { name: 'Messages' }).getByRole('option').count()).toBe(8);
    await panel.getByRole('listbox', { name: 'Messages' }).getByRole('option').first().click();
    await expect.poll(() => panel.getByLabel('Message detail').textContent()).toContain('plain text ✓ ünïcödé');
    await expect.poll(() => panel.getByLabel('Close').textContent()).toContain('1000 Normal Closure by the page');
    await panel.close();
  });

  it('exports the session as a HAR file with Chrome\'s _webSocketMessages and our fields', async () => {
    const panel = await openPanel(browser, tabId);
    await expect.poll(() => panel.locator('tr[data-connection-id]').count()).toBeGreaterThanOrEqual(4);
    const [download] = await Promise.all([panel.waitForEvent('download'), panel.getByRole('button', { name: 'Export' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^socketscope-127\.0\.0\.1_\d+-.*\.har$/);
    const har = JSON.parse(await readFile((await download.path())!, 'utf8')) as HarLog;
    expect(har.log.version).toBe('1.2');
    const entries = har.log.entries;
    const echo = entries.find((e) => e.request.url.endsWith('/echo'))!;
    expect(echo._resourceType).toBe('websocket');
    expect(echo.response.status).toBe(101);
    const frames = echo._webSocketMessages;
    expect(frames.map((f) => [f.type, f.opcode])).toEqual([
      ['send', 1], ['receive', 1], ['send', 2], ['receive', 2], ['send', 2], ['receive', 2], ['send', 2], ['receive', 2],
    ]);
    expect(frames[0].data).toBe('plain text ✓ ünïcödé');
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(frames[2].data, 'base64').equals(all)).toBe(true);
    expect(Buffer.from(frames[3].data, 'base64').equals(all)).toBe(true);
    // Epoch seconds, as Chrome writes them.
    expect(frames[0].time).toBeGreaterThan(1.7e9);
    expect(frames[0].time).toBeLessThan(1e11);
    expect(echo._socketscope.close).toMatchObject({ code: 1000, initiator: 'page', wasClean: true });
    const drop = entries.find((e) => e.request.url.includes('/drop'))!;
    expect(drop._socketscope.close).toMatchObject({ code: 1006, initiator: 'abnormal', wasClean: false });
    expect(har.log._socketscope.version).toBe(1);
    await panel.close();
  });
});
