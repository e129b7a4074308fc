// Sockets out of the hook's reach in Firefox ESR: a dedicated worker's socket is not captured and the panel
// says so, naming the worker; sockets in blob: and data: iframes are recorded (match_origin_as_fallback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHar } from '../../src/core/har/import';
import { startServer, type TestServer } from './support/servers';
import { closeFirefox, exportFromPanel, launchFirefox, openPanelFor, waitInPage } from './support/firefox';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

describe('sockets out of the hook\'s reach (Firefox ESR)', () => {
  it('does not capture the worker\'s socket and the panel names the worker; blob: and data: frames recorded', async () => {
    const browser = await launchFirefox();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/uncovered.html`);
      expect(await page.evaluate(() => (window as unknown as { ready: Promise<string[]> }).ready)).toEqual(['blobframe', 'dataframe', 'worker']);
      const panel = await openPanelFor(browser, page);
      // openPanelFor reloaded the page: its worker and frames ran twice.
      await waitInPage(panel, () => /started \d+ workers?/.test(document.body.textContent ?? ''), { timeout: 10_000 });
      const text = await panel.evaluate(() => document.querySelector('.coverage')?.textContent ?? '');
      expect(text).toMatch(/not captured/);
      const { session } = fromHar(await exportFromPanel(panel));
      expect(session.connections.some((c) => c.url.endsWith('?worker'))).toBe(false);
      // match_origin_as_fallback (Firefox 128+): the hook runs in blob: and data: frames too.
      expect(session.connections.find((c) => c.url.endsWith('?blobframe'))?.frameUrl).toMatch(/^blob:/);
      expect(session.connections.find((c) => c.url.endsWith('?dataframe'))?.frameUrl).toMatch(/^data:/);
      expect(session.pageEvents.filter((e) => e.type === 'worker').map((e) => e.detail)).toContainEqual(expect.stringMatching(/^Worker blob:http/));
    } finally {
      await closeFirefox(browser);
    }
  }, 90_000);
});
