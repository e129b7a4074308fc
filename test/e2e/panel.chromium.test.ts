// The full DevTools panel in Chromium with the built extension, on a real page
// with several reconnecting sockets behind a real nginx whose 3 s
// proxy_read_timeout cuts idle ones: rows grouped by chain, the diagnosis with
// the right period, message selection and detail, filters, the timeline, the
// panel surviving a service worker restart and a navigation, screenshots in
// light and dark themes, and the panel inside the real DevTools window.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { devtoolsWindows, launchWithDevtools, panelFrame, showSocketScopePanel } from './support/devtools';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { launchWithExtension, openPanel, ROOT, waitForSession, type ExtensionBrowser } from './support/chromium';
import type { Session } from '../../src/core/model';

const READ_TIMEOUT_MS = 3000;
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const VIEWPORT = { width: 1440, height: 860 };

let server: TestServer;
let nginx: NginxProxy;

const abnormalCloses = (session: Session) => session.connections.filter((c) => c.close?.code === 1006).length;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer();
  nginx = await startNginx(server.port, { readTimeoutMs: READ_TIMEOUT_MS });
});
afterAll(async () => {
  await nginx?.close();
  await server?.close();
});

/** Opens the fixture page and waits until nginx has cut a few idle sockets. */
/**
 * A page behind nginx after five idle drops. `stored` (a reader is open: the drops reach the worker as they happen):
 * waits for them in the worker; otherwise (nothing reads the tab: the page holds them, docs/decisions.md 73) counts
 * them in the page, and takes the tab's id from its hello, which comes with its first socket.
 */
async function pageWithDrops(browser: ExtensionBrowser, stored = true): Promise<{ page: Page; tabId: number }> {
  const page = await browser.context.newPage();
  await page.goto(`${nginx.origin}/multi-reconnect.html`);
  if (!stored) await page.waitForFunction(() => (window as unknown as { closes: [string, number][] }).closes.filter(([, code]) => code === 1006).length >= 5, null, { timeout: 30_000 });
  const { tabId } = await waitForSession(
    browser,
    (s) => s.pageUrl?.includes('/multi-reconnect.html') === true && (!stored || abnormalCloses(s) >= 5),
    'five idle drops behind nginx',
    30_000,
  );
  return { page, tabId };
}

