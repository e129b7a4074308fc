// While a panel is open, a new top document says hello at document_start, sockets or not, so the panel shows the
// navigation as it happens; and a page loaded before any panel opened says hello when one opens (docs/decisions.md,
// 71: the relay reads and watches the background's `helloAtOnce` key in storage.local, a task after its start, 85).
// Checked here in Firefox ESR, whose content scripts build their `storage` API apart from Chromium's; the Chromium
// side, and the hint's end with the last panel, in wake.chromium.test.ts.
import { describe, expect, it } from 'vitest';
import { fromHar } from '../../src/core/har';
import { exportFromPanel, openPanelFor, waitInPage } from './support/firefox';
import { useServerAndFirefox } from './support/setup';

const env = useServerAndFirefox();

describe('hello at once, decision 71 (Firefox ESR)', () => {
  it('makes a page without sockets say hello at once while a panel is open: its navigation is in the tab\'s session', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.origin}/ticker.html?hello`);
    await page.waitForFunction(() => (window as unknown as { ticks: { received: number } }).ticks.received >= 2, { timeout: 10_000 });
    const panel = await openPanelFor(env.browser, page);
    const socketless = `${env.server.origin}/blank.html?said-hello`;
    // The panel's Port has the background set the key (a document loaded before that says hello when it sees the change):
    // once the panel lists the tab's connections its Port is open, and the write is a moment later.
    await waitInPage(panel, () => document.querySelectorAll('tr[data-connection-id]').length > 0, { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.goto(socketless);
    const timeOrigin = await page.evaluate(() => performance.timeOrigin);
    let navigations: { time: number; detail?: string }[] = [];
    for (let attempt = 0; attempt < 20 && !navigations.some((e) => e.detail === socketless); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      navigations = fromHar(await exportFromPanel(panel)).session.pageEvents.filter((e) => e.type === 'navigation');
    }
    const said = navigations.find((e) => e.detail === socketless);
    expect(said, `the navigations seen: ${JSON.stringify(navigations.map((e) => e.detail))}`).toBeDefined();
    // At document_start, not with a first batch (this page has none): the hello's time, within a second of its start.
    expect(Math.abs(said!.time - timeOrigin)).toBeLessThan(1000);
    await panel.close();
    await page.close();
  }, 60_000);

  it('makes a page without sockets loaded before any panel say hello when a panel opens on another tab', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.origin}/ticker.html?before`);
    await page.waitForFunction(() => (window as unknown as { ticks: { received: number } }).ticks.received >= 2, { timeout: 10_000 });
    const before = `${env.server.origin}/blank.html?before-any-panel`;
    await page.goto(before);
    // No panel anywhere (the first test closed its own): this document keeps silent.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const other = await env.browser.newPage();
    await other.goto(`${env.server.origin}/ticker.html?other`);
    const otherPanel = await openPanelFor(env.browser, other);
    await waitInPage(otherPanel, () => document.querySelectorAll('tr[data-connection-id]').length > 0, { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The panel on this tab: its door reloads the page with its hash, a new document, which says hello anyway.
    const panel = await openPanelFor(env.browser, page);
    const navigations = fromHar(await exportFromPanel(panel)).session.pageEvents.filter((e) => e.type === 'navigation');
    expect(navigations.map((e) => e.detail), 'the document loaded before any panel, then the one the door reloaded').toContain(before);
  }, 60_000);
});
