// Handshake evidence in Firefox ESR behind a real nginx, read back through the
// panel's Export: Firefox gives webRequest the status, headers and IP of every
// handshake, so the 101 names nginx (and its IP), and refused handshakes are
// explained by their status: 404 (wrong path), 400 from a backend the upgrade
// did not reach. A cookie sent with the handshakes is kept by name only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { diagnose } from '../../src/core/diagnosis';
import { fromHar, type HarEntry, type HarLog } from '../../src/core/har';
import { closeFirefox, exportFromPanel, launchFirefox, openPanelFor, waitInPage } from './support/firefox';
import { COOKIE_VALUE, MISSING_PATH, NO_UPGRADE_PATH, READ_TIMEOUT_MS, startHandshakeRig, type HandshakeRig } from './support/handshakeNginx';

let rig: HandshakeRig;
let browser: Browser;
let har: HarLog;
let harText: string;

const server = (entry: HarEntry): string | undefined => entry.response.headers.find((h) => h.name.toLowerCase() === 'server')?.value;

beforeAll(async () => {
  rig = await startHandshakeRig();
  browser = await launchFirefox();
  const page = await browser.newPage();
  await page.goto(`${rig.nginx.origin}/blank.html`);
  await page.evaluate((value) => void (document.cookie = `sid=${value}; path=/`), COOKIE_VALUE);
  await page.goto(`${rig.nginx.origin}/reconnect.html?delay=500`);
  await page.waitForFunction(() => (window as unknown as { closes: number[] }).closes.filter((code) => code === 1006).length >= 4, { timeout: 40_000, polling: 200 });
  // Same tab (preserve log keeps the session): two handshakes nginx refuses.
  await page.goto(`${rig.nginx.origin}/blank.html`);
  await page.evaluate(
    (urls) => Promise.all(urls.map((url) => new Promise<void>((resolve) => (new WebSocket(url).onclose = () => resolve())))),
    [`${rig.nginx.wsOrigin}${MISSING_PATH}`, `${rig.nginx.wsOrigin}${NO_UPGRADE_PATH}`],
  );
  const panel = await openPanelFor(browser, page);
  await waitInPage(panel, () => document.querySelectorAll('tr[data-connection-id]').length >= 6, { timeout: 10_000 });
  // Let the last connections' handshake evidence settle (matched at once; unmatched only after the ~3 s window).
  await new Promise((resolve) => setTimeout(resolve, 4000));
  har = await exportFromPanel(panel);
  harText = JSON.stringify(har);
}, 120_000);

afterAll(async () => {
  await closeFirefox(browser);
  await rig?.close();
});

describe('handshakes through nginx (Firefox ESR)', () => {
  it('records the 101 with nginx\'s Server header and the IP, the cookie by name only', () => {
    const upgraded = har.log.entries.filter((e) => e.request.url.includes('/burst') && e._socketscope.close?.code === 1006);
    expect(upgraded.length).toBeGreaterThanOrEqual(4);
    for (const entry of upgraded) {
      expect(entry._socketscope.handshakeEvidence).toBe('matched');
      expect(entry.response.status).toBe(101);
      expect(server(entry)).toMatch(/^nginx\/\d/);
      expect(entry.serverIPAddress).toBe('127.0.0.1');
      expect(entry.request.headers).toContainEqual({ name: 'Cookie', value: '(value not recorded)' });
    }
    expect(harText).not.toContain(COOKIE_VALUE);
  });

  it('names nginx as identified in the idle-timeout finding, with the header quoted', () => {
    const findings = diagnose(annotateHeartbeats(fromHar(har).session));
    const idle = findings.find((f) => f.kind === 'idle-timeout');
    expect(idle, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(Math.abs(idle!.periodMs! - READ_TIMEOUT_MS)).toBeLessThan(400);
    expect(idle!.identified?.[0]).toMatchObject({ name: 'nginx', evidence: expect.stringMatching(/^server: nginx\/\d/) });
  });

  it('explains the 404 path and the route without the upgrade headers by their status', () => {
    const missing = har.log.entries.find((e) => e.request.url.endsWith(MISSING_PATH))!;
    const noUpgrade = har.log.entries.find((e) => e.request.url.includes('/no-upgrade/'))!;
    expect(missing.response).toMatchObject({ status: 404, statusText: 'Not Found' });
    expect(server(missing)).toMatch(/^nginx\//);
    expect([400, 426]).toContain(noUpgrade.response.status);
    const failed = diagnose(fromHar(har).session).filter((f) => f.kind === 'handshake-failed');
    const notFound = failed.find((f) => f.connections.includes(missing._socketscope.id));
    const refused = failed.find((f) => f.connections.includes(noUpgrade._socketscope.id));
    expect(notFound?.title, JSON.stringify(failed, null, 1)).toMatch(/got HTTP 404 Not Found: wrong path/);
    expect(notFound?.identified?.[0]?.name).toBe('nginx');
    expect(refused?.title).toMatch(/got HTTP (400|426)/);
    expect(refused?.fix).toContain('proxy_set_header Upgrade $http_upgrade');
  });
});
