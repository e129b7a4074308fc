// Debian's Firefox ESR with the built extension, driven by puppeteer-core over
// WebDriver BiDi (no geckodriver). BiDi cannot navigate to moz-extension://
// URLs, so the panel is opened by the extension itself (see
// AUTOMATION_OPEN_PANEL in src/background/index.ts) and found as a new page.
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { HarLog } from '../../../src/core/har';
import { ROOT, requireFile } from './chromium';

export const FIREFOX_EXTENSION_DIR = join(ROOT, 'dist', 'firefox');
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchFirefox(options: { withExtension?: boolean } = {}): Promise<Browser> {
  requireFile(FIREFOX_PATH, 'install Debian\'s Firefox ESR with `apt-get install firefox-esr` (bash .ci/run does it), or set FIREFOX_PATH.');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: {
      // Quiet and offline: this machine has no internet.
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'extensions.update.enabled': false,
    },
  });
  if (options.withExtension ?? true) {
    requireFile(join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'build the extension first with `npm run build`.');
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  }
  return browser;
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

/** Clicks the panel's Export button and returns the HAR it would download. */
export async function exportFromPanel(panel: Page): Promise<HarLog> {
  await panel.evaluate(() => {
    const captured = window as unknown as { exported?: Promise<string> };
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      if (blob instanceof Blob) captured.exported = blob.text();
      return original(blob);
    };
  });
  await panel.locator('button ::-p-text(Export)').click();
  const text = await panel.evaluate(() => (window as unknown as { exported?: Promise<string> }).exported);
  if (!text) throw new Error('Export produced no file');
  return JSON.parse(text) as HarLog;
}