describe('the panel as a tab (Chromium, behind nginx)', () => {
  let browser: ExtensionBrowser;
  let page: Page;
  let tabId: number;
  let panel: Page;

  beforeAll(async () => {
    browser = await launchWithExtension();
    ({ page, tabId } = await pageWithDrops(browser));
    panel = await openPanel(browser, tabId);
    await panel.setViewportSize(VIEWPORT);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('groups the connections by endpoint, with state, counts, close codes and finding badges', async () => {
    const rows = panel.locator('tr[data-connection-id]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(6);
    // Three endpoints: /burst and /silent reconnecting, /echo?live steady.
    await expect.poll(() => panel.locator('tr.chain-row').count()).toBe(3);
    const chainTexts = await panel.locator('tr.chain-row').allTextContents();
    expect(chainTexts.join('\n')).toMatch(/\/burst.*connections.*drops/);
    expect(chainTexts.join('\n')).toMatch(/\/silent.*connections.*drops/);
    const burstRow = rows.filter({ has: panel.locator('td.url', { hasText: '/burst' }) }).first();
    await expect.poll(() => burstRow.textContent()).toContain('1006 Abnormal Closure');
    await expect.poll(() => burstRow.textContent()).toMatch(/closed/);
    // The live socket is open and has traffic both ways.
    const liveRow = rows.filter({ has: panel.locator('td.url', { hasText: '/echo?live' }) });
    await expect.poll(() => liveRow.textContent()).toMatch(/open.*\d+ \/ \d+/);
    // Findings concern the dropped connections: badges on their rows.
    await expect.poll(() => panel.locator('tr[data-connection-id] .finding-badge').count()).toBeGreaterThanOrEqual(3);
    expect(await liveRow.locator('.finding-badge').count()).toBe(0);
  });

  it('explains the drops: regular, the period, the suspect and the fix, within one screen', async () => {
    const diagnosis = panel.getByRole('complementary', { name: 'Diagnosis' });
    await expect.poll(() => diagnosis.textContent(), { timeout: 15_000 }).toMatch(/Connections die after 3(\.\d)? s of silence/);
    const primary = diagnosis.locator('details.finding.primary');
    const text = (await primary.textContent()) ?? '';
    expect(text).toMatch(/Period\s*3(\.\d)? s of silence/);
    expect(text).toMatch(/Drops\s*every ~(3\.\d|4) s/);
    expect(text).toContain('nginx');
    expect(text).toContain('proxy_read_timeout');
    expect(text).toMatch(/Fix.*heartbeat every ≤ 1\.5 s/);
    // The close code explained in plain words.
    expect(await diagnosis.textContent()).toContain('1006 Abnormal Closure');
    expect(await diagnosis.textContent()).toMatch(/without a close frame/);
    // Everything above is visible without scrolling, at a DevTools-like size.
    for (const locator of [primary.locator('.finding-title'), primary.locator('.fact-period'), primary.locator('.fix'), panel.locator('tr.chain-row').first()]) {
      const box = await locator.boundingBox();
      expect(box, await locator.textContent() ?? '').not.toBeNull();
      expect(box!.y + box!.height).toBeLessThanOrEqual(VIEWPORT.height);
    }
    // The period is also named on the timeline's axis.
    await expect.poll(() => panel.locator('.period-legend').textContent()).toMatch(/3(\.\d)? s silence before each drop → an idle timeout in .*nginx/);
    await panel.screenshot({ path: join(SCREENSHOTS, 'panel-light.png') });
  });

  it('links the evidence to the timeline and selects a message to show its detail', async () => {
    const evidence = panel.getByRole('complementary', { name: 'Diagnosis' }).locator('.evidence .link-button').first();
    await evidence.click();
    await expect.poll(() => panel.locator('tr.connection-row.selected').count()).toBe(1);
    await expect.poll(() => panel.getByRole('button', { name: 'Fit' }).getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => panel.getByLabel('Connection summary').textContent()).toMatch(/\/burst|\/silent/);
    await expect.poll(() => panel.getByLabel('Close').textContent()).toContain('1006 Abnormal Closure by nobody');

    // The steady socket: JSON pings, shown as a tree.
    await panel.locator('tr[data-connection-id]').filter({ has: panel.locator('td.url', { hasText: '/echo?live' }) }).click();
    const options = panel.getByRole('listbox', { name: 'Messages' }).getByRole('option');
    await expect.poll(() => options.count()).toBeGreaterThanOrEqual(4);
    await options.first().click();
    // The list follows the tail (the page has sent more by now): Home selects the connection's first message.
    await panel.getByRole('listbox', { name: 'Messages' }).press('Home');
    const detail = panel.getByLabel('Message detail');
    await expect.poll(() => detail.textContent()).toContain('seq');
    await expect.poll(() => detail.getByRole('tab', { name: 'JSON' }).getAttribute('aria-selected')).toBe('true');
    await detail.getByRole('tab', { name: 'Text' }).click();
    await expect.poll(() => detail.locator('pre.payload').textContent()).toBe('{"type":"ping","seq":1}');
    await detail.getByRole('tab', { name: 'JSON' }).click();
    await panel.screenshot({ path: join(SCREENSHOTS, 'panel-light-message.png') });
    await detail.getByRole('tab', { name: 'Hex' }).click();
    await expect.poll(() => detail.getByLabel('Hex dump').textContent()).toContain('7b 22 74 79 70 65 22 3a');
    await detail.getByRole('tab', { name: 'JSON' }).click();
    // Arrow keys move the selection.
    await options.first().click();
    await panel.keyboard.press('ArrowDown');
    await expect.poll(() => panel.locator('[role=option][aria-selected=true]').getAttribute('data-index')).toBe('1');
    // Clicking the timeline selects what is under the pointer.
    await panel.getByRole('button', { name: 'Fit' }).click();
    const canvas = panel.locator('canvas.timeline-canvas');
    const box = (await canvas.boundingBox())!;
    // Lane 1 (first chain) starts below the axis and the period strip.
    await canvas.click({ position: { x: box.width * 0.5, y: 20 + 18 + 15 } });
    await expect.poll(() => panel.locator('tr.connection-row.selected td.url').textContent()).toMatch(/\/burst/);
  });

  it('filters connections by URL and state, and messages by direction, text, regex and heartbeats', async () => {
    const rows = panel.locator('tr[data-connection-id]');
    const urlFilter = panel.getByLabel('Filter connections by URL');
    await panel.locator('body').click({ position: { x: 5, y: 400 } });
    await panel.keyboard.press('/');
    await expect.poll(() => panel.evaluate(() => document.activeElement?.id)).toBe('url-filter');
    await panel.keyboard.type('silent');
    await expect.poll(async () => (await rows.locator('td.url').allTextContents()).every((url) => url.includes('/silent'))).toBe(true);
    expect(await panel.locator('tr.chain-row').count()).toBe(1);
    await panel.keyboard.press('Escape');
    await expect.poll(() => urlFilter.inputValue()).toBe('');
    await expect.poll(() => panel.locator('tr.chain-row').count()).toBe(3);

    await panel.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(async () => (await rows.locator('td.state').allTextContents()).every((s) => /open|connecting/.test(s))).toBe(true);
    await panel.getByRole('button', { name: 'Ended', exact: true }).click();
    await expect.poll(async () => (await rows.locator('td.state').allTextContents()).every((s) => /closed|failed/.test(s))).toBe(true);
    await panel.getByRole('button', { name: 'All', exact: true }).first().click();

    // Messages of the steady socket: direction, text, regex.
    await rows.filter({ has: panel.locator('td.url', { hasText: '/echo?live' }) }).click();
    const options = panel.getByRole('listbox', { name: 'Messages' }).getByRole('option');
    await panel.getByRole('button', { name: '↑ Sent' }).click();
    await expect.poll(async () => (await options.evaluateAll((els) => els.every((el) => el.classList.contains('msg-send'))))).toBe(true);
    await panel.getByRole('button', { name: 'All', exact: true }).last().click();
    const messageFilter = panel.getByLabel('Filter messages');
    await messageFilter.fill('"seq":2}');
    await expect.poll(() => options.count()).toBe(2); // sent and echoed
    await panel.getByRole('button', { name: 'Regular expression' }).click();
    await messageFilter.fill('"seq":[12]}');
    await expect.poll(() => options.count()).toBe(4);
    await messageFilter.fill('seq":(');
    await expect.poll(() => messageFilter.getAttribute('aria-invalid')).toBe('true');
    await messageFilter.fill('');
    await panel.getByRole('button', { name: 'Regular expression' }).click();
    const total = await options.count();
    await panel.getByLabel('Hide heartbeats').check();
    await expect.poll(async () => (await options.count()) <= total).toBe(true);
    expect(await panel.locator('[role=option].msg-heartbeat').count()).toBe(0);
    await panel.getByLabel('Hide heartbeats').uncheck();
  });

  it('zooms and pans the timeline with the keyboard and the wheel, and hovers for details', async () => {
    const canvas = panel.locator('canvas.timeline-canvas');
    const fit = panel.getByRole('button', { name: 'Fit' });
    await fit.click();
    await canvas.focus();
    await panel.keyboard.press('+');
    await expect.poll(() => fit.getAttribute('aria-pressed')).toBe('false');
    await panel.keyboard.press('ArrowLeft');
    await panel.keyboard.press('0');
    await expect.poll(() => fit.getAttribute('aria-pressed')).toBe('true');
    const box = (await canvas.boundingBox())!;
    await panel.mouse.move(box.x + box.width * 0.6, box.y + 20 + 18 + 15);
    await panel.mouse.wheel(0, -300);
    await expect.poll(() => fit.getAttribute('aria-pressed')).toBe('false');
    await fit.click();
    // Hover: the lane label names the chain; a bar tells the connection's life, a tick its message.
    await panel.mouse.move(box.x + 40, box.y + 20 + 18 + 15);
    await expect.poll(() => panel.getByRole('tooltip').textContent()).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/burst: \d+ connections/);
    let described = '';
    for (let share = 0.3; share < 0.95 && !/Opened|sent|received/.test(described); share += 0.05) {
      await panel.mouse.move(box.x + box.width * share, box.y + 20 + 18 + 15);
      described = (await panel.getByRole('tooltip').textContent({ timeout: 500 }).catch(() => '')) ?? '';
    }
    expect(described).toMatch(/Opened .* lived|Closed 1006 Abnormal Closure by nobody|sent|received/);
  });

  it('follows the dark theme (prefers-color-scheme in a tab)', async () => {
    const rows = panel.locator('tr[data-connection-id]');
    await rows.filter({ has: panel.locator('td.url', { hasText: '/burst' }) }).last().click();
    await panel.getByRole('listbox', { name: 'Messages' }).getByRole('option').first().click();
    await panel.emulateMedia({ colorScheme: 'dark' });
    // The theme follows the media query's change event (src/panel/theme.ts).
    await expect.poll(() => panel.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(32, 33, 36)');
    await panel.evaluate(() => document.querySelector('.diagnosis-body')?.scrollTo(0, 0));
    await panel.waitForTimeout(300); // the canvas redraws on the theme change
    await panel.screenshot({ path: join(SCREENSHOTS, 'panel-dark.png') });
    await panel.emulateMedia({ colorScheme: 'light' });
  });

  it('keeps working when the service worker restarts, the page navigates, and the panel is reopened', async () => {
    const rows = panel.locator('tr[data-connection-id]');
    const before = await rows.count();
    const cdpPage = await browser.context.newPage();
    const control = await browser.context.newCDPSession(cdpPage);
    await control.send('ServiceWorker.enable');
    await control.send('ServiceWorker.stopAllWorkers');
    // The panel reconnects (restarting the worker) and keeps its rows; new drops keep arriving.
    await expect.poll(() => panel.locator('.link-badge').textContent(), { timeout: 15_000 }).toContain('Live');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    await cdpPage.close();

    // A navigation (reload): history is kept, with a navigation marker; new sockets appear.
    const beforeReload = await rows.count();
    await page.reload();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(beforeReload + 3);

    // Closing and reopening the panel shows everything again.
    await panel.close();
    panel = await openPanel(browser, tabId);
    await panel.setViewportSize(VIEWPORT);
    await expect.poll(() => panel.locator('tr[data-connection-id]').count()).toBeGreaterThanOrEqual(beforeReload + 3);
    await expect.poll(() => panel.getByRole('complementary', { name: 'Diagnosis' }).textContent(), { timeout: 15_000 }).toMatch(/Connections die after 3(\.\d)? s of silence/);
  });

  it('explains what to do when the tab has no socket yet', async () => {
    const blank = await browser.context.newPage();
    await blank.goto(`${server.origin}/quiet.html`);
    const { tabId: blankTabId } = await waitForSession(browser, (s) => s.pageUrl?.endsWith('/quiet.html') === true, 'the page without sockets');
    const emptyPanel = await openPanel(browser, blankTabId);
    await emptyPanel.setViewportSize({ width: 1000, height: 600 });
    await expect.poll(() => emptyPanel.getByLabel('No connections yet').textContent()).toContain('reload the page');
    await expect.poll(() => emptyPanel.getByRole('button', { name: 'Reload the page' }).isEnabled()).toBe(true);
    await emptyPanel.screenshot({ path: join(SCREENSHOTS, 'panel-empty.png') });
    await emptyPanel.close();
    await blank.close();
  });

  it('shows the capture settings under the toolbar\'s gear, by keyboard too, with the setting as the background has it', async () => {
    const panel = await openPanel(browser, 2_000_000_001);
    const gear = panel.getByRole('button', { name: 'Capture settings' });
    await expect.poll(() => gear.getAttribute('aria-pressed')).toBe('false');
    await gear.focus();
    await panel.keyboard.press('Enter');
    const bar = panel.getByRole('group', { name: 'Capture settings' });
    await expect.poll(() => bar.isVisible()).toBe(true);
    // The harness's reader ticked it (support/chromium.ts): the background's setting, not this page's.
    await expect.poll(() => bar.getByLabel('Every tab live').isChecked()).toBe(true);
    await expect.poll(() => bar.textContent()).toContain('until you read that tab');
    await bar.getByLabel('Every tab live').focus();
    await panel.keyboard.press('Escape');
    await expect.poll(() => bar.isVisible()).toBe(false);
    expect(await gear.getAttribute('aria-pressed')).toBe('false');
    await panel.close();
  });
});

describe('the panel inside the real DevTools window (Chromium)', () => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await launchWithDevtools();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Shows the SocketScope panel in each DevTools window and returns the panel frame that inspects `tabId`. */
  async function panelFrameFor(tabId: number): Promise<{ devtools: Page; frame: Frame }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const devtools of devtoolsWindows(browser)) {
        const frame = (await showSocketScopePanel(devtools)) ? panelFrame(browser, devtools) : undefined;
        if (!frame) continue;
        const inspected = await frame.evaluate(() => (globalThis as unknown as { chrome: { devtools: { inspectedWindow: { tabId: number } } } }).chrome.devtools.inspectedWindow.tabId).catch(() => -1);
        if (inspected === tabId) return { devtools, frame };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`no DevTools window shows the SocketScope panel for tab ${tabId}; pages: ${browser.context.pages().map((p) => p.url()).join(', ')}`);
  }

  it('shows the rows and the diagnosis in the DevTools panel, following the DevTools theme', async () => {
    const { tabId } = await pageWithDrops(browser, false);
    const { devtools, frame } = await panelFrameFor(tabId);
    // Docked to the side, DevTools gets what the page leaves it (the panel then stacks its diagnosis below, see
    // devtools-narrow.png); undock it into its own roomy window for the main screenshot.
    await devtools.screenshot({ path: join(SCREENSHOTS, 'devtools-narrow.png') });
    await devtools
      .evaluate(`(async () => {
        const UI = await import('./ui/legacy/legacy.js');
        UI.DockController.DockController.instance().setDockSide('undocked');
      })()`)
      .catch(() => undefined);
    await devtools.setViewportSize({ width: 1400, height: 850 }).catch(() => undefined);
    const rows = frame.locator('tr[data-connection-id]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    await expect.poll(() => frame.getByRole('complementary', { name: 'Diagnosis' }).textContent(), { timeout: 15_000 }).toMatch(/Connections die after 3(\.\d)? s of silence/);
    // The theme comes from devtools.panels.themeName ('default' → light).
    const theme = await frame.evaluate(() => document.documentElement.dataset.theme);
    expect(['light', 'dark']).toContain(theme);
    await rows.filter({ has: frame.locator('td.url', { hasText: '/burst' }) }).first().click();
    await frame.getByRole('listbox', { name: 'Messages' }).getByRole('option').first().click();
    await expect.poll(() => frame.getByLabel('Message detail').textContent()).toContain('subscribe');
    await devtools.screenshot({ path: join(SCREENSHOTS, 'devtools-window.png') });
  });
});
