// The MV3 service worker can be stopped at any time. Records arriving while it
// is down, or not yet persisted when it stopped, must not be lost: the relay
// keeps each batch until the background has stored it, and resends.
import { describe, expect, it } from 'vitest';
import { useServerAndChromium } from './support/setup';
import { storedKeys, waitForSession } from './support/chromium';

const env = useServerAndChromium();

describe('service worker restart (Chromium)', () => {
  it('loses no record when the worker is stopped mid-session', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/ticker.html`);
    await waitForSession(env.browser, (s) => (s.connections[0]?.messages.length ?? 0) > 20, 'the first ticks');
    // A burst on a second socket, echoed: enough messages for the background to store them in chunks
    // (src/core/stored.ts), which the restarted worker must read back and append after.
    const BURST = 3000;
    await page.evaluate(
      ([url, n]) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          let echoed = 0;
          ws.onopen = () => {
            for (let i = 0; i < n; i++) ws.send(`burst ${i} `.padEnd(60, '.'));
          };
          ws.onmessage = () => {
            if (++echoed === n) resolve();
          };
        }),
      [`${env.server.wsOrigin}/echo?burst`, BURST] as const,
    );
    await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?burst') && c.messages.length === 2 * BURST), 'the burst stored');
    expect((await storedKeys(env.browser)).filter((key) => key.startsWith('msgs:')).length).toBeGreaterThan(1);

    // Stop every service worker of the extension's partition through the DevTools protocol,
    // and watch it stop and start again.
    const extensionPage = await env.browser.context.newPage();
    await extensionPage.goto(`chrome-extension://${env.browser.extensionId}/src/panel/index.html`);
    const cdp = await env.browser.context.newCDPSession(extensionPage);
    const statuses: string[] = [];
    cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
      for (const version of event.versions) if (version.scriptURL.startsWith('chrome-extension://')) statuses.push(version.runningStatus);
    });
    await cdp.send('ServiceWorker.enable');
    await extensionPage.close(); // the panel's port would otherwise restart the worker itself
    const cdpPage = await env.browser.context.newPage();
    const control = await env.browser.context.newCDPSession(cdpPage);
    control.on('ServiceWorker.workerVersionUpdated', (event) => {
      for (const version of event.versions) if (version.scriptURL.startsWith('chrome-extension://')) statuses.push(version.runningStatus);
    });
    await control.send('ServiceWorker.enable');
    await control.send('ServiceWorker.stopAllWorkers');
    const until = async (predicate: () => boolean, what: string) => {
      for (let i = 0; i < 100 && !predicate(); i++) await page.waitForTimeout(100);
      if (!predicate()) throw new Error(`${what}; statuses: ${statuses.join(',')}`);
    };
    await until(() => statuses.includes('stopped'), 'the worker did not stop');
    // The page keeps ticking while the worker is down; the relay reconnects, which starts it again.
    await until(() => statuses.lastIndexOf('running') > statuses.indexOf('stopped'), 'the worker did not start again');
    await page.waitForTimeout(500);
    const ticks = await page.evaluate(() => (window as unknown as { stopTicker(): Promise<{ sent: number; received: number }> }).stopTicker());
    expect(ticks.sent).toBeGreaterThan(30);

    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?ticker') && c.close), 'the ticker to close');
    const ticker = session.connections.find((c) => c.url.endsWith('/echo?ticker'))!;
    const sent = ticker.messages.filter((m) => m.direction === 'send').map((m) => m.preview);
    const received = ticker.messages.filter((m) => m.direction === 'receive');
    expect(sent).toEqual(Array.from({ length: ticks.sent }, (_, i) => `tick ${i + 1}`));
    expect(received.length).toBe(ticks.received);
    expect(ticker.messages.map((m) => m.index)).toEqual([...ticker.messages.keys()]);
    expect(session.dropped).toMatchObject({ messages: 0, previews: 0, rejected: 0 });
    expect(ticker.close).toMatchObject({ code: 1000, initiator: 'page' });
    // The burst, stored in chunks before the restart, is read back whole and in order.
    const burst = session.connections.find((c) => c.url.endsWith('/echo?burst'))!;
    expect(burst.messages.filter((m) => m.direction === 'send').map((m) => m.preview)).toEqual(Array.from({ length: BURST }, (_, i) => `burst ${i} `.padEnd(60, '.')));
    expect(burst.messages.map((m) => m.index)).toEqual([...burst.messages.keys()]);
  });
});
