// Reproduce and verify (README): policies simulated by the hook, actions on one
// connection, "Verify the fix", against real servers and a real nginx, in
// Chromium. Commands go the way the panel sends them: an extension page's
// port to the background, then relay, then hook.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { diagnose, diagnoseSimulated } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import type { Session } from '../../src/core/model';
import { type SimAction, type SimPolicy, type SimulationState } from '../../src/core/simulation';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { launchWithExtension, openPanel, ROOT, waitForSession, type ExtensionBrowser } from './support/chromium';

let server: TestServer;
let proxy: NginxProxy;
let shortProxy: NginxProxy;
let browser: ExtensionBrowser;

beforeAll(async () => {
  server = await startServer();
  proxy = await startNginx(server.port, { readTimeoutMs: 60_000 });
  shortProxy = await startNginx(server.port, { readTimeoutMs: 1500 });
  browser = await launchWithExtension();
});
afterAll(async () => {
  await browser?.close();
  await shortProxy?.close();
  await proxy?.close();
  await server?.close();
});

interface LogEntry {
  n: number;
  via: string;
  type: string;
  isTrusted: boolean;
  readyState: number;
  code?: number;
  reason?: string;
  wasClean?: boolean;
  data?: string;
}

/** An extension page that talks to the background like the panel does. */
async function driver(tabId: number): Promise<Page> {
  const page = await openPanel(browser, tabId);
  await page.evaluate((id) => {
    const port = chrome.runtime.connect({ name: 'socketscope-panel' });
    const w = window as unknown as { simPort: typeof port; simStates: unknown[] };
    w.simPort = port;
    w.simStates = [];
    port.onMessage.addListener((message: { kind: string; simulation?: unknown }) => {
      if (message.kind === 'simulation') w.simStates.push(message.simulation);
    });
    port.postMessage({ kind: 'subscribe', v: 1, tabId: id });
  }, tabId);
  return page;
}
const policy = (page: Page, tabId: number, value: SimPolicy | null) =>
  page.evaluate(([id, p]) => (window as unknown as { simPort: chrome.runtime.Port }).simPort.postMessage({ kind: 'sim-policy', tabId: id, policy: p }), [tabId, value] as const);
const act = (page: Page, tabId: number, action: SimAction) =>
  page.evaluate(([id, a]) => (window as unknown as { simPort: chrome.runtime.Port }).simPort.postMessage({ kind: 'sim-action', tabId: id, action: a }), [tabId, action] as const);
const lastState = async (page: Page): Promise<SimulationState | undefined> => (await page.evaluate(() => (window as unknown as { simStates: SimulationState[] }).simStates.at(-1))) ?? undefined;
const logOf = (page: Page) => page.evaluate(() => (window as unknown as { log: LogEntry[] }).log);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function openApp(origin: string, query: string): Promise<{ page: Page; tabId: number; url: string }> {
  const page = await browser.context.newPage();
  const marker = `t${Math.random().toString(36).slice(2, 8)}`;
  await page.goto(`${origin}/sim-app.html?${query}&m=${marker}`);
  // From the page and the tab, not from storage: under steady traffic the background writes a tab up to 5 s late
  // (docs/decisions.md, 66), and the policies below must arrive while the socket is young.
  await page.waitForFunction(() => (window as unknown as { log: { type: string }[] }).log.some((entry) => entry.type === 'open'));
  const worker = await browser.serviceWorker();
  const tabId = await until('the app\'s tab', async () => (await worker.evaluate(`chrome.tabs.query({}).then((tabs) => tabs.find((tab) => (tab.url ?? '').includes(${JSON.stringify(marker)}))?.id)`)) as number | undefined);
  return { page, tabId, url: marker };
}
const sessionOf = async (marker: string, ready: (s: Session) => boolean, what: string, timeoutMs?: number) =>
  (await waitForSession(browser, (s) => s.pageUrl?.includes(marker) === true && ready(s), what, timeoutMs)).session;

