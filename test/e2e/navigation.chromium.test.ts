// Navigations: with "preserve log" (the default) records are kept and a
// navigation marker added; without it the tab's session starts again.
import { describe, expect, it } from 'vitest';
import { useServerAndChromium } from './support/setup';
import { waitForSession } from './support/chromium';

const env = useServerAndChromium();

async function setPreserveLog(preserveLog: boolean): Promise<void> {
  const worker = await env.browser.serviceWorker();
  await worker.evaluate(async (value) => {
    const api = (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } } } }).chrome;
    const { settings } = await api.storage.local.get('settings');
    await api.storage.local.set({ settings: { ...(settings as object), preserveLog: value } });
  }, preserveLog);
}

describe('navigation (Chromium)', () => {
  it('keeps records across a navigation and marks it, by default', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/capture.html`);
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?first') && c.messages.length >= 2), 'the first page\'s socket');
    await page.goto(`${env.server.origin}/ticker.html`);
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker')), 'the second page\'s socket');
    expect(session.connections.some((c) => c.url.endsWith('/echo?first'))).toBe(true);
    const navigation = session.pageEvents.find((e) => e.type === 'navigation');
    expect(navigation?.detail).toBe(`${env.server.origin}/ticker.html`);
    expect(session.pageUrl).toBe(`${env.server.origin}/ticker.html`);
    // The first page's socket was closed by the navigation; its last records were flushed on pagehide.
    expect(session.pageEvents.some((e) => e.type === 'pagehide')).toBe(true);
    await page.close();
  });

  it('starts the session again on navigation when preserve log is off', async () => {
    await setPreserveLog(false);
    try {
      const page = await env.browser.context.newPage();
      await page.goto(`${env.server.origin}/capture.html`);
      await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/capture.html') === true && s.connections.some((c) => c.url.endsWith('/echo?first')), 'the first page\'s socket');
      await page.goto(`${env.server.origin}/ticker.html`);
      const { session } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/ticker.html') === true && s.connections.some((c) => c.url.endsWith('/echo?ticker')), 'the second page');
      expect(session.connections.map((c) => c.url.replace(env.server.wsOrigin, ''))).toEqual(['/echo?ticker']);
      await page.close();
    } finally {
      await setPreserveLog(true);
    }
  });
});
