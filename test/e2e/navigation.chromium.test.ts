// Navigations: with "preserve log" (the default) records are kept and a
// navigation marker added; without it the tab's session starts again.
import { describe, expect, it } from 'vitest';
import { useServerAndChromium } from './support/setup';
import { waitForSession } from './support/chromium';
import { analyzeSession } from '../../src/core/analysis';

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

  it('ends a socket that was open during a reload with the navigation, at the right time, and finds nothing', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html?reload`);
    const { session: before } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.messages.length >= 4), 'the ticker socket');
    // The socket of this page before the reload (storage lags the page by up to 2 s under steady traffic: found by id, not by time).
    const oldId = before.connections.filter((c) => c.url.endsWith('/echo?ticker') && c.messages.length >= 4 && !c.close).pop()!.id;
    const reloadedAt = Date.now();
    await page.reload();
    const { session } = await waitForSession(
      env.browser,
      (s) => s.pageUrl?.endsWith('/ticker.html?reload') === true && s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.id !== oldId && c.createdAt >= reloadedAt - 50),
      'the reloaded page and its new socket',
    );
    const old = session.connections.find((c) => c.id === oldId)!;
    const fresh = session.connections.filter((c) => c.url.endsWith('/echo?ticker') && c.id !== oldId && c.createdAt >= reloadedAt - 50)[0];
    expect(old.close, 'the old socket is not left open').toMatchObject({ initiator: 'navigation', code: 1001 });
    expect(old.closedAt).toBeGreaterThanOrEqual(reloadedAt - 50);
    expect(old.closedAt).toBeLessThanOrEqual(fresh.createdAt);
    const navigation = session.pageEvents.filter((e) => e.type === 'navigation').pop();
    expect(Math.abs((old.closedAt ?? 0) - (navigation?.time ?? 0))).toBeLessThan(2000);
    expect(analyzeSession(session).findings).toEqual([]);
    await page.close();
  });
});
