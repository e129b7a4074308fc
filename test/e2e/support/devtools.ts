// Chromium's real DevTools window, driven through its front end: launched with
// --auto-open-devtools-for-tabs, each DevTools window is a CDP target of type
// "other" that Playwright treats as a page (PW_CHROMIUM_ATTACH_TO_OTHER). The
// front end is ES modules, reached by dynamic imports evaluated as strings (so
// the test bundler leaves them alone).
import type { Frame, Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from './chromium';

const ATTACH_TO_OTHER = 'PW_CHROMIUM_ATTACH_TO_OTHER';
const POLL_MS = 200;
const ATTEMPTS = 50;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Chromium with the extension and a DevTools window opened for every tab; close() also restores Playwright's default. */
export async function launchWithDevtools(): Promise<ExtensionBrowser> {
  process.env[ATTACH_TO_OTHER] = '1';
  // No reader page: the DevTools panel is the reader, once selected.
  const browser = await launchWithExtension({ extraArgs: ['--auto-open-devtools-for-tabs'], reader: false });
  return {
    ...browser,
    async close() {
      delete process.env[ATTACH_TO_OTHER];
      await browser.close();
    },
  };
}

export function devtoolsWindows(browser: ExtensionBrowser): Page[] {
  return browser.context.pages().filter((page) => page.url().startsWith('devtools://devtools/'));
}

/** The URL a DevTools window inspects (asked to its front end's target manager), '' when it cannot say. */
export async function inspectedUrl(devtools: Page): Promise<string> {
  const url = await devtools
    .evaluate(`(async () => {
      const SDK = await import('./core/sdk/sdk.js');
      return SDK.TargetManager.TargetManager.instance().primaryPageTarget()?.inspectedURL() ?? '';
    })()`)
    .catch(() => '');
  return String(url);
}

/** The DevTools window whose inspected URL passes `matches`. */
export async function devtoolsFor(browser: ExtensionBrowser, matches: (url: string) => boolean): Promise<Page> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    for (const devtools of devtoolsWindows(browser)) if (matches(await inspectedUrl(devtools))) return devtools;
    await sleep(POLL_MS);
  }
  throw new Error(`no DevTools window inspects the page; windows: ${devtoolsWindows(browser).map((p) => p.url()).join(', ')}`);
}

/** Selects the SocketScope panel as a click on its tab does; false while DevTools has not loaded the extension's DevTools page yet. */
export async function showSocketScopePanel(devtools: Page): Promise<boolean> {
  const shown = await devtools
    .evaluate(`(async () => {
      const UI = await import('./ui/legacy/legacy.js');
      const tab = UI.InspectorView.InspectorView.instance().tabbedPane.tabs.find((t) => t.title === 'SocketScope');
      if (!tab) return false;
      await UI.ViewManager.ViewManager.instance().showView(tab.id);
      return true;
    })()`)
    .catch(() => false);
  return shown === true;
}

/** The panel's frame inside a DevTools window, once it exists. */
export function panelFrame(browser: ExtensionBrowser, devtools: Page): Frame | undefined {
  return devtools.frames().find((frame) => frame.url().startsWith(`chrome-extension://${browser.extensionId}/src/panel/index.html`));
}

/** Shows the panel in `devtools` (retrying until its tab exists) and returns its frame. */
export async function openSocketScopePanel(browser: ExtensionBrowser, devtools: Page): Promise<Frame> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const frame = (await showSocketScopePanel(devtools)) ? panelFrame(browser, devtools) : undefined;
    if (frame) return frame;
    await sleep(POLL_MS);
  }
  throw new Error('the SocketScope panel did not appear in the DevTools window');
}