describe('Reproduce and verify (Chromium)', () => {
  it('a 2 s idle timeout drops an app without heartbeats; the drops are simulated, diagnosed apart, not as real drops', async () => {
    const app = await openApp(proxy.origin, 'every=0&delay=300');
    const control = await driver(app.tabId);
    await policy(control, app.tabId, { kind: 'idle', ms: 2000, basis: 'any', endpoint: '', keep: false });
    const session = await sessionOf(app.url, (s) => s.connections.filter((c) => c.close?.simulated).length >= 5, 'five simulated idle drops', 30_000);
    expect((await lastState(control))?.policy?.kind).toBe('idle');
    await policy(control, app.tabId, null);
    const startedAt = session.pageEvents.find((e) => e.type === 'simulation' && e.detail?.startsWith('Started'))!.time;
    const simulated = session.connections.filter((c) => c.close?.simulated);
    // Sockets opened under the policy: silent from their open (the first one's silence counts from the policy's start).
    for (const connection of simulated.filter((c) => c.openedAt! > startedAt)) {
      expect(connection.close).toMatchObject({ code: 1006, reason: '', wasClean: false, initiator: 'abnormal', simulated: true });
      const age = connection.close!.time - connection.openedAt!;
      expect(age).toBeGreaterThanOrEqual(1950);
      expect(age).toBeLessThan(2600);
    }
    const log = await logOf(app.page);
    const closes = log.filter((e) => e.type === 'close');
    expect(closes.length).toBeGreaterThanOrEqual(6);
    for (const close of closes) expect(close).toMatchObject({ code: 1006, reason: '', wasClean: false, readyState: 3, isTrusted: true });
    expect(log.some((e) => e.type === 'error')).toBe(false);
    // The real-drop diagnosis sees none of them; the verification diagnosis finds the 2 s idle timeout.
    expect(diagnose(annotateHeartbeats(session)).filter((f) => f.kind === 'idle-timeout' || f.kind === 'max-lifetime')).toEqual([]);
    const underSimulation = diagnoseSimulated(annotateHeartbeats(session));
    const idle = underSimulation.find((f) => f.kind === 'idle-timeout');
    expect(idle, JSON.stringify(underSimulation)).toBeDefined();
    expect(Math.abs(idle!.periodMs! - 2000)).toBeLessThan(400);
    expect(session.pageEvents.some((e) => e.type === 'simulation' && e.detail?.startsWith('Started'))).toBe(true);
    await app.page.close();
    await control.close();
  }, 60_000);

  it('"Verify the fix": a 500 ms heartbeat survives 3 periods of a 2 s idle timeout; no heartbeat drops again', async () => {
    const good = await openApp(proxy.origin, 'every=500&delay=300');
    const control = await driver(good.tabId);
    await policy(control, good.tabId, { kind: 'idle', ms: 2000, basis: 'any', endpoint: '', keep: false, verify: { finding: 'Connections die after 2 s of silence', periods: 3 } });
    const passed = await until('a verification result', async () => (await lastState(control))?.results[0], 15_000);
    expect(passed).toMatchObject({ passed: true, summary: 'survived 3 periods of a simulated 2 s idle timeout' });
    expect((await lastState(control))?.policy).toBeUndefined();
    await good.page.close();
    await control.close();

    const bad = await openApp(proxy.origin, 'every=0&delay=-1');
    const control2 = await driver(bad.tabId);
    await policy(control2, bad.tabId, { kind: 'idle', ms: 2000, basis: 'any', endpoint: '', keep: false, verify: { finding: 'Connections die after 2 s of silence', periods: 3 } });
    const failed = await until('a verification result', async () => (await lastState(control2))?.results[0], 15_000);
    expect(failed.passed).toBe(false);
    expect(failed.summary).toMatch(/^dropped again after 2\.\d s: the heartbeat does not keep it open$/);
    await bad.page.close();
    await control2.close();
  }, 60_000);

  it('a lifetime policy drops at the set age although traffic continues', async () => {
    const app = await openApp(proxy.origin, 'every=200&delay=-1');
    const control = await driver(app.tabId);
    await policy(control, app.tabId, { kind: 'lifetime', ms: 1500, basis: 'any', endpoint: '', keep: false });
    const session = await sessionOf(app.url, (s) => s.connections.some((c) => c.close?.simulated), 'a lifetime drop');
    await policy(control, app.tabId, null);
    const connection = session.connections.find((c) => c.close?.simulated)!;
    const age = connection.close!.time - connection.openedAt!;
    expect(age).toBeGreaterThanOrEqual(1450);
    expect(age).toBeLessThan(1800);
    expect(connection.messages.filter((m) => m.time > connection.close!.time - 400).length).toBeGreaterThan(0);
    await app.page.close();
    await control.close();
  }, 60_000);

  it('"Drop now" gives the page the same close as a real TCP drop through nginx', async () => {
    // Real: nginx's 1.5 s proxy_read_timeout on a silent upstream cuts TCP without a close frame.
    const real = await openApp(shortProxy.origin, 'path=/silent&delay=-1');
    await until('the real drop', async () => (await logOf(real.page)).some((e) => e.type === 'close'));
    const simulated = await openApp(proxy.origin, 'path=/silent&delay=-1');
    const control = await driver(simulated.tabId);
    const session = await sessionOf(simulated.url, (s) => s.connections.length === 1, 'the connection');
    await act(control, simulated.tabId, { kind: 'drop', connectionId: session.connections[0].id });
    await until('the simulated drop', async () => (await logOf(simulated.page)).some((e) => e.type === 'close'));
    const strip = (log: LogEntry[]) => log.map(({ n: _n, ...rest }) => rest);
    const realLog = strip(await logOf(real.page));
    const simulatedLog = strip(await logOf(simulated.page));
    console.log('real drop through nginx:', JSON.stringify(realLog), '\nDrop now:', JSON.stringify(simulatedLog));
    expect(simulatedLog).toEqual(realLog);
    const after = await sessionOf(simulated.url, (s) => s.connections[0]?.close !== undefined, 'the close recorded');
    expect(after.connections[0].close).toMatchObject({ code: 1006, wasClean: false, simulated: true });
    await real.page.close();
    await simulated.page.close();
    await control.close();
  }, 60_000);

  it('closes as the server would, sends as the page would, injects a received message, through an echo server', async () => {
    const app = await openApp(proxy.origin, 'path=/echo&delay=-1');
    const control = await driver(app.tabId);
    const id = (await sessionOf(app.url, (s) => s.connections.length === 1, 'the connection')).connections[0].id;
    await act(control, app.tabId, { kind: 'send', connectionId: id, format: 'json', data: '{ "op": "ping" }' });
    await act(control, app.tabId, { kind: 'send', connectionId: id, format: 'hex', data: '01 02 ff' });
    await act(control, app.tabId, { kind: 'inject', connectionId: id, format: 'text', data: 'from the server' });
    await act(control, app.tabId, { kind: 'inject', connectionId: id, format: 'base64', data: 'AQL/' });
    await until('the echoes', async () => (await logOf(app.page)).filter((e) => e.type === 'message').length >= 8);
    const messages = (await logOf(app.page)).filter((e) => e.type === 'message' && e.via === 'handler');
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ data: '{"op":"ping"}', isTrusted: true }),
        expect.objectContaining({ data: '[object Blob]', isTrusted: true }),
        expect.objectContaining({ data: 'from the server', isTrusted: false }),
        expect.objectContaining({ data: '[object Blob]', isTrusted: false }),
      ]),
    );
    const session = await sessionOf(app.url, (s) => s.connections[0].messages.length >= 6, 'six messages');
    const flags = session.connections[0].messages.map((m) => `${m.direction}:${m.simulated ? 'sim' : 'real'}:${m.opcode}`);
    expect(flags).toEqual(expect.arrayContaining(['send:sim:1', 'send:sim:2', 'receive:sim:1', 'receive:sim:2', 'receive:real:1', 'receive:real:2']));
    expect(session.connections[0].messages.find((m) => m.direction === 'receive' && m.simulated && m.opcode === 2)?.preview).toBe('AQL/');
    await act(control, app.tabId, { kind: 'close', connectionId: id, code: 1012, reason: 'restarting' });
    await until('the close', async () => (await logOf(app.page)).some((e) => e.type === 'close'));
    const close = (await logOf(app.page)).filter((e) => e.type === 'close');
    expect(close.map((e) => e.via)).toEqual(['handler', 'listener']);
    expect(close[0]).toMatchObject({ code: 1012, reason: 'restarting', wasClean: true, readyState: 3, isTrusted: true });
    await app.page.close();
    await control.close();
  }, 60_000);

  it('offline for 2 s drops the open socket, fails new ones (error, then close 1006) and ends by itself', async () => {
    const app = await openApp(proxy.origin, 'path=/echo&delay=300');
    const control = await driver(app.tabId);
    await policy(control, app.tabId, { kind: 'offline', ms: 2000, basis: 'any', endpoint: '', keep: false });
    await until('a reconnect after the outage', async () => (await logOf(app.page)).filter((e) => e.type === 'open' && e.via === 'handler').length >= 2, 15_000);
    const log = (await logOf(app.page)).filter((e) => e.via === 'handler');
    const failed = log.filter((e) => e.n > 1 && e.n < log.at(-1)!.n);
    // Sockets opened during the window never open: error, then close 1006, both the browser's own.
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const n of new Set(failed.map((e) => e.n))) {
      expect(failed.filter((e) => e.n === n).map((e) => `${e.type}:${e.code ?? ''}:${e.isTrusted}`)).toEqual(['error::true', 'close:1006:true']);
    }
    expect(log.find((e) => e.n === 1 && e.type === 'close')).toMatchObject({ code: 1006, wasClean: false, readyState: 3 });
    await until('the policy to end', async () => (await lastState(control))?.policy === undefined, 5000);
    await app.page.close();
    await control.close();
  }, 60_000);

  it('a policy ends when the page reloads, unless kept across reloads', async () => {
    const app = await openApp(proxy.origin, 'every=0&delay=300');
    const control = await driver(app.tabId);
    await policy(control, app.tabId, { kind: 'idle', ms: 1000, basis: 'any', endpoint: '', keep: false });
    await app.page.reload();
    await until('the policy to end with the document', async () => (await lastState(control))?.policy === undefined);
    await policy(control, app.tabId, { kind: 'idle', ms: 1000, basis: 'any', endpoint: '', keep: true });
    await app.page.reload();
    // The new document's sockets drop after 1 s of silence: the policy came with its hello, before the page's script.
    await until('a simulated drop in the reloaded page', async () => (await logOf(app.page)).some((e) => e.type === 'close' && e.code === 1006));
    expect((await lastState(control))?.policy?.keep).toBe(true);
    await policy(control, app.tabId, null);
    await app.page.close();
    await control.close();
  }, 60_000);

  it('a page that posts forged commands cannot start a policy, and sees no getter replaced', async () => {
    const app = await openApp(proxy.origin, 'path=/echo&every=0&delay=-1');
    const forged = await app.page.evaluate(async () => {
      const getters = () => ['code', 'reason', 'wasClean'].map((name) => Object.getOwnPropertyDescriptor(CloseEvent.prototype, name)!.get);
      const before = [...getters(), Object.getOwnPropertyDescriptor(WebSocket.prototype, 'readyState')!.get];
      const command = JSON.stringify({ c: 'policy', kind: 'offline', ms: 5000, basis: 'any', endpoint: '' });
      for (const name of ['__socketscope_command', '__socketscope_ready', '__socketscope_hello', 'socketscope-command', 'command', '-c', 'x-c']) {
        window.dispatchEvent(new CustomEvent(name, { detail: command }));
        document.dispatchEvent(new CustomEvent(name, { detail: command }));
      }
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const after = [...getters(), Object.getOwnPropertyDescriptor(WebSocket.prototype, 'readyState')!.get];
      return { same: before.every((g, i) => g === after[i]), state: (window as unknown as { sockets: WebSocket[] }).sockets[0].readyState };
    });
    expect(forged).toEqual({ same: true, state: 1 });
    const session = await sessionOf(app.url, (s) => s.connections.length === 1, 'the connection');
    expect(session.connections[0].close).toBeUndefined();
    await app.page.close();
  }, 30_000);
});

