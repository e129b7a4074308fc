// Page context (offline/online, freeze/resume), forged batches from the page,
// and the memory cap with its counts, through the real extension.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndChromium } from './support/setup';
import { sessionCost } from '../../src/core/caps';
import { openPanel, waitForSession } from './support/chromium';

const env = useServerAndChromium();

/** Opens a page, and on it a socket to the echo server at `path` that sends `count` messages of 1,000 characters at once and waits for their echoes. */
async function echoFlood(path: string, count: number): Promise<Page> {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.server.origin}/blank.html`);
  await page.evaluate(
    async ([socketPath, total]) => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + socketPath);
      await new Promise((resolve) => (ws.onopen = resolve));
      let received = 0;
      await new Promise<void>((resolve) => {
        ws.onmessage = () => ++received === total && resolve();
        for (let i = 0; i < total; i++) ws.send(`${i}:`.padEnd(1000, 'x'));
      });
      ws.close();
    },
    [path, count] as const,
  );
  return page;
}

describe('page context, forgery and caps (Chromium)', () => {
  // Visibility and freeze/resume cannot be driven in headless Chromium (pages are always visible and
  // Page.setWebLifecycleState does nothing to a visible page); their records share this code path.
  it('records offline/online around a socket', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html`);
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.openedAt !== undefined), 'the ticker to open');
    await env.browser.context.setOffline(true);
    await page.waitForTimeout(300);
    await env.browser.context.setOffline(false);
    const { session } = await waitForSession(
      env.browser,
      (s) => ['offline', 'online'].every((type) => s.pageEvents.some((e) => e.type === type)),
      'offline and online events',
    );
    const types = session.pageEvents.map((e) => e.type).filter((t) => ['offline', 'online'].includes(t));
    expect(types).toEqual(['offline', 'online']);
    expect(session.pageEvents.find((e) => e.type === 'offline')?.frameUrl).toBe(`${env.server.origin}/ticker.html`);
    await page.close();
  });

  it('ignores batches and handshakes forged by the page', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html`);
    await page.evaluate(() => {
      const fake = JSON.stringify({ v: 1, seq: 1, records: [{ k: 'create', at: 0, id: 1, time: Date.now(), url: 'wss://forged.example/', protocols: [] }], messages: { id: [], dir: [], time: [], opcode: [], size: [], preview: [], truncated: [] }, droppedMessages: 0 });
      dispatchEvent(new CustomEvent('__socketscope_hello', { detail: 'attacker-nonce-123' }));
      dispatchEvent(new CustomEvent('__socketscope_batch', { detail: 'attacker-nonce-123' + fake }));
      dispatchEvent(new CustomEvent('__socketscope_batch', { detail: fake }));
      // A real socket afterwards proves the relay is alive and listening.
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?after-forgery');
      ws.onopen = () => ws.close();
    });
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?after-forgery') && c.close), 'the real socket');
    expect(session.connections.map((c) => c.url)).toEqual([`${env.server.wsOrigin}/echo?after-forgery`]);
    await page.close();
  });

  it("tells previews the hook never copied (its flood budget) apart from those the cap evicted", async () => {
    // Before the cap test below, which lowers the tab's cap while it runs.
    // 2.4 Mi characters both ways in about a second: past the text burst (1 Mi), far under the tab's 4 MiB cap.
    const sent = 1200;
    const page = await echoFlood('/echo?flood-budget', sent);
    const { session, tabId } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?flood-budget') && c.close), 'the flooding socket');
    const flood = session.connections.find((c) => c.url.endsWith('/echo?flood-budget'))!;
    expect(flood.messages).toHaveLength(2 * sent);
    const skipped = flood.messages.filter((m) => m.evicted).length;
    expect(skipped).toBeGreaterThan(0);
    // Nothing was evicted by the cap here, so every missing preview is one the hook never copied.
    expect(session.dropped.budgetPreviews).toBe(skipped);
    expect(session.dropped.previews).toBe(skipped);
    const panel = await openPanel(env.browser, tabId);
    await expect.poll(() => panel.getByRole('status').textContent()).toContain(`${skipped} previews evicted (${skipped} never copied: the hook's flood budget)`);
    await panel.close();
    await page.close();
  });

  it('holds the per-tab cap, evicting the oldest previews, and shows the counts', async () => {
    const worker = await env.browser.serviceWorker();
    const setCaps = (caps: object | undefined) =>
      worker.evaluate(async (value) => {
        const api = (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } } } }).chrome;
        const { settings } = await api.storage.local.get('settings');
        const next = { ...(settings as object) } as Record<string, unknown>;
        if (value) next.caps = value;
        else delete next.caps;
        await api.storage.local.set({ settings: next });
      }, caps);
    await setCaps({ maxTabBytes: 64 * 1024, maxTotalBytes: 8 * 1024 * 1024 });
    try {
      const sent = 400;
      const page = await echoFlood('/echo?capped', sent);
      const { session, tabId } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?capped') && c.close), 'the capped socket');
      const capped = session.connections.find((c) => c.url.endsWith('/echo?capped'))!;
      // Every message is still there (metadata), the oldest previews went, and the counts say so.
      expect(capped.messages.length + (capped.droppedMessages ?? 0)).toBe(2 * sent);
      expect(session.dropped.previews).toBeGreaterThan(0);
      const evicted = capped.messages.filter((m) => m.evicted);
      expect(evicted.length).toBe(capped.evictedPreviews);
      const kept = capped.messages.filter((m) => !m.evicted);
      expect(Math.min(...kept.map((m) => m.time))).toBeGreaterThan(Math.max(...evicted.map((m) => m.time)));
      // The cap is on the background's own estimate of the tab's size.
      expect(sessionCost(session)).toBeLessThanOrEqual(64 * 1024);
      const panel = await openPanel(env.browser, tabId);
      await expect.poll(() => panel.getByRole('status').textContent()).toContain(`${session.dropped.previews} previews evicted (memory cap)`);
      // All by the cap: 800 KB of previews fit the hook's 1 Mi burst, so none is counted as never copied.
      expect(session.dropped.budgetPreviews).toBeUndefined();
      expect(await panel.getByRole('status').textContent()).not.toContain('never copied');
      await panel.close();
      await page.close();
    } finally {
      await setCaps(undefined);
    }
  });

});
