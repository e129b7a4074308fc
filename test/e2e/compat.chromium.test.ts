// What a page can observe of WebSocket, with and without the extension, must be
// identical (the one known exception is spelled out below and in README's
// "Security model"), including against a page that puts traps and getters on
// shared prototypes.
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
      // The probe's synthetic message, close and offline events were not recorded.
      expect(compat.close).toMatchObject({ code: 4000, initiator: 'page' });
      expect(session.pageEvents.filter((e) => e.type === 'offline')).toEqual([]);
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
    // Errors thrown through the wrappers carry the same stack, without any frame of the extension's script.
    const stacks = (result: Record<string, unknown>) => result.stacks as Record<string, { stack: string }>;
    for (const [name, { stack }] of Object.entries(stacks(withExtension))) expect([name, stack]).not.toEqual([name, expect.stringContaining('extension://')]);
    // The one known difference (README, "What a page can still observe"): V8 re-captures the stack from
    // the page's frame, so the native toString's own builtin frame, first in the list, is missing.
    const builtinFrame = '\n    at Object.toString (<anonymous>)';
    expect(stacks(without).toStringOnObject.stack).toContain(builtinFrame);
    stacks(without).toStringOnObject.stack = stacks(without).toStringOnObject.stack.replace(builtinFrame, '');
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    // Sanity: the hostile part of the probe ran, and the fixed names are ordinary event names.
    expect(without.hostileTouched).toEqual(['function', true, true]);
    expect(without.hostileCalls).toEqual([]);
    expect(without.fixedEventNames).toEqual([
      ['__socketscope_hello', 2],
      ['__socketscope_ready', 2],
      ['__socketscope_batch', 2],
    ]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());
  });
});