describe('Reproduce and verify in the panel (Chromium)', () => {
  it('starts a policy from the panel, shows it at a glance in both themes with its Stop, marks the drops, and Verify the fix reports in the finding', async () => {
    const app = await openApp(proxy.origin, 'every=0&delay=300');
    const panel = await openPanel(browser, app.tabId);
    await panel.setViewportSize({ width: 1280, height: 800 });
    await panel.getByText('Reproduce and verify…').click();
    await panel.getByLabel('Seconds').fill('1.5');
    await panel.getByRole('button', { name: 'Start' }).click();
    const banner = panel.getByRole('status', { name: 'Active simulation' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('1.5 s idle timeout on every socket');
    // Two drops that agree make a finding of the simulated policy (src/core/diagnosis.ts, fitPeriod), below the findings
    // and never among them. Its silence is measured: a loaded machine fires the 1.5 s timer late (a fresh-clone CI run:
    // 1.55 s, shown as "1.6 s").
    await panel.locator('.sim-results').getByText(/Under simulation: .*1\.[56] s/).waitFor({ timeout: 20_000 }).catch(async (error: unknown) => {
      await panel.screenshot({ path: '/tmp/sim-fail.png' });
      throw error;
    });
    expect(await panel.locator('.finding[data-kind="idle-timeout"]').count()).toBe(0);
    const dir = join(ROOT, 'test-results', 'screenshots');
    mkdirSync(dir, { recursive: true });
    for (const theme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme: theme });
      await panel.waitForTimeout(200);
      await panel.screenshot({ path: join(dir, `simulation-active-${theme}.png`) });
    }
    // The finding may show after two drops; the third is awaited, so that Stop never races it (a fresh-clone CI run on a
    // fast host clicked Stop with two).
    const simulatedDrops = (s: Session) => s.connections.filter((c) => c.close?.simulated).length;
    await sessionOf(app.url, (s) => simulatedDrops(s) >= 3, 'three simulated drops');
    await panel.getByRole('button', { name: 'Stop' }).click();
    await banner.waitFor({ state: 'detached' });
    const session = await sessionOf(app.url, (s) => s.pageEvents.some((e) => e.type === 'simulation' && e.detail?.startsWith('Stopped')), 'the stop');
    expect(simulatedDrops(session)).toBeGreaterThanOrEqual(3);
    await app.page.close();
    await panel.close();
  }, 60_000);

  it('a real finding from nginx offers Verify the fix, which reports in the finding', async () => {
    // A real 1.5 s idle timeout (nginx proxy_read_timeout) on a silent app: a real finding. (At 1 s the median silence
    // sometimes came out a few ms under the diagnosis's 1 s minimum timer period, and there was no finding to verify.)
    const app = await openApp(shortProxy.origin, 'path=/silent&every=0&delay=200');
    await sessionOf(app.url, (s) => s.connections.filter((c) => c.close?.code === 1006).length >= 3, 'three real drops', 20_000);
    const panel = await openPanel(browser, app.tabId);
    await panel.setViewportSize({ width: 1280, height: 800 });
    const finding = panel.locator('.finding[data-kind="idle-timeout"]');
    await finding.waitFor();
    await finding.getByRole('button', { name: 'Verify the fix' }).click();
    const result = finding.locator('.verify-result');
    await result.waitFor({ timeout: 15_000 });
    // nginx's real 1.5 s timeout and the simulated one race: either drop fails the verification.
    expect(await result.textContent()).toMatch(/dropped again after \d+\.\d s( \(a real drop, during the simulation\))?: the heartbeat does not keep it open/);
    await panel.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'simulation-verify-failed.png') });
    await app.page.close();
    await panel.close();
  }, 60_000);
});

declare const chrome: { runtime: { connect(info: { name: string }): chrome.runtime.Port } };
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace chrome.runtime {
  interface Port {
    postMessage(message: unknown): void;
    onMessage: { addListener(listener: (message: never) => void): void };
  }
}
