// Decisions 71, 73 and 74: while nothing reads a tab (no panel or popup on it, no recording or policy on it), a
// document keeps its batches in its page: a page never starts the extension's service worker (Chrome stops it after
// 30 s without events, and restarting it costs about 200 ms of CPU here) but for a socket's handshake (webRequest), and
// hands no batch over. When it goes away, its
// compact record goes (every record, each connection's last 256 messages, the rest counted); when a panel opens,
// everything it holds. Its navigation is placed at the document's time origin. No reader page here: that is the point.
import { describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { useServerAndChromium } from './support/setup';
import { openPanel, storedSessions, waitForSession } from './support/chromium';

const env = useServerAndChromium({ reader: false });

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

describe('a tab nobody reads (Chromium)', () => {
  it('hands nothing over while a page runs; its compact record reaches the worker when it goes away, after a stop too, its navigation at its time origin', async () => {
    const page = await env.browser.context.newPage();
    expect(await helloHint(), 'no panel, recording, policy or preview bound').toBeUndefined();
    await page.goto(`${env.server.origin}/blank.html?hold`);
    const timeOrigin = await page.evaluate(
      (url) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(url);
          let n = 0;
          ws.onopen = () => ws.send('hello 0');
          ws.onmessage = () => (++n < 5 ? ws.send(`hello ${n}`) : resolve(performance.timeOrigin));
        }),
      `${env.server.wsOrigin}/echo?held`,
    );
    // The socket's handshake wakes the worker (webRequest: the handshake evidence), but no batch reaches it.
    await page.waitForTimeout(1500);
    const sessions = [...(await storedSessions(env.browser)).values()];
    expect(sessions.flatMap((s) => s.connections).filter((c) => c.url.endsWith('/echo?held')), 'held in the page').toEqual([]);

    // The worker stops (Chrome stops an idle one after 30 s: the relay's message every 20 s keeps it up; an update or
    // the browser may stop it anyway): the page's Port opens again at once, and its record arrives when it goes away.
    const { statuses, cdp } = await watchWorker(page);
    await cdp.send('ServiceWorker.stopAllWorkers');
    await until(() => statuses.includes('stopped'), 'the worker to stop');
    const stoppedAt = statuses.lastIndexOf('stopped');
    await until(() => statuses.slice(stoppedAt + 1).includes('running'), 'the held page\'s Port to start the worker again');
    await page.waitForTimeout(300);
    await page.goto(`${env.server.origin}/blank.html?next`);
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?held') && c.close !== undefined), 'the held document\'s record');
    const connection = session.connections.find((c) => c.url.endsWith('/echo?held'))!;
    expect(connection.messages.map((m) => m.preview)).toEqual(Array.from({ length: 5 }, (_, i) => [`hello ${i}`, `hello ${i}`]).flat());
    expect(connection.close?.initiator).toBe('navigation');
    expect(session.pageUrl).toBe(`${env.server.origin}/blank.html?hold`);
    const navigation = session.pageEvents.find((e) => e.type === 'navigation');
    expect(navigation === undefined || Math.abs(navigation.time - timeOrigin) < 1, 'a navigation, if any, at the document\'s time origin').toBe(true);
    await page.close();
  });

  it('keeps each connection\'s last 256 messages of a page that went away, counting the rest; hands the current page over whole when a panel opens', async () => {
    const page = await env.browser.context.newPage();
    const flood = (tag: string, count: number) =>
      page.evaluate(
        ([url, count]) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(url as string);
            let got = 0;
            ws.onopen = () => {
              for (let i = 0; i < (count as number); i++) ws.send(`m${i}`);
            };
            ws.onmessage = () => ++got === count && resolve();
          }),
        [`${env.server.wsOrigin}/echo?${tag}`, count] as const,
      );
    await page.goto(`${env.server.origin}/blank.html?flood-1`);
    await flood('first', 600);
    await page.goto(`${env.server.origin}/blank.html?flood-2`);
    await flood('second', 400);
    const { tabId, session: before } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?first')), 'the first page\'s record');
    const first = before.connections.find((c) => c.url.endsWith('/echo?first'))!;
    expect(first.messages.length).toBe(256);
    expect(first.droppedMessages).toBe(1200 - 256);
    expect(first.messages.at(-1)).toMatchObject({ index: 1199, preview: 'm599', direction: 'receive' });
    expect(before.dropped.unreadMessages).toBe(1200 - 256);
    expect(before.connections.some((c) => c.url.endsWith('/echo?second')), 'the page on screen still holds its batches').toBe(false);

    const panel = await openPanel(env.browser, tabId);
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?second') && c.messages.length === 800), 'the page on screen, whole');
    expect(session.connections.find((c) => c.url.endsWith('/echo?second'))!.droppedMessages ?? 0).toBe(0);
    await expect.poll(() => panel.locator('.status-summary').textContent()).toContain(`${1200 - 256} messages dropped (${1200 - 256} of a page that went away unread: its last 256 per connection kept)`);
    await panel.close();
    await page.close();
  });

  it('makes a page without sockets say hello when a panel opens after it loaded; the popup names the page the tab shows', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html?before-panel`);
    await page.waitForTimeout(500);
    await page.goto(`${env.server.origin}/blank.html?before-panel`);
    const { tabId } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.close?.initiator === 'navigation'), 'the ticker ended by the navigation');
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

  it('leaves a tab\'s batches in its page while a panel reads another tab; the popup on it takes them (decision 74)', async () => {
    const elsewhere = await openPanel(env.browser, 2_000_000_000); // a panel for another tab
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?other-tab`);
    await page.evaluate(
      (url) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          let got = 0;
          ws.onopen = () => {
            for (let i = 0; i < 300; i++) ws.send(`o${i}`);
          };
          ws.onmessage = () => ++got === 300 && resolve();
        }),
      `${env.server.wsOrigin}/echo?other-tab`,
    );
    // Its hello came at once (the panel elsewhere sets the hint), so the worker knows the tab, but not its socket.
    const { tabId } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?other-tab') === true, 'the page\'s hello');
    await page.waitForTimeout(1500);
    const held = (await storedSessions(env.browser)).get(tabId);
    expect(held?.connections.filter((c) => c.url.endsWith('/echo?other-tab')), 'held in its page').toEqual([]);

    const popup = await env.browser.context.newPage();
    await popup.goto(`chrome-extension://${env.browser.extensionId}/src/popup/index.html?tabId=${tabId}`);
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?other-tab') && c.messages.length === 600), 'the tab read by the popup, whole');
    expect(session.connections.find((c) => c.url.endsWith('/echo?other-tab'))!.droppedMessages ?? 0).toBe(0);
    await expect.poll(() => popup.locator('[aria-label="Recording state"]').textContent()).toContain('1 WebSocket captured in this tab');
    await popup.close();
    await elsewhere.close();
    await page.close();
  });

  it('holds a tab\'s batches again once its panel closes, and hands them over when a panel opens on it again (decision 77)', async () => {
    const elsewhere = await openPanel(env.browser, 2_000_000_000); // sets the hint: the page says hello at once
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?held-again`);
    const { tabId } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?held-again') === true, 'the page\'s hello');
    await page.evaluate(
      (url) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          const w = window as unknown as { exchange(n: number, tag: string): Promise<void> };
          let waiting: { left: number; done: () => void } | undefined;
          ws.onmessage = () => waiting && --waiting.left === 0 && waiting.done();
          w.exchange = (n, tag) =>
            new Promise<void>((done) => {
              waiting = { left: n, done };
              for (let i = 0; i < n; i++) ws.send(`${tag}${i}`);
            });
          ws.onopen = () => resolve();
        }),
      `${env.server.wsOrigin}/echo?held-again`,
    );
    const count = async () => (await storedSessions(env.browser)).get(tabId)?.connections.find((c) => c.url.endsWith('/echo?held-again'))?.messages.length ?? 0;
    const panel = await openPanel(env.browser, tabId);
    await page.evaluate(() => (window as unknown as { exchange(n: number, tag: string): Promise<void> }).exchange(100, 'read'));
    await until(async () => (await count()) === 200, 'the messages sent while the panel read the tab');
    await panel.close();
    await page.waitForTimeout(500); // the background tells the page to hold
    await page.evaluate(() => (window as unknown as { exchange(n: number, tag: string): Promise<void> }).exchange(100, 'closed'));
    await page.waitForTimeout(1500);
    expect(await count(), 'held in the page once the panel closed').toBe(200);
    const again = await openPanel(env.browser, tabId);
    await until(async () => (await count()) === 400, 'everything, handed over when a panel opened again');
    const connection = (await storedSessions(env.browser)).get(tabId)!.connections.find((c) => c.url.endsWith('/echo?held-again'))!;
    expect(connection.droppedMessages ?? 0).toBe(0);
    expect(connection.messages.filter((m) => m.direction === 'send').map((m) => m.preview)).toEqual([...Array.from({ length: 100 }, (_, i) => `read${i}`), ...Array.from({ length: 100 }, (_, i) => `closed${i}`)]);
    await again.close();
    await elsewhere.close();
    await page.close();
  });

  // Received as Blobs (decision 78) and as ArrayBuffers (86); the page sends views, which keep no preview over 16 KiB either.
  for (const binaryType of ['blob', 'arraybuffer'] as const) {
  it(`keeps no preview of ${binaryType === 'blob' ? 'a Blob' : 'an ArrayBuffer'} over 16 KiB while nothing reads its tab, counting each; previews them again once a panel reads it (decisions 78, 86)`, async () => {
    const elsewhere = await openPanel(env.browser, 2_000_000_000); // sets the hint: the page says hello at once
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?held-${binaryType}`);
    const { tabId } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith(`/blank.html?held-${binaryType}`) === true, 'the page\'s hello');
    await page.evaluate(
      ([url, binaryType]) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          ws.binaryType = binaryType; // 'blob' is the browser's default
          const w = window as unknown as { exchange(sizes: number[]): Promise<string[]> };
          let waiting: { left: number; done: () => void } | undefined;
          const kinds: string[] = [];
          ws.onmessage = (event) => {
            kinds.push(Object.prototype.toString.call(event.data));
            if (waiting && --waiting.left === 0) waiting.done();
          };
          w.exchange = (sizes) =>
            new Promise<string[]>((done) => {
              waiting = { left: sizes.length, done: () => done(kinds.splice(0)) };
              for (const size of sizes) ws.send(new Uint8Array(size).fill(size % 251));
            });
          ws.onopen = () => resolve();
        }),
      [`${env.server.wsOrigin}/echo?held-${binaryType}`, binaryType] as const,
    );
    const exchange = (sizes: number[]) => page.evaluate((sizes) => (window as unknown as { exchange(sizes: number[]): Promise<string[]> }).exchange(sizes), sizes);
    const kind = binaryType === 'blob' ? '[object Blob]' : '[object ArrayBuffer]';
    expect(await exchange([65536, 16384, 16385])).toEqual([kind, kind, kind]);
    const panel = await openPanel(env.browser, tabId);
    const received = async (count: number) =>
      (await waitForSession(env.browser, (s) => (s.connections.find((c) => c.url.endsWith(`/echo?held-${binaryType}`))?.messages.length ?? 0) >= count, `${count} messages`)).session;
    const held = (await received(6)).connections.find((c) => c.url.endsWith(`/echo?held-${binaryType}`))!.messages;
    const shape = { 65536: { previewChars: 0, evicted: true }, 16384: { previewChars: 21848, evicted: false }, 16385: { previewChars: 0, evicted: true } }; // 16 KiB and less: previewed while held
    for (const direction of ['send', 'receive'] as const) {
      expect(held.filter((m) => m.direction === direction).map(({ size, preview, evicted }) => ({ size, previewChars: preview.length, evicted: evicted === true })), direction).toEqual(
        [65536, 16384, 16385].map((size) => ({ size, ...shape[size as keyof typeof shape] })),
      );
    }
    await expect.poll(() => panel.locator('.status-summary').textContent()).toContain('4 previews evicted (4 not read: binary over 16 KiB, or Blobs past 64 a second, while nothing read the tab)');
    // The panel reads the tab: the page is live, and its hook previews large binary messages again.
    expect(await exchange([65536])).toEqual([kind]);
    const messages = (await received(8)).connections.find((c) => c.url.endsWith(`/echo?held-${binaryType}`))!.messages;
    const whole = Buffer.alloc(65536, 65536 % 251).toString('base64');
    for (const direction of ['send', 'receive'] as const) {
      expect(messages.filter((m) => m.direction === direction).at(-1), direction).toMatchObject({ size: 65536, truncated: false, preview: whole });
    }
    expect((await storedSessions(env.browser)).get(tabId)!.dropped.heldBlobPreviews).toBe(4);
    await panel.close();
    await elsewhere.close();
    await page.close();
  });
  }

  it('reads at most 64 small Blobs at once while nothing reads its tab, then 64 a second, counting the rest; all of them once a panel reads it (decision 81)', async () => {
    const elsewhere = await openPanel(env.browser, 2_000_000_000); // sets the hint: the page says hello at once
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?held-small-blobs`);
    const { tabId } = await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?held-small-blobs') === true, 'the page\'s hello');
    await page.evaluate(
      (url) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url); // binaryType 'blob', the browser's default
          const w = window as unknown as { burst(count: number): Promise<number> };
          let waiting: { left: number; first: number; done: (ms: number) => void } | undefined;
          ws.onmessage = () => {
            if (!waiting) return;
            const at = performance.now();
            if (!waiting.first) waiting.first = at;
            if (--waiting.left === 0) waiting.done(at - waiting.first);
          };
          // `count` messages of 100 bytes, message i filled with i: echoed as Blobs, and the time from the first to the last.
          w.burst = (count) =>
            new Promise<number>((done) => {
              waiting = { left: count, first: 0, done };
              for (let i = 0; i < count; i++) ws.send(new Uint8Array(100).fill(i));
            });
          ws.onopen = () => resolve();
        }),
      `${env.server.wsOrigin}/echo?held-small-blobs`,
    );
    const burst = (count: number) => page.evaluate((count) => (window as unknown as { burst(count: number): Promise<number> }).burst(count), count);
    const spanMs = await burst(200);
    const panel = await openPanel(env.browser, tabId);
    const received = async (count: number) =>
      (await waitForSession(env.browser, (s) => (s.connections.find((c) => c.url.endsWith('/echo?held-small-blobs'))?.messages.length ?? 0) >= count, `${count} messages`)).session
        .connections.find((c) => c.url.endsWith('/echo?held-small-blobs'))!.messages.filter((m) => m.direction === 'receive');
    const held = await received(400);
    const read = held.filter((m) => !m.evicted);
    // 64 at once, then 64 a second over the burst's span (plus one for the refill's rounding).
    expect(read.length, `read while held (burst over ${spanMs.toFixed(1)} ms)`).toBeGreaterThanOrEqual(64);
    expect(read.length).toBeLessThanOrEqual(64 + Math.ceil((spanMs * 64) / 1000) + 1);
    expect(held.slice(0, 64).every((m) => !m.evicted), 'the first 64 read').toBe(true);
    held.forEach((m, i) => expect(m.preview, `message ${i}`).toBe(m.evicted ? '' : Buffer.alloc(100, i).toString('base64')));
    const unread = held.length - read.length;
    await expect.poll(() => panel.locator('.status-summary').textContent()).toContain(`${unread} previews evicted (${unread} not read: binary over 16 KiB, or Blobs past 64 a second, while nothing read the tab)`);
    // The panel reads the tab: the page is live, and its hook reads every Blob the character budget allows.
    await burst(200);
    const live = (await received(800)).slice(200);
    expect(live.filter((m) => m.evicted).length, 'live: none unread').toBe(0);
    live.forEach((m, i) => expect(m.preview).toBe(Buffer.alloc(100, i).toString('base64')));
    expect((await storedSessions(env.browser)).get(tabId)!.dropped.heldBlobPreviews).toBe(unread);
    await panel.close();
    await elsewhere.close();
    await page.close();
  });

  it('says hello at once from every top document while a panel is open, and not once it is closed', async () => {
    const first = await env.browser.context.newPage();
    await first.goto(`${env.server.origin}/ticker.html?panel`);
    await first.waitForTimeout(300);
    await first.goto(`${env.server.origin}/blank.html?panel`);
    const { tabId } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.frameUrl.endsWith('?panel')), 'a tab to show');
    const panel = await openPanel(env.browser, tabId);
    await until(async () => (await helloHint()) === true, 'the hint set by the open panel');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html?with-panel`);
    await waitForSession(env.browser, (s) => s.pageUrl?.endsWith('/blank.html?with-panel') === true, 'the socketless page\'s hello');
    await panel.close();
    await until(async () => (await helloHint()) === undefined, 'the hint removed with the last panel');
    await page.goto(`${env.server.origin}/blank.html?after-panel`);
    await page.waitForTimeout(1500);
    const sessions = [...(await storedSessions(env.browser)).values()];
    expect(sessions.some((s) => s.pageUrl?.endsWith('/blank.html?with-panel')), 'the tab as it was').toBe(true);
    expect(sessions.some((s) => s.pageUrl?.endsWith('/blank.html?after-panel')), 'no hello from a page without sockets once the panel is closed').toBe(false);
    await page.close();
    await first.close();
  });
});
