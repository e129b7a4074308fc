// The panel at the sizes Firefox's DevTools docks it (issue "Right in real
// DevTools"): 500 px wide docked right, 1400×220 docked at the bottom, light
// and dark. Behind a real nginx whose 3 s proxy_read_timeout cuts idle
// sockets, so rows carry 1006 closes and the diagnosis has a headline. The
// panel is reached as a tab (WebDriver BiDi cannot open Firefox's DevTools
// panels), at the same sizes. Before the panel is opened, the page is reloaded
// in the same task that opened a socket: Firefox fails that socket (1006) as the
// navigation starts, after the server's 101, which must read as ended by the
// navigation, not as a refused handshake (docs/decisions.md 53).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { closeFirefox, exportFromPanel, launchFirefox, openPanelFor, panelState, setViewportSize, waitInPage } from './support/firefox';
import { ROOT } from './support/chromium';
import { fromHar } from '../../src/core/har';
import { analyzeSession } from '../../src/core/analysis';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
/** The query of the socket opened just before a reload. */
const PENDING_AT_RELOAD = 'pending-at-reload';
/** How long the panel may take to lay itself out and show the finding (a busy machine is slow: 5 s failed in a CI run beside builds). */
const PANEL_WAIT_MS = 15_000;
const SIZES = [
  { name: 'docked-right', width: 500, height: 900 },
  { name: 'docked-bottom', width: 1400, height: 220 },
] as const;

let server: TestServer;
let nginx: NginxProxy;
let browser: Browser;
let panel: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer();
  nginx = await startNginx(server.port, { readTimeoutMs: 3000 });
  browser = await launchFirefox();
  const page = await browser.newPage();
  await page.goto(`${nginx.origin}/multi-reconnect.html`);
  // A socket still connecting when the page reloads (opened and reloaded in one task: it cannot open first).
  const reloaded = page.waitForNavigation();
  await page.evaluate((url) => {
    new WebSocket(url);
    location.reload();
  }, `${nginx.origin.replace('http', 'ws')}/echo?${PENDING_AT_RELOAD}`).catch(() => undefined); // the reload may end the evaluation
  await reloaded;
  panel = await openPanelFor(browser, page);
  // Three idle drops behind nginx, seen in the panel.
  await waitInPage(panel, () => [...document.querySelectorAll('tr[data-connection-id] .close-code')].filter((e) => e.textContent === '1006').length >= 3, { timeout: 40_000 });
}, 90_000);

afterAll(async () => {
  await closeFirefox(browser);
  await nginx?.close();
  await server?.close();
});

/** What the user can read at this size: the first 1006 code whole and in view, the headline whole and in view, the toolbar's actions inline or behind ⋯. */
function readable(): { code: string; headline: string; overflowMenu: boolean; toolbarFits: boolean; theme: string | undefined } {
  const whole = (element: Element | null): string => {
    if (!element) return 'missing';
    const box = element.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(element);
    const text = range.getBoundingClientRect();
    if (box.width === 0 || box.left < 0 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5) return `out of view ${JSON.stringify(box)}`;
    if (text.width > box.width + 0.5) return `cut (${text.width} > ${box.width})`;
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX === 'visible' && style.overflow === 'visible') continue;
      const outer = parent.getBoundingClientRect();
      if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) return `clipped by ${parent.className || parent.tagName}`;
    }
    return 'ok';
  };
  const code = [...document.querySelectorAll('tr[data-connection-id] .close-code')].find((e) => e.textContent === '1006') ?? null;
  const toolbar = document.querySelector('[role=toolbar]');
  const more = toolbar?.querySelector('button[aria-label="More actions"]');
  const buttons = [...(toolbar?.querySelectorAll('button') ?? [])].filter((b) => (b as HTMLElement).offsetParent !== null);
  const toolbarFits = buttons.every((b) => b.getBoundingClientRect().right <= innerWidth + 0.5);
  return {
    code: whole(code),
    headline: whole(document.querySelector('[data-testid=diagnosis-headline]')),
    overflowMenu: !!more && (more as HTMLElement).offsetParent !== null,
    toolbarFits,
    theme: document.documentElement.dataset.theme,
  };
}

