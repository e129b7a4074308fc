// "One of two tabs keeps dropping": two tabs of one app in one window, the
// page sending a heartbeat every 300 ms, the server closing when it heard
// nothing for 900 ms. Playwright keeps its pages visible and turns timer
// throttling off, so Chromium is driven over a bare DevTools-protocol
// connection (bench/lib/raw.mjs): Target.activateTarget on the second tab
// really hides the first, whose timers then fire once a second. The hidden
// tab's session must get `tab-throttled` first, the visible tab's no finding;
// for both close variants (an application code from the server, a TCP drop).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchRaw, openReaders, type RawBrowser } from '../../bench/lib/raw.mjs';
import { analyzeSession } from '../../src/core/analysis';
import type { Session } from '../../src/core/model';
import { decodeStoredTabs } from '../../src/core/stored';
import { CHROME_EXTENSION_DIR, CHROMIUM_PATH, requireFile } from './support/chromium';
import { startServer, type TestServer } from './support/servers';

const VISIBLE_FOR_MS = 2500;
const HIDDEN_FOR_MS = 12_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer;
let browser: RawBrowser;

beforeAll(async () => {
  requireFile(CHROMIUM_PATH, "install Debian's Chromium with `apt-get install chromium` (bash .ci/run does it), or set CHROMIUM_PATH.");
  requireFile(`${CHROME_EXTENSION_DIR}/manifest.json`, 'build the extension first with `npm run build`.');
  server = await startServer();
  browser = await launchRaw({ extensionDir: CHROME_EXTENSION_DIR });
  // A reader first (a panel for no tab, behind the apps' tabs) and "Every tab live": every document hands its batches
  // over as they come (docs/decisions.md, 73 and 74), so the worker's storage shows the tabs while they run.
  await openReaders([browser]);
});

afterAll(async () => {
  await browser?.quit();
  await server?.close();
});

async function storedSessions(): Promise<Session[]> {
  const stored = (await browser.evaluateInServiceWorker('chrome.storage.session.get(null)')) as Record<string, unknown>;
  return [...decodeStoredTabs(stored).tabs.values()].map((tab) => tab.session);
}

function appUrl(tab: string, mode: 'code' | 'drop'): string {
  return `${server.origin}/heartbeat-app.html?tab=${tab}&path=${encodeURIComponent(`/watchdog?timeout=900&mode=${mode}`)}`;
}

describe('a throttled background tab', () => {
  it('is named as the cause in the hidden tab only, whoever closed', async () => {
    // Each new tab comes to the front of the window and hides the one before: each app runs visibly for a while first.
    await browser.open(appUrl('hidden-code', 'code'));
    await sleep(VISIBLE_FOR_MS);
    await browser.open(appUrl('hidden-drop', 'drop'));
    await sleep(VISIBLE_FOR_MS);
    const visible = await browser.open(appUrl('visible', 'code'));
    await browser.activate(visible);
    await sleep(HIDDEN_FOR_MS);

    const sessions = await storedSessions();
    const byTab = (tab: string): Session => {
      const found = sessions.find((session) => session.pageUrl?.includes(`tab=${tab}`));
      if (!found) throw new Error(`no session for tab ${tab}; sessions: ${sessions.map((s) => s.pageUrl).join(', ')}`);
      return found;
    };
    for (const tab of ['hidden-code', 'hidden-drop']) {
      const session = byTab(tab);
      expect(session.pageEvents.map((event) => event.type)).toContain('hidden');
      // The hook's probe saw the hidden tab's timers aligned to whole seconds (basic throttling).
      expect(session.pageEvents.some((event) => event.type === 'timer-throttled' && event.detail === 'basic')).toBe(true);
      expect(session.connections.length, `${tab} reconnected while hidden`).toBeGreaterThan(3);
      const { findings } = analyzeSession(session);
      expect(findings[0]?.kind, `${tab}: ${JSON.stringify(findings.map((f) => f.title))}`).toBe('tab-throttled');
      expect(findings[0].detail).toMatch(/when visible/);
      const codes = new Set(session.connections.map((c) => c.close?.code).filter((code) => code !== undefined));
      expect([...codes]).toEqual([tab === 'hidden-code' ? 4008 : 1006]);
    }
    const visibleSession = byTab('visible');
    expect(visibleSession.connections).toHaveLength(1);
    expect(visibleSession.connections[0].close).toBeUndefined();
    expect(analyzeSession(visibleSession).findings).toEqual([]);
  });
});
