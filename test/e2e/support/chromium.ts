// Debian's Chromium with the built extension, driven by playwright-core.
// No browser is ever downloaded: a missing /usr/bin/chromium is a failure
// that says how to install it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import type { Session } from '../../../src/core/model';
import { decodeStoredTabs } from '../../../src/core/stored';
import { HELLO_AT_ONCE_KEY } from '../../../src/protocol/messages';
import { CHROMIUM_PATH, QUIET_FLAGS as SHARED_QUIET_FLAGS } from '../../../scripts/lib/chromium.mjs';

export { CHROMIUM_PATH };

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHROME_EXTENSION_DIR = join(ROOT, 'dist', 'chrome');

export function requireFile(path: string, howToGetIt: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${howToGetIt}`);
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  serviceWorker(): Promise<Worker>;
  close(): Promise<void>;
}

/** Quiet and offline (scripts/lib/chromium.mjs); the tests run as root, hence no sandbox. */
export const QUIET_FLAGS = ['--no-sandbox', ...SHARED_QUIET_FLAGS];

/**
 * `reader` (default true, with the extension): a panel page is open for the whole test with "Every tab live" ticked,
 * as a user reading what the extension captures in every tab, so every document hands its batches over as they come
 * (docs/decisions.md, 73 and 74). Tests of what happens while nothing reads (wake, hold) pass false, as do the
 * DevTools tests, whose DevTools panel reads its tab.
 */
export async function launchWithExtension(options: { withExtension?: boolean; extraArgs?: string[]; headless?: boolean; reader?: boolean } = {}): Promise<ExtensionBrowser> {
  const withExtension = options.withExtension ?? true;
  requireFile(CHROMIUM_PATH, 'install Debian\'s Chromium with `apt-get install chromium` (bash .ci/run does it), or set CHROMIUM_PATH.');
  if (withExtension) requireFile(join(CHROME_EXTENSION_DIR, 'manifest.json'), 'build the extension first with `npm run build`.');
  const userDataDir = mkdtempSync(join(tmpdir(), 'socketscope-chromium-'));
  const args = [...QUIET_FLAGS, ...(options.extraArgs ?? [])];
  if (withExtension) args.push(`--disable-extensions-except=${CHROME_EXTENSION_DIR}`, `--load-extension=${CHROME_EXTENSION_DIR}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? true,
    args,
    acceptDownloads: true,
  });
  let extensionId = '';
  const serviceWorker = async (): Promise<Worker> => {
    const existing = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    return existing ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  };
  if (withExtension) extensionId = new URL((await serviceWorker()).url()).host;
  if (withExtension && (options.reader ?? true)) await openReader(context, extensionId, serviceWorker);
  return {
    context,
    extensionId,
    serviceWorker,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A panel page for no tab (an id no tab has), its "Every tab live" ticked (under the toolbar's gear), as a user would: every tab's documents hand
 * their batches over as they come (docs/decisions.md, 74), and its Port keeps the hello hint set (decision 71). Waits
 * until the background has taken the setting (it writes it back to storage.local).
 */
async function openReader(context: BrowserContext, extensionId: string, serviceWorker: () => Promise<Worker>): Promise<void> {
  const reader = await context.newPage();
  await reader.goto(`chrome-extension://${extensionId}/src/panel/index.html?tabId=${READER_TAB_ID}`);
  await reader.getByRole('button', { name: 'Capture settings' }).click();
  await reader.getByLabel('Every tab live').check();
  const deadline = Date.now() + 10_000;
  const worker = await serviceWorker();
  while (Date.now() < deadline) {
    const items = (await worker.evaluate((key) => chrome.storage.local.get(['settings', key]), HELLO_AT_ONCE_KEY)) as Record<string, { everyTabLive?: boolean } | boolean | undefined>;
    if (items[HELLO_AT_ONCE_KEY] === true && (items.settings as { everyTabLive?: boolean } | undefined)?.everyTabLive === true) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the reader panel\'s "Every tab live" did not reach the background (storage.local settings and helloAtOnce)');
}

/** Turns the "Every tab live" setting on or off through storage.local, as the panel's checkbox does (the background takes the change). */
export async function setEveryTabLive(browser: ExtensionBrowser, on: boolean): Promise<void> {
  const worker = await browser.serviceWorker();
  await worker.evaluate(async (value) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...(settings as object | undefined), everyTabLive: value } });
  }, on);
}
/** The tab id the reader panel watches: none. */
export const READER_TAB_ID = 2_000_000_000;

/** The keys the background has in storage.session. */
export async function storedKeys(browser: ExtensionBrowser): Promise<string[]> {
  const worker = await browser.serviceWorker();
  return Object.keys((await worker.evaluate(() => chrome.storage.session.get(null))) as Record<string, unknown>);
}

/** The sessions the background has persisted (storage.session), keyed by tab id. */
export async function storedSessions(browser: ExtensionBrowser): Promise<Map<number, Session>> {
  const worker = await browser.serviceWorker();
  const stored = (await worker.evaluate(() => chrome.storage.session.get(null))) as Record<string, unknown>;
  const sessions = new Map<number, Session>();
  // Each tab's entry and its chunks of messages (src/core/stored.ts).
  for (const [tabId, tab] of decodeStoredTabs(stored).tabs) sessions.set(tabId, tab.session);
  return sessions;
}

/** Polls the background until a tab's session satisfies `ready`; returns it with its tab id. */
export async function waitForSession(
  browser: ExtensionBrowser,
  ready: (session: Session) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<{ tabId: number; session: Session }> {
  const deadline = Date.now() + timeoutMs;
  let last: Session[] = [];
  while (Date.now() < deadline) {
    const sessions = await storedSessions(browser);
    last = [...sessions.values()];
    for (const [tabId, session] of sessions) if (ready(session)) return { tabId, session };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; sessions: ${JSON.stringify(last.map((s) => ({ pageUrl: s.pageUrl, pageEvents: s.pageEvents.map((e) => e.type), connections: s.connections.map((c) => ({ url: c.url, messages: c.messages.length, close: c.close })) })))}`);
}

export async function openPanel(browser: ExtensionBrowser, tabId: number): Promise<Page> {
  const panel = await browser.context.newPage();
  panel.setDefaultTimeout(10_000);
  await panel.goto(`chrome-extension://${browser.extensionId}/src/panel/index.html?tabId=${tabId}`);
  return panel;
}

declare const chrome: { storage: { session: { get(keys: null): Promise<Record<string, unknown>> }; local: { get(keys: string | string[]): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> } } };