/**
 * Reads until the layout after a resize has settled, or the last reading after PANEL_WAIT_MS: the toolbar moves its
 * actions behind ⋯ from a ResizeObserver and a render, a frame or two after the window's new size (a CI run read
 * the toolbar between the two, with buttons still inline beyond the right edge).
 */
async function readWhenSettled(wantMenu: boolean): Promise<ReturnType<typeof readable>> {
  const deadline = Date.now() + PANEL_WAIT_MS;
  for (;;) {
    const seen = await panel.evaluate(readable);
    if (seen.code === 'ok' && seen.headline === 'ok' && seen.toolbarFits && (seen.overflowMenu || !wantMenu)) return seen;
    if (Date.now() >= deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the panel at Firefox docked sizes', () => {
  for (const size of SIZES) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${size.name} ${size.width}×${size.height} ${theme}: close code, headline and toolbar in view`, async () => {
        // WebDriver BiDi cannot emulate prefers-color-scheme: apply the theme the way src/panel/theme.ts does (the CSS reads data-theme).
        await panel.evaluate((wanted) => (document.documentElement.dataset.theme = wanted), theme);
        await setViewportSize(panel, size.width, size.height);
        if (size.height < 450) {
          // Compact layout: one pane at a time; show the connections.
          try {
            await waitInPage(panel, () => !!document.querySelector('[role=tablist][aria-label=Panes]'), { timeout: PANEL_WAIT_MS });
          } catch (error) {
            throw new Error(`no compact layout within ${PANEL_WAIT_MS / 1000} s; the panel: ${JSON.stringify(await panelState(panel))}`, { cause: error });
          }
          await panel.evaluate(() => ([...document.querySelectorAll('[role=tab]')].find((t) => t.textContent?.startsWith('Connections')) as HTMLElement | undefined)?.click());
        }
        // The nginx idle timeout among the findings (a layout test: whichever finding heads the list, its headline must be readable).
        try {
          await waitInPage(panel, 
            () => /Connections die after 3(\.\d)? s of silence/.test(document.body.textContent ?? '') && !!document.querySelector('[data-testid=diagnosis-headline]')?.textContent,
            { timeout: PANEL_WAIT_MS },
          );
        } catch (error) {
          const shown = await panel.evaluate(() => ({ headline: document.querySelector('[data-testid=diagnosis-headline]')?.textContent, diagnosis: document.querySelector('[data-testid=diagnosis], .diagnosis')?.textContent?.slice(0, 1500) }));
          throw new Error(`no idle-timeout finding within ${PANEL_WAIT_MS / 1000} s; the panel showed ${JSON.stringify(shown)}`, { cause: error });
        }
        const seen = await readWhenSettled(size.width <= 500);
        expect(seen.code, 'the 1006 close code').toBe('ok');
        expect(seen.headline, 'the diagnosis headline').toBe('ok');
        expect(seen.toolbarFits, 'no toolbar button off-screen').toBe(true);
        if (size.width <= 500) expect(seen.overflowMenu, 'the ⋯ menu holds what did not fit').toBe(true);
        await panel.screenshot({ path: join(SCREENSHOTS, `firefox-dock-${size.name}-${size.width}x${size.height}-${theme}.png`) });
      });
    }
  }

  it('reads the socket still connecting at the reload as ended by the navigation, not a refused handshake', async () => {
    // Its own size: not the last docked test's compact layout (whichever pane it left shown), where Export may be out of view.
    await setViewportSize(panel, 1400, 900);
    expect(await panel.evaluate(() => document.body.textContent?.includes('the browser refused the answer')), 'no refused handshake in the panel').toBe(false);
    const { session } = fromHar(await exportFromPanel(panel));
    const pending = session.connections.find((c) => c.url.endsWith(`?${PENDING_AT_RELOAD}`));
    expect(pending, 'the socket opened just before the reload').toBeDefined();
    expect(pending?.openedAt, 'it never opened').toBeUndefined();
    expect(pending?.close, JSON.stringify(pending?.close)).toMatchObject({ initiator: 'navigation' });
    // Nothing refuses a handshake here: no connection of the session (the reloads' included) reads as one.
    const findings = analyzeSession(session).findings;
    expect(findings.filter((f) => f.kind === 'handshake-failed').map((f) => f.title)).toEqual([]);
    expect(findings.map((f) => f.kind)).toContain('idle-timeout');
  });
});
