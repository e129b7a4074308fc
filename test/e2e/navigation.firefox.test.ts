// A reload while a socket is open, in Firefox ESR: Firefox fires the old
// socket's close event (1001, wasClean) as its document goes away, which used
// to be recorded as the server going away and gave a false "server restarted"
// finding. The socket must be recorded as ended by the navigation, and the
// diagnosis must find nothing. No panel is open before the last reload: the first two pages hold their batches and
// leave compact records (docs/decisions.md, 73), which Firefox delivers from pagehide on a reload.
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHar, type HarLog } from '../../src/core/har';
import { analyzeSession } from '../../src/core/analysis';
import { exportFromPanel, openPanelFor, waitInPage } from './support/firefox';
import { useServerAndFirefox } from './support/setup';

const env = useServerAndFirefox();
let har: HarLog;

beforeAll(async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.origin}/ticker.html`);
  await page.waitForFunction(() => (window as unknown as { ticks: { received: number } }).ticks.received >= 4, { timeout: 10_000 });
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { ticks: { received: number } }).ticks.received >= 4, { timeout: 10_000 });
  const panel = await openPanelFor(env.browser, page);
  await waitInPage(panel, () => document.querySelectorAll('tr[data-connection-id]').length >= 3, { timeout: 10_000 });
  har = await exportFromPanel(panel);
}, 90_000);

describe('a reload while a socket is open (Firefox ESR)', () => {
  it('records the old sockets as ended by the navigation, with no finding', () => {
    const { session } = fromHar(har);
    const tickers = session.connections.filter((c) => c.url.endsWith('/echo?ticker')).sort((a, b) => a.createdAt - b.createdAt);
    // The first load, the reload, and the reload the panel door made.
    expect(tickers.length).toBeGreaterThanOrEqual(3);
    // The first two were left while nothing read the tab: their pages held their batches and handed over their
    // compact records at pagehide (docs/decisions.md, 73), messages included.
    for (const old of tickers.slice(0, 2)) expect(old.messages.filter((m) => m.direction === 'receive').length).toBeGreaterThanOrEqual(4);
    for (const old of tickers.slice(0, -1)) {
      expect(old.close, JSON.stringify(old.close)).toMatchObject({ initiator: 'navigation' });
      expect([1001, 1005, 1006]).toContain(old.close?.code);
    }
    expect(analyzeSession(session).findings.map((f) => f.title)).toEqual([]);
  });
});
