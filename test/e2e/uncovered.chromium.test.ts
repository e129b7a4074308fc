// Sockets out of the hook's reach in Chromium: a dedicated worker's socket is not captured, and the panel says
// so, naming the worker; sockets in blob: and data: iframes are recorded (match_origin_as_fallback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, openPanel, waitForSession, type ExtensionBrowser } from './support/chromium';

let server: TestServer;
let browser: ExtensionBrowser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchWithExtension();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('sockets out of the hook\'s reach (Chromium)', () => {
  it('records the blob: and data: frames\' sockets, not the worker\'s, and the panel names the worker', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/uncovered.html`);
    expect(await page.evaluate(() => (window as unknown as { ready: Promise<string[]> }).ready)).toEqual(['blobframe', 'dataframe', 'worker']);
    const { tabId, session } = await waitForSession(browser, (s) => s.pageEvents.some((e) => e.type === 'worker') && s.connections.filter((c) => c.messages.length >= 2).length >= 2, 'the frames\' sockets and the worker');
    const urls = session.connections.map((c) => new URL(c.url).search);
    expect(urls.sort()).toEqual(['?blobframe', '?dataframe']);
    expect(session.connections.find((c) => c.url.endsWith('?blobframe'))!.frameUrl).toMatch(/^blob:/);
    expect(session.connections.find((c) => c.url.endsWith('?dataframe'))!.frameUrl).toMatch(/^data:/);
    expect(session.pageEvents.filter((e) => e.type === 'worker').map((e) => e.detail)).toEqual([expect.stringMatching(/^Worker blob:http/)]);
    const panel = await openPanel(browser, tabId);
    await panel.getByText(/started 1 worker/).waitFor();
    expect(await panel.getByText(/started 1 worker/).textContent()).toMatch(/not captured/);
    await panel.close();
  }, 60_000);
});
