// Reproduce and verify in Firefox ESR: "Drop now" against a real TCP drop (the server cuts TCP without a close
// frame), and send/inject through an echo server, commanded from the extension's own panel page.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openPanelFor, waitInPage } from './support/firefox';
import { useServerAndFirefox } from './support/setup';

const env = useServerAndFirefox();

interface LogEntry {
  n: number;
  via: string;
  type: string;
  isTrusted: boolean;
  readyState: number;
  code?: number;
  data?: string;
}
const logOf = (page: Page) => page.evaluate(() => (window as unknown as { log: LogEntry[] }).log);
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The app's panel, with a port of its own to command the background as the panel does; returns the open connection's id. */
async function control(page: Page): Promise<{ panel: Page; command(action: object): Promise<void> }> {
  const panel = await openPanelFor(env.browser, page);
  await waitInPage(panel, () => document.querySelectorAll('tr[data-connection-id]').length >= 1, { timeout: 10_000 });
  await panel.evaluate(() => {
    const runtime = (globalThis as unknown as { chrome: { runtime: { connect(info: { name: string }): { postMessage(m: unknown): void } } } }).chrome.runtime;
    (window as unknown as { simPort: unknown }).simPort = runtime.connect({ name: 'socketscope-panel' });
  });
  const tabId = Number(new URL(await panel.evaluate(() => location.href)).searchParams.get('tabId'));
  return {
    panel,
    command: (action) => panel.evaluate((id, a) => (window as unknown as { simPort: { postMessage(m: unknown): void } }).simPort.postMessage({ kind: 'sim-action', tabId: id, action: a }), tabId, action),
  };
}
/** The id of the newest connection whose row says it is open. */
const openConnectionId = (panel: Page) =>
  panel.evaluate(() => [...document.querySelectorAll('tr[data-connection-id]')].filter((row) => /open/.test(row.textContent ?? '')).map((row) => row.getAttribute('data-connection-id')).at(-1)!);

describe('Reproduce and verify (Firefox ESR)', () => {
  it('"Drop now" gives the page the same close as a real TCP drop', async () => {
    const real = await env.browser.newPage();
    await real.goto(`${env.server.origin}/sim-app.html?path=${encodeURIComponent('/drop?after=500')}&delay=-1`);
    await until('the real drop', async () => (await logOf(real)).some((e) => e.type === 'close'));
    const page = await env.browser.newPage();
    await page.goto(`${env.server.origin}/sim-app.html?path=/silent&delay=-1`);
    const { panel, command } = await control(page);
    await until('the app open after the panel door reload', async () => (await logOf(page)).some((e) => e.type === 'open'));
    await waitInPage(panel, () => [...document.querySelectorAll('tr[data-connection-id]')].some((row) => /open/.test(row.textContent ?? '')), { timeout: 10_000 });
    await command({ kind: 'drop', connectionId: await openConnectionId(panel) });
    await until('the simulated drop', async () => (await logOf(page)).some((e) => e.type === 'close'));
    const strip = (log: LogEntry[]) => log.map(({ n: _n, ...rest }) => rest);
    const realLog = strip(await logOf(real));
    const simulatedLog = strip(await logOf(page));
    console.log('Firefox real drop:', JSON.stringify(realLog), '\nDrop now:', JSON.stringify(simulatedLog));
    expect(simulatedLog).toEqual(realLog);
    await panel.close();
    await page.close();
    await real.close();
  }, 60_000);

  it('sends as the page and injects as received, through an echo server', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.origin}/sim-app.html?path=/echo&delay=-1`);
    const { panel, command } = await control(page);
    await until('the app open', async () => (await logOf(page)).some((e) => e.type === 'open'));
    await waitInPage(panel, () => [...document.querySelectorAll('tr[data-connection-id]')].some((row) => /open/.test(row.textContent ?? '')), { timeout: 10_000 });
    const connectionId = await openConnectionId(panel);
    await command({ kind: 'send', connectionId, format: 'text', data: 'echo me' });
    await command({ kind: 'inject', connectionId, format: 'text', data: 'from the server' });
    await until('both messages', async () => (await logOf(page)).filter((e) => e.type === 'message' && e.via === 'handler').length >= 2);
    const messages = (await logOf(page)).filter((e) => e.type === 'message' && e.via === 'handler').map((e) => ({ data: e.data, isTrusted: e.isTrusted }));
    expect(messages).toEqual(expect.arrayContaining([{ data: 'echo me', isTrusted: true }, { data: 'from the server', isTrusted: false }]));
    await panel.close();
    await page.close();
  }, 60_000);
});
