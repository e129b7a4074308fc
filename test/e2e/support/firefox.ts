// Debian's Firefox ESR with the built extension, driven by puppeteer-core over
// WebDriver BiDi (no geckodriver). BiDi cannot navigate to moz-extension://
// URLs, so the panel is opened by the extension itself (see
// AUTOMATION_OPEN_PANEL in src/background/index.ts) and found as a new page.
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { HarLog } from '../../../src/core/har';
import { FIREFOX_PATH, QUIET_PREFS } from '../../../scripts/lib/firefox.mjs';
import { ROOT, requireFile } from './chromium';

export { FIREFOX_PATH };
export const FIREFOX_EXTENSION_DIR = join(ROOT, 'dist', 'firefox');

export async function launchFirefox(options: { withExtension?: boolean } = {}): Promise<Browser> {
  requireFile(FIREFOX_PATH, 'install Debian\'s Firefox ESR with `apt-get install firefox-esr` (bash .ci/run does it), or set FIREFOX_PATH.');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: QUIET_PREFS, // quiet and offline: this machine has no internet
  });
  if (options.withExtension ?? true) {
    requireFile(join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'build the extension first with `npm run build`.');
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  }
  return browser;
}

/**
 * Closes Firefox, and kills it when it has not quit within 10 s. Firefox ESR 140 answers WebDriver BiDi's
 * `browser.close` but does not exit once the panel has downloaded a file (an Export; the file is complete, and
 * closing the panel's tab first does not help), so puppeteer's close waits for ever for the process.
 */
export async function closeFirefox(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const child = browser.process();
  const closed = browser.close().then(() => true);
  const quit = await Promise.race([closed, new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000))]);
  if (quit) return;
  child?.kill('SIGKILL');
  await closed;
}

