// Recorded fixtures: real sessions captured by the extension in Chromium,
// behind a real nginx with a 3 s proxy_read_timeout, then diagnosed by the
// core. Each recording is also written to test-results/ for inspection.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server as SocketIoServer } from 'socket.io';
import { diagnose } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { toHar } from '../../src/core/har';
import type { Session } from '../../src/core/model';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { launchWithExtension, ROOT, waitForSession, type ExtensionBrowser } from './support/chromium';

const READ_TIMEOUT_MS = 3000;
let server: TestServer;
let nginx: NginxProxy;
let io: SocketIoServer;
let browser: ExtensionBrowser;

beforeAll(async () => {
  server = await startServer({
    attach: (http) => {
      // pingInterval 5 s: slower than nginx's 3 s timeout, the classic misconfiguration.
      io = new SocketIoServer(http, { pingInterval: 5000, pingTimeout: 4000, transports: ['websocket'] });
    },
  });
  nginx = await startNginx(server.port, { readTimeoutMs: READ_TIMEOUT_MS });
  browser = await launchWithExtension();
});
afterAll(async () => {
  await browser?.close();
  io?.close();
  await nginx?.close();
  await server?.close();
});

function keep(name: string, session: Session): void {
  const dir = join(ROOT, 'test-results', 'recordings');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.har`), JSON.stringify(toHar(session, { findings: diagnose(session) }), null, 1));
}

const abnormalCloses = (session: Session) => session.connections.filter((c) => c.close?.code === 1006).length;

describe('diagnosis of real recordings behind nginx (Chromium)', () => {
  it('names nginx\'s idle timeout with the right period for a socket that goes quiet', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${nginx.origin}/reconnect.html?delay=500`);
    const { session } = await waitForSession(browser, (s) => s.pageUrl?.includes('/reconnect.html') === true && abnormalCloses(s) >= 4, 'four idle drops', 30_000);
    await page.close();
    keep('nginx-idle', session);
    const closes = session.connections.filter((c) => c.close);
    for (const connection of closes) expect(connection.close).toMatchObject({ code: 1006, wasClean: false, initiator: 'abnormal' });
    const findings = diagnose(annotateHeartbeats(session));
    const idle = findings.find((f) => f.kind === 'idle-timeout');
    expect(idle, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(findings[0].kind).toBe('idle-timeout');
    expect(Math.abs(idle!.periodMs! - READ_TIMEOUT_MS)).toBeLessThan(400);
    expect(idle!.confidence).toBeGreaterThanOrEqual(0.7);
    expect(idle!.connections.length).toBeGreaterThanOrEqual(3);
    expect(findings.some((f) => f.kind === 'max-lifetime')).toBe(false);
  }, 60_000);

  it('says a Socket.IO pingInterval of 5 s is too slow for a 3 s proxy timeout', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${nginx.origin}/socketio.html`);
    const { session } = await waitForSession(browser, (s) => s.pageUrl?.includes('/socketio.html') === true && abnormalCloses(s) >= 3, 'three socket.io drops', 30_000);
    await page.close();
    keep('nginx-socketio', session);
    const annotated = annotateHeartbeats(session);
    const findings = diagnose(annotated);
    const slow = findings.find((f) => f.kind === 'heartbeat-too-slow');
    expect(slow, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(slow!.detail + slow!.fix).toMatch(/pingInterval|5 s|5000/);
    const idle = findings.find((f) => f.kind === 'idle-timeout');
    expect(idle).toBeDefined();
    expect(Math.abs(idle!.periodMs! - READ_TIMEOUT_MS)).toBeLessThan(400);
  }, 60_000);
});
