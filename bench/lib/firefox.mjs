// Debian's Firefox ESR for the benches (bench/firefox.mjs, bench/firefox-startup.mjs), launched as the end-to-end
// tests launch it (test/e2e/support/firefox.ts), and the floor extension in a form Firefox installs.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { FIREFOX_PATH, QUIET_PREFS } from '../../scripts/lib/firefox.mjs';
import { sleep } from './stats.mjs';

export { FIREFOX_PATH };

/** Fails with how to install Firefox when it is missing. */
export function requireFirefox() {
  if (!existsSync(FIREFOX_PATH)) throw new Error(`${FIREFOX_PATH} is missing: install Debian's Firefox ESR with \`apt-get install firefox-esr\`, or set FIREFOX_PATH.`);
}

/** Firefox ESR with the extension in `extensionDir` (an absolute path: Firefox installs from no other), or none; `prefs` are added to the quiet ones. */
export async function launchFirefox(extensionDir, prefs = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: { ...QUIET_PREFS, ...prefs },
  });
  try {
    if (extensionDir) await browser.installExtension(extensionDir);
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
  const pid = browser.process()?.pid;
  if (!pid) {
    await browser.close().catch(() => undefined);
    throw new Error('Firefox started without a process id to read its CPU from');
  }
  return { browser, pid };
}

/**
 * The manifest of `bench/floor/` (written for Chromium: a service worker) as Firefox installs it: the same content
 * scripts and permissions, its worker as an event page's script (Firefox has no extension service worker, and
 * SocketScope's own Firefox build does the same), and an add-on id, which Firefox's MV3 storage needs. Pure.
 */
export function firefoxManifestOf(manifest) {
  const { background, ...rest } = manifest;
  if (!background?.service_worker) throw new Error('the floor manifest has no background.service_worker to carry over');
  return {
    ...rest,
    background: { scripts: [background.service_worker] },
    browser_specific_settings: { gecko: { id: 'socketscope-floor@socketscope.dev', data_collection_permissions: { required: ['none'] } } },
  };
}

/** A copy of `floorDir` for Firefox, in a new directory under the system's temporary one; its absolute path. */
export function firefoxFloor(floorDir) {
  const dir = mkdtempSync(join(tmpdir(), 'socketscope-floor-firefox-'));
  for (const name of readdirSync(floorDir)) if (name.endsWith('.js')) copyFileSync(join(floorDir, name), join(dir, name));
  const manifest = JSON.parse(readFileSync(join(floorDir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(firefoxManifestOf(manifest), null, 1));
  return dir;
}

/**
 * The first page of `browser` not in `before` whose address `accept` takes (any, by default), looked for every 100 ms
 * for 10 s; undefined when none came.
 */
export async function pageOpened(browser, before, accept = () => true) {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const candidate of await browser.pages()) {
      if (before.has(candidate)) continue;
      const href = await candidate.evaluate(() => location.href).catch(() => '');
      if (accept(href)) return candidate;
    }
    await sleep(100);
  }
  return undefined;
}

/**
 * Sends `page` to a page of the bench's site that asks the extension to open its panel on that tab (automation only:
 * AUTOMATION_OPEN_PANEL), and returns the panel's page. `origin` is the bench server's.
 */
export async function openPanelOn(browser, page, origin) {
  const before = new Set(await browser.pages());
  await page.goto(`${origin}/empty.html?check#socketscope-open-panel`, { waitUntil: 'domcontentloaded' });
  const panel = await pageOpened(browser, before, (href) => href.startsWith('moz-extension://') && href.includes('/src/panel/index.html?tabId='));
  if (!panel) throw new Error('the extension did not open its panel for the checked tab');
  await panel.bringToFront();
  return panel;
}
