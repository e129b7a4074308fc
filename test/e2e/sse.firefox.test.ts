// EventSource in Firefox ESR: the same compat probe as in Chromium (identical with and without the extension),
// and the diagnosis of streams behind a real nginx (proxy_read_timeout 3 s), read from the panel's export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { fromHar } from '../../src/core/har/import';
import type { Session } from '../../src/core/model';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { closeFirefox, exportFromPanel, launchFirefox, openPanelFor } from './support/firefox';

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
  const browser = await launchFirefox({ withExtension });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/compat-sse.html`);
    const result = await page.evaluate(() => (window as unknown as { probe(): Promise<Record<string, unknown>> }).probe());
    const session = withExtension ? fromHar(await exportFromPanel(await openPanelFor(browser, page))).session : undefined;
    return { result, session };
  } finally {
    await closeFirefox(browser);
  }
}

describe('EventSource in Firefox ESR', () => {
  it('a page observes exactly the same EventSource, Worker and addEventListener with and without the extension; the hook records every attempt', async () => {
    const { result: without } = await probe(false);
    const { result: withExtension, session } = await probe(true);
    expect(without.eventSource).toMatchObject({ name: 'EventSource' });
    expect((without.events as unknown[]).length).toBeGreaterThanOrEqual(10);
    expect(without.addStillSaved).toBe(true);
    for (const key of Object.keys(without)) expect([key, withExtension[key]]).toEqual([key, without[key]]);
    expect(Object.keys(withExtension).sort()).toEqual(Object.keys(without).sort());

    const chain = streams(session!, 'count=4');
    expect(chain.map((c) => [c.openedAt !== undefined, c.close?.code, c.close?.initiator])).toEqual([
      [true, 1006, 'abnormal'],
      [true, 1006, 'abnormal'],
      [false, 1006, 'abnormal'],
    ]);
    expect(chain[1].reconnectOf).toBe(chain[0].id);
    expect(chain[0].messages.map((m) => [m.event, m.lastEventId, m.preview])).toEqual([
      ['message', '1', 'event 1'],
      ['update', '2', 'event 2'],
      ['message', '3', 'event 3'],
      ['update', '4', 'event 4'],
    ]);
    const [credentialed] = streams(session!, 'heartbeat=100');
    expect(credentialed).toMatchObject({ withCredentials: true, close: { code: 1005, initiator: 'page' } });
    expect(session!.pageEvents.filter((e) => e.type === 'worker').map((e) => e.detail)).toEqual([expect.stringMatching(/^Worker blob:/)]);
  }, 120_000);

  it('behind nginx, a silent stream gives an idle-timeout finding with the SSE fix; one with comment heartbeats none', async () => {
    const browser = await launchFirefox();
    try {
      const page = await browser.newPage();
      await page.goto(`${nginx.origin}/blank.html`);
      await page.evaluate(() => {
        new EventSource('/sse?silent&retry=300');
        new EventSource('/sse?heartbeat=1000&retry=300');
      });
      await new Promise((resolve) => setTimeout(resolve, 4 * READ_TIMEOUT_MS + 1500));
      const { session } = fromHar(await exportFromPanel(await openPanelFor(browser, page)));
      const silent = streams(session, 'silent').filter((c) => c.close?.code === 1006 && c.openedAt);
      expect(silent.length, JSON.stringify(session.connections.map((c) => [c.url, c.openedAt, c.close]))).toBeGreaterThanOrEqual(3);
      const findings = diagnose(annotateHeartbeats(session));
      const idle = findings.find((f) => f.kind === 'idle-timeout');
      expect(idle, JSON.stringify(findings, null, 1)).toBeDefined();
      expect(Math.abs(idle!.periodMs! - READ_TIMEOUT_MS)).toBeLessThan(400);
      expect(idle!.fix).toContain('X-Accel-Buffering: no');
      // The heartbeat stream lived until the panel's reload ended it (a navigation close), never dropped.
      const beating = streams(session, 'heartbeat');
      expect(beating.map((c) => c.close?.initiator)).toEqual(['navigation']);
      expect(idle!.connections.some((id) => beating.some((c) => c.id === id))).toBe(false);
    } finally {
      await closeFirefox(browser);
    }
  }, 90_000);
});
