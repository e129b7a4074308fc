// Sockets out of the hook's reach in Chromium: a dedicated worker's socket is not captured, and the panel says
// so, naming the worker; inside DevTools, the panel shows the worker's socket from DevTools' network log (whose HAR
// includes it); sockets in blob: and data: iframes are recorded (match_origin_as_fallback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devtoolsFor, launchWithDevtools, openSocketScopePanel } from './support/devtools';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, openPanel, waitForSession, type ExtensionBrowser } from './support/chromium';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

describe('sockets out of the hook\'s reach (Chromium)', () => {
  it('records the blob: and data: frames\' sockets, not the worker\'s, and the panel names the worker', async () => {
    const browser = await launchWithExtension();
    try {
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
      // Outside DevTools there is no network log to read.
      expect(await panel.locator('.coverage').textContent()).not.toContain('From DevTools network log');
      await panel.close();
    } finally {
      await browser.close();
    }
  }, 60_000);

  describe('inside DevTools', () => {
    let browser: ExtensionBrowser;
    beforeAll(async () => {
      browser = await launchWithDevtools();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the worker\'s WebSocket from DevTools\' network log, marked as such, where DevTools gives extensions its WebSockets', async () => {
      const page = await browser.context.newPage();
      await page.goto(`${server.origin}/uncovered.html`);
      await page.evaluate(() => (window as unknown as { ready: Promise<string[]> }).ready);
      const devtools = await devtoolsFor(browser, (url) => url.includes('/uncovered.html'));
      // DevTools' network log has only what happened while it was attached: load the page again now that it is.
      await page.reload();
      await page.evaluate(() => (window as unknown as { ready: Promise<string[]> }).ready);
      // The extension's panel tab appears once DevTools has loaded the extension's DevTools page.
      const frame = await openSocketScopePanel(browser, devtools);
      // DevTools' own log has the three sockets, the worker's included.
      const logged = await devtools.evaluate(`(async () => {
        const Logs = await import('./models/logs/logs.js');
        return Logs.NetworkLog.NetworkLog.instance().requests().filter((r) => r.resourceType().name() === 'websocket').map((r) => new URL(r.url()).search).sort();
      })()`);
      expect(logged).toEqual(['?blobframe', '?dataframe', '?worker']);
      // What the extension API gives of it. DevTools 150 gives extensions no ws: entry at all: its getHAR keeps the
      // requests whose URL an extension may inspect, and its list of such schemes has no ws: or wss:
      // (ExtensionServer.canInspectURL; README, Workers). DevTools 156 gave them.
      const given = await frame.evaluate(
        () => new Promise<string[]>((resolve) => (globalThis as unknown as { chrome: { devtools: { network: { getHAR(cb: (har: { entries: { _resourceType?: string; request: { url: string } }[] }) => void): void } } } }).chrome.devtools.network.getHAR((har) => resolve(har.entries.filter((e) => e._resourceType === 'websocket').map((e) => new URL(e.request.url).search).sort()))),
      );
      if (given.length === 0) {
        // Withheld: the panel says the worker's sockets are not captured, and lists nothing from the log.
        await frame.waitForFunction(() => /started \d+ workers?/.test(document.querySelector('.coverage')?.textContent ?? ''), undefined, { timeout: 15_000 });
        await new Promise((resolve) => setTimeout(resolve, 2500)); // one more read of the log (every 2 s)
        const text = await frame.evaluate(() => document.querySelector('.coverage')?.textContent ?? '');
        expect(text).toMatch(/not captured/);
        expect(text).not.toContain('From DevTools network log');
        console.warn(`uncovered.chromium: this DevTools (${await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0])}) gives extensions no WebSocket in getHAR(); the panel's network-log line cannot show, and was checked absent.`);
        return;
      }
      expect(given).toEqual(['?blobframe', '?dataframe', '?worker']);
      await frame.waitForFunction(() => (document.querySelector('.coverage')?.textContent ?? '').includes('From DevTools network log'), undefined, { timeout: 15_000 });
      const text = await frame.evaluate(() => document.querySelector('.coverage')?.textContent ?? '');
      expect(text).toMatch(/From DevTools network log[^:]*: ws:\/\/127\.0\.0\.1:\d+\/echo\?worker \(2 messages\)/);
      // The frames' sockets were recorded by the hook: not listed again.
      expect(text).not.toContain('echo?blobframe');
    }, 60_000);
  });
});
