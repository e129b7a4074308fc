// The same compatibility probe as in Chromium, in Firefox ESR: identical
// results with and without the extension.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/servers';
import { closeFirefox, exportFromPanel, launchFirefox, openPanelFor } from './support/firefox';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function probe(withExtension: boolean) {
  const browser = await launchFirefox({ withExtension });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/compat.html`);
    const result = await page.evaluate(() => (window as unknown as { probe(): Promise<Record<string, unknown>> }).probe());
    if (withExtension) {
      // Prove the hook was there: the probe's socket is in the export.
      const har = await exportFromPanel(await openPanelFor(browser, page));
      const compat = har.log.entries.find((e) => e.request.url.endsWith('/echo?compat'));
      // The probe's synthetic message, close and offline events were not recorded.
      expect(compat?._webSocketMessages.map((m) => m.data)).toEqual(['compat 1', 'compat 1']);
      expect(compat?._socketscope?.close).toMatchObject({ code: 4000, initiator: 'page' });
      expect((har.log._socketscope?.pageEvents ?? []).filter((e) => e.type === 'offline')).toEqual([]);
    }
    return result;
  } finally {
    await closeFirefox(browser);
  }
}

describe('compatibility in Firefox ESR', () => {
  it('a page observes exactly the same WebSocket with and without the extension', async () => {
    const without = await probe(false);
    const withExtension = await probe(true);
    expect(without.name).toBe('WebSocket');
    expect((without.events as unknown[]).length).toBeGreaterThanOrEqual(6);
    // Errors thrown through the wrappers: Firefox keeps `stack` on the prototype, and re-capturing it
    // would add an own property, so the hook's frame stays (README, "What a page can still observe"):
    // one first frame `trap@<anonymous code>:1:N`, which fileName/lineNumber/columnNumber point at.
    // It never names the extension's URL.
    type Thrown = { stack: string; fileName?: string | null; lineNumber?: number; columnNumber?: number };
    const stacks = (result: Record<string, unknown>) => result.stacks as Record<string, Thrown>;
    for (const [name, thrown] of Object.entries(stacks(withExtension))) {
      const plain = stacks(without)[name];
      expect([name, thrown.stack]).not.toEqual([name, expect.stringContaining('extension://')]);
      const [first, ...rest] = thrown.stack.split('\n');
      expect([name, first]).toEqual([name, expect.stringMatching(/^\w+@<anonymous code>:1:\d+$/)]);
      expect([name, rest.join('\n')]).toEqual([name, plain.stack]);
      expect(thrown.fileName === plain.fileName || thrown.fileName === '<anonymous code>').toBe(true);
      stacks(without)[name] = { ...plain, stack: thrown.stack, fileName: thrown.fileName, lineNumber: thrown.lineNumber, columnNumber: thrown.columnNumber };
    }
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    expect(without.hostileCalls).toEqual([]);
    expect(without.fixedEventNames).toEqual([
      ['__socketscope_hello', 2],
      ['__socketscope_ready', 2],
      ['__socketscope_batch', 2],
    ]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());
  }, 90_000);
});
