// The same compatibility probe as in Chromium, in Firefox ESR: identical
// results with and without the extension.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/servers';
import { exportFromPanel, launchFirefox, openPanelFor } from './support/firefox';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function probe(withExtension: boolean) {
  const browser = await launchFirefox({ withExtension });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/compat.html`);
    const result = await page.evaluate(() => (window as unknown as { probe(): Promise<Record<string, unknown>> }).probe());
    if (withExtension) {
      // Prove the hook was there: the probe's socket is in the export.
      const har = await exportFromPanel(await openPanelFor(browser, page));
      const compat = har.log.entries.find((e) => e.request.url.endsWith('/echo?compat'));
      expect(compat?._webSocketMessages.map((m) => m.data)).toEqual(['compat 1', 'compat 1']);
    }
    return result;
  } finally {
    await browser.close();
  }
}

describe('compatibility in Firefox ESR', () => {
  it('a page observes exactly the same WebSocket with and without the extension', async () => {
    const without = await probe(false);
    const withExtension = await probe(true);
    expect(without.name).toBe('WebSocket');
    expect((without.events as unknown[]).length).toBeGreaterThanOrEqual(6);
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());
  }, 90_000);
});
