// EventSource in Chromium: what a page observes is identical with and without the extension (compat-sse.html),
// what the hook records of it, and the diagnosis of streams behind a real nginx with a 3 s proxy_read_timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import type { Session } from '../../src/core/model';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { launchWithExtension, waitForSession } from './support/chromium';

const READ_TIMEOUT_MS = 3000;
let server: TestServer;
let nginx: NginxProxy;

beforeAll(async () => {
  server = await startServer();
  nginx = await startNginx(server.port, { readTimeoutMs: READ_TIMEOUT_MS });
});
afterAll(async () => {
  await nginx?.close();
  await server?.close();
});

const streams = (session: Session, path: string) => session.connections.filter((c) => c.kind === 'eventsource' && c.url.includes(path));

async function probe(withExtension: boolean) {
  const browser = await launchWithExtension({ withExtension });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/compat-sse.html`);
    const result = await page.evaluate(() => (window as unknown as { probe(): Promise<Record<string, unknown>> }).probe());
    let session: Session | undefined;
    if (withExtension) {
      ({ session } = await waitForSession(browser, (s) => streams(s, 'status=500').some((c) => c.close) && streams(s, 'heartbeat=100').some((c) => c.close), 'the probe\'s streams'));
    }
    return { result, session };
  } finally {
    await browser.close();
  }
}

describe('EventSource in Chromium', () => {
  it('a page observes exactly the same EventSource, Worker and addEventListener with and without the extension; the hook records every attempt', async () => {
    const { result: without } = await probe(false);
    const { result: withExtension, session } = await probe(true);
    expect(without.eventSource).toMatchObject({ name: 'EventSource', toString: 'function EventSource() { [native code] }' });
    expect((without.events as unknown[]).length).toBeGreaterThanOrEqual(10);
    expect(without.addStillSaved).toBe(true);
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());

    // Three attempts of the one EventSource: dropped (server ended), dropped again, then refused (204: CLOSED).
    const chain = streams(session!, 'count=4');
    expect(chain.map((c) => [c.openedAt !== undefined, c.close?.code, c.close?.initiator])).toEqual([
      [true, 1006, 'abnormal'],
      [true, 1006, 'abnormal'],
      [false, 1006, 'abnormal'],
    ]);
    expect(chain[1].reconnectOf).toBe(chain[0].id);
    expect(chain[2].reconnectOf).toBe(chain[1].id);
    // Named events are recorded because the page listens to 'update'; the forged one is not.
    expect(chain[0].messages.map((m) => [m.event, m.lastEventId, m.preview])).toEqual([
      ['message', '1', 'event 1'],
      ['update', '2', 'event 2'],
      ['message', '3', 'event 3'],
      ['update', '4', 'event 4'],
    ]);
    expect(chain[1].messages.map((m) => [m.event, m.lastEventId, m.preview])).toEqual([['message', 'resumed', 'resumed 4']]);
    const [credentialed] = streams(session!, 'heartbeat=100');
    expect(credentialed).toMatchObject({ withCredentials: true, close: { code: 1005, initiator: 'page' } });
    const [failed] = streams(session!, 'status=500');
    expect(failed.openedAt).toBeUndefined();
    expect(failed.errorAt).toBeDefined();
    expect(session!.pageEvents.filter((e) => e.type === 'worker').map((e) => e.detail)).toEqual([expect.stringMatching(/^Worker blob:/)]);
  }, 90_000);

  it('behind nginx (proxy_read_timeout 3 s), a silent stream is dropped every 3 s: an idle-timeout finding with the SSE fix', async () => {
    const browser = await launchWithExtension();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${nginx.origin}/blank.html`);
      await page.evaluate(() => {
        new EventSource('/sse?silent');
      });
      const { session } = await waitForSession(browser, (s) => streams(s, 'silent').filter((c) => c.close?.code === 1006 && c.openedAt).length >= 3, 'three idle drops', 40_000);
      const findings = diagnose(annotateHeartbeats(session));
      const idle = findings.find((f) => f.kind === 'idle-timeout');
      expect(idle, JSON.stringify(findings, null, 1)).toBeDefined();
      expect(Math.abs(idle!.periodMs! - READ_TIMEOUT_MS)).toBeLessThan(400);
      expect(idle!.fix).toContain('X-Accel-Buffering: no');
      expect(idle!.fix).toContain('proxy_read_timeout');
      expect(idle!.fix).toMatch(/comment line/);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('the same stream with a comment heartbeat every second stays open: no finding', async () => {
    const browser = await launchWithExtension();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${nginx.origin}/blank.html`);
      await page.evaluate(() => {
        new EventSource('/sse?heartbeat=1000');
      });
      await waitForSession(browser, (s) => streams(s, 'heartbeat').some((c) => c.openedAt), 'the stream open');
      await new Promise((resolve) => setTimeout(resolve, 3 * READ_TIMEOUT_MS));
      const { session } = await waitForSession(browser, (s) => streams(s, 'heartbeat').length > 0, 'the stream');
      const stream = streams(session, 'heartbeat');
      expect(stream).toHaveLength(1);
      expect(stream[0].close).toBeUndefined();
      // Comments never reach the page: nothing recorded, and nothing to diagnose.
      expect(stream[0].messages).toEqual([]);
      expect(diagnose(annotateHeartbeats(session))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