/** Reloads `page` with the automation hash and returns the panel tab the extension opens for it. */
export async function openPanelFor(browser: Browser, page: Page): Promise<Page> {
  const before = new Set(await browser.pages());
  // A hash change alone is not a new document: set it, then reload so the relay says hello with it.
  await page.goto(`${page.url().replace(/#.*$/, '')}#socketscope-open-panel`);
  await page.reload();
  // BiDi reports the extension's tab with a stale about:blank URL, so ask each new page where it is.
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const candidate of await browser.pages()) {
      if (before.has(candidate)) continue;
      const href = await candidate.evaluate(() => location.href).catch(() => '');
      if (href.startsWith('moz-extension://') && href.includes('/src/panel/index.html?tabId=')) return await inFront(candidate);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the extension did not open its panel tab (is navigator.webdriver true, and the hash #socketscope-open-panel on the top document?)');
}

/**
 * Selects the panel's tab, as a user looks at a DevTools panel. The tab the extension opens is not always the one
 * shown (3 runs in 8 of the Firefox dock test on 2026-12-03: its document was `hidden`). A hidden document runs no
 * animation frames, and puppeteer's waits and locators poll on them: the dock test's wait for the compact layout
 * timed out at 15 s with the layout already applied, and Export was never clicked.
 */
async function inFront(panel: Page): Promise<Page> {
  await panel.bringToFront();
  const state = await panel.evaluate(() => document.visibilityState);
  if (state !== 'visible') throw new Error(`the panel's tab is ${state} after being brought to the front`);
  return panel;
}

/**
 * Sets the page's viewport, as `page.setViewport` does. Puppeteer also sends BiDi's
 * `emulation.setScreenOrientationOverride`, which Firefox ESR 140 does not know (`unknown command`); the viewport
 * itself is applied, so that one refusal is ignored and the size the page then has is checked instead.
 */
export async function setViewportSize(page: Page, width: number, height: number): Promise<void> {
  try {
    await page.setViewport({ width, height });
  } catch (error) {
    if (!/unknown command emulation\.setScreenOrientationOverride/.test(String(error))) throw error;
  }
  const wanted = `${width}×${height}`;
  await waitInPage(page, (size) => `${innerWidth}×${innerHeight}` === size, { timeout: 5_000, arg: wanted }).catch(async (error: unknown) => {
    throw new Error(`the page is ${await page.evaluate(() => `${innerWidth}×${innerHeight}`)}, not ${wanted}, 5 s after setViewport`, { cause: error });
  });
}

/** What the panel shows and at what size, for a test's failure message. */
export function panelState(panel: Page): Promise<Record<string, unknown>> {
  return panel.evaluate(() => ({
    visibility: document.visibilityState,
    viewport: `${innerWidth}×${innerHeight}`,
    app: document.querySelector('.app')?.className,
    appHeight: (document.querySelector('.app') as HTMLElement | null)?.clientHeight,
    text: document.body.textContent?.slice(0, 300),
  }));
}

/**
 * Waits until `predicate` returns a truthy value in `page`, asking it again every `polling` ms with `evaluate`.
 * Puppeteer's own waits (`waitForFunction`, `waitForSelector`) and locators build their poller with `Function()`
 * inside the page, which an extension page's CSP refuses on Firefox ESR 140 (`EvalError: call to Function() blocked
 * by CSP`); `evaluate` sends the function as a script, which the CSP allows. Used for every wait in the panel.
 */
export async function waitInPage<T, A = undefined>(page: Page, predicate: (arg: A) => T, options: { timeout: number; polling?: number; arg?: A }): Promise<T> {
  const deadline = Date.now() + options.timeout;
  for (;;) {
    const value = (await page.evaluate(predicate as (arg: unknown) => unknown, options.arg)) as T;
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`waitInPage: still false after ${options.timeout} ms: ${predicate.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, options.polling ?? 100));
  }
}

/** Clicks the first enabled button whose text is `label`, from inside the page (see waitInPage for why not a locator). */
export async function clickButton(page: Page, label: string, timeout = 10_000): Promise<void> {
  const click = (wanted: string) => {
    const button = [...document.querySelectorAll('button')].find((b) => !b.disabled && (b.textContent ?? '').trim() === wanted);
    button?.click();
    return !!button;
  };
  await waitInPage(page, click, { timeout, arg: label }).catch((error: unknown) => {
    throw new Error(`no enabled button "${label}" within ${timeout} ms`, { cause: error });
  });
}

/** Chooses `value` in the `<select>` matched by `selector` and tells the page, as a user's choice does. */
export async function selectInPage(page: Page, selector: string, value: string): Promise<void> {
  const done = await page.evaluate((css, wanted) => {
    const select = document.querySelector<HTMLSelectElement>(css);
    if (!select || select.disabled || ![...select.options].some((o) => o.value === wanted)) return false;
    select.value = wanted;
    select.dispatchEvent(new Event('input', { bubbles: true }));
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  }, selector, value);
  if (!done) throw new Error(`no enabled ${selector} with the option ${value}`);
}

/**
 * Clicks the panel's Export button and returns the HAR it would download. First waits for the panel to list a
 * connection: a panel just opened gets the tab's session from the background a moment later, and an Export before
 * that downloads an empty session (seen once in a fresh-clone CI run of sse.firefox, 2026-12-04).
 */
export async function exportFromPanel(panel: Page): Promise<HarLog> {
  await waitInPage(panel, () => document.querySelectorAll('tr[data-connection-id]').length > 0, { timeout: 10_000 });
  await panel.evaluate(() => {
    const captured = window as unknown as { exported?: Promise<string> };
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      if (blob instanceof Blob) captured.exported = blob.text();
      return original(blob);
    };
  });
  await clickButton(panel, 'Export');
  const text = await panel.evaluate(() => (window as unknown as { exported?: Promise<string> }).exported);
  if (!text) throw new Error('Export produced no file');
  return JSON.parse(text) as HarLog;
}
