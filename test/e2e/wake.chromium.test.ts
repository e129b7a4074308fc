// Decision 71: a page without sockets never starts the extension's service worker (Chrome stops it after 30 s
// without events, and restarting it costs about 200 ms of CPU here, more with sessions to restore). Its first socket
// does, and its navigation is then placed at the document's time origin. While a panel is open, every top document
// says hello at once, as before.
import { describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { useServerAndChromium } from './support/setup';
import { openPanel, waitForSession } from './support/chromium';

const env = useServerAndChromium();

/** The extension's worker's running statuses, in order, as the DevTools protocol reports them. */
async function watchWorker(page: Page): Promise<{ statuses: string[]; cdp: CDPSession }> {
  const cdp = await env.browser.context.newCDPSession(page);
  const statuses: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
    for (const version of event.versions) if (version.scriptURL.startsWith('chrome-extension://')) statuses.push(version.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  return { statuses, cdp };
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function helloHint(): Promise<unknown> {
  const worker = await env.browser.serviceWorker();
  return worker.evaluate(async () => (await (globalThis as unknown as { chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome.storage.local.get('helloAtOnce')).helloAtOnce);
}

describe('waking the service worker (Chromium)', () => {
  it('is not done by a page without sockets; a socket does it, and the navigation is put at the document\'s time origin', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html?wake`);
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.messages.length > 2), 'the ticker');
    // The tab now has history: its next document's navigation is recorded. Leave the socket's page, and let its
    // last batch (pagehide) reach the worker before stopping it.
    await page.goto(`${env.server.origin}/blank.html?wake`);
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.close?.initiator === 'navigation'), 'the ticker ended by the navigation');
    expect(await helloHint(), 'no panel, recording, policy or preview bound').toBeUndefined();

    const { statuses, cdp } = await watchWorker(page);
    await cdp.send('ServiceWorker.stopAllWorkers');
    await until(() => statuses.includes('stopped'), 'the worker to stop');
    const stoppedAt = statuses.lastIndexOf('stopped');
    const other = await env.browser.context.newPage();
    await other.goto(`${env.server.origin}/blank.html?second`);
    await page.reload();
    await other.waitForTimeout(1500);
    expect(statuses.slice(stoppedAt + 1), 'two documents without sockets loaded').toEqual([]);

    // A socket: its first batch carries the document's hello, which starts the worker.
    const timeOrigin = await page.evaluate(
      (url) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => ws.send('hello');
          ws.onmessage = () => resolve(performance.timeOrigin);
        }),
      `${env.server.wsOrigin}/echo?woken`,
    );
    await until(() => statuses.slice(stoppedAt + 1).includes('running'), 'the worker to start');
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?woken') && c.messages.length === 2), 'the socket that woke it');
    const navigations = session.pageEvents.filter((e) => e.type === 'navigation' && e.detail === `${env.server.origin}/blank.html?wake`);
    // Neither load of blank.html said hello until this socket's first batch: the navigation recorded is the
    // reload's, at its time origin (not when its hello came).
    expect(navigations.at(-1)?.time).toBeCloseTo(timeOrigin, 0);
    await other.close();
    await page.close();
  });

  it('makes a page without sockets say hello when a panel opens after it loaded; the popup names the page the tab shows', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html?before-panel`);
    const { tabId } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.messages.length > 2), 'the ticker');
    await page.goto(`${env.server.origin}/blank.html?before-panel`);
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.close?.initiator === 'navigation'), 'the ticker ended by the navigation');
    expect(await helloHint(), 'no panel, recording, policy or preview bound').toBeUndefined();
    const blankUrl = `${env.server.origin}/blank.html?before-panel`;
    const timeOrigin = await page.evaluate(() => performance.timeOrigin);
    await page.waitForTimeout(500);
    const before = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker')), 'the same tab');
    expect(before.session.pageUrl, 'the page without sockets has not said hello').toBe(`${env.server.origin}/ticker.html?before-panel`);

    // The popup asks the browser which page the tab shows.
    const popup = await env.browser.context.newPage();
    await popup.goto(`chrome-extension://${env.browser.extensionId}/src/popup/index.html?tabId=${tabId}`);
    await expect.poll(() => popup.locator('h1 small').getAttribute('title'), { timeout: 10_000 }).toBe(blankUrl);
    await popup.close();

    // A panel opened now: the page says hello (late), and its navigation is put at its time origin.
    const panel = await openPanel(env.browser, tabId);
    const { session } = await waitForSession(env.browser, (s) => s.pageUrl === blankUrl, 'the hello of the page loaded before the panel');
    const navigation = session.pageEvents.filter((e) => e.type === 'navigation' && e.detail === blankUrl).at(-1);
    expect(navigation?.time).toBeCloseTo(timeOrigin, 0);
    await panel.close();
    await page.close();
  });

  it('says hello at once from every top document while a panel is open, and not once it is closed', async () => {
    const first = await env.browser.context.newPage();
    await first.goto(`${env.server.origin}/ticker.html?panel`);
    const { tabId } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/ticker.html?panel') === true && s.connections.length > 0, 'a tab to show');
    const panel = await openPanel(env.browser, tabId);
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?with-panel`);
    await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?with-panel') === true, 'the socketless page\'s hello');
    await panel.close();
    await until(async () => (await helloHint()) === undefined, 'the hint removed with the last panel');
    await page.goto(`${env.server.origin}/blank.html?after-panel`);
    await page.waitForTimeout(1500);
    const { session } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?with-panel') === true, 'the same tab');
    expect(session.pageUrl, 'no hello from a page without sockets once the panel is closed').toBe(`${env.server.origin}/blank.html?with-panel`);
    await page.close();
    await first.close();
  });
});
