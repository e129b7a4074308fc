// The page must not be able to tell the extension is there: the same probe,
// with and without the extension, must give identical results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, waitForSession } from './support/chromium';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function probe(withExtension: boolean) {
  const browser = await launchWithExtension({ withExtension });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/compat.html`);
    const result = await page.evaluate(() => (window as unknown as { probe(): Promise<Record<string, unknown>> }).probe());
    if (withExtension) {
      // Prove the hook was really there and recording during the probe.
      const { session } = await waitForSession(browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?compat') && c.close), 'the compat socket');
      const compat = session.connections.find((c) => c.url.endsWith('/echo?compat'))!;
      expect(compat.messages.map((m) => [m.direction, m.preview])).toEqual([
        ['send', 'compat 1'],
        ['receive', 'compat 1'],
      ]);
      expect(compat.close).toMatchObject({ code: 4000, initiator: 'page' });
      expect(session.connections.some((c) => c.url.endsWith('/echo?sub'))).toBe(true);
    }
    return result;
  } finally {
    await browser.close();
  }
}

describe('compatibility in Chromium', () => {
  it('a page observes exactly the same WebSocket with and without the extension', async () => {
    const without = await probe(false);
    const withExtension = await probe(true);
    // Sanity: the probe saw real behaviour (not an empty object on both sides).
    expect(without.name).toBe('WebSocket');
    expect(without.toString).toBe('function WebSocket() { [native code] }');
    expect((without.events as unknown[]).length).toBeGreaterThanOrEqual(6);
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());
  });
});
