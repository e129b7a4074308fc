// The QA workflow in Chromium, with the built extension and a real nginx:
// Record from the toolbar popup (no DevTools), a note, a reload (recording
// continues, marked), the worker restarting, the badge; Export through the
// panel's UI (a real download); Import of that file in the standalone viewer
// with the same connections and findings; and a 100 MB file in the viewer.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer, type TestServer } from './support/servers';
import { startNginx, type NginxProxy } from './support/nginx';
import { launchWithExtension, openPanel, ROOT, waitForSession, type ExtensionBrowser } from './support/chromium';
import { diagnose } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { fromHar, toHar, type HarLog } from '../../src/core/har';
import type { Connection, Message, Session } from '../../src/core/model';
import type { RecordingStatus } from '../../src/protocol/messages';
import type {} from '../../src/viewer/protocol'; // window.socketscopeViewer

const READ_TIMEOUT_MS = 3000;
let server: TestServer;
let nginx: NginxProxy;
let browser: ExtensionBrowser;
let page: Page;
let tabId: number;
let exportedPath: string;
const OUT = join(ROOT, 'test-results', 'qa');

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer();
  nginx = await startNginx(server.port, { readTimeoutMs: READ_TIMEOUT_MS });
  browser = await launchWithExtension();
});
afterAll(async () => {
  await browser?.close();
  await nginx?.close();
  await server?.close();
});

const abnormalCloses = (session: Session) => session.connections.filter((c) => c.close?.code === 1006).length;

async function badgeText(id: number): Promise<string> {
  const worker = await browser.serviceWorker();
  return worker.evaluate((tab) => (globalThis as unknown as { chrome: { action: { getBadgeText(d: { tabId: number }): Promise<string> } } }).chrome.action.getBadgeText({ tabId: tab }), id);
}

async function openPopup(id: number): Promise<Page> {
  const popup = await browser.context.newPage();
  popup.setDefaultTimeout(10_000);
  await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html?tabId=${id}`);
  return popup;
}

async function recordingStatus(from: Page, id: number): Promise<RecordingStatus> {
  return from.evaluate(
    (tab) => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<RecordingStatus> } } }).chrome.runtime.sendMessage({ kind: 'recording-status', tabId: tab }),
    id,
  );
}

async function stopServiceWorker(): Promise<void> {
  const control = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(control);
  const statuses: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
    for (const version of event.versions) if (version.scriptURL.startsWith('chrome-extension://')) statuses.push(version.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  for (let i = 0; i < 100 && !statuses.includes('stopped'); i++) await control.waitForTimeout(100);
  expect(statuses).toContain('stopped');
  await control.close();
}

describe('QA recording (Chromium)', () => {
  it('records from the popup without DevTools, across a reload, with a note and a badge, surviving a worker restart', async () => {
    page = await browser.context.newPage();
    // A token in the page's URL, for the redaction check below.
    await page.goto(`${nginx.origin}/reconnect.html?delay=500&token=s3cret-qa-token`);
    ({ tabId } = await waitForSession(browser, (s) => s.pageUrl?.includes('/reconnect.html') === true && s.connections.length > 0, 'the first socket'));
    expect(await badgeText(tabId)).toBe('');

    // Record from the popup (opened as a page for the tab: no DevTools anywhere).
    const popup = await openPopup(tabId);
    await popup.getByLabel('Session name').fill('Dashboard drops');
    await popup.getByRole('button', { name: /Record/ }).click();
    await expect.poll(() => popup.getByRole('status', { name: 'Recording state' }).textContent()).toMatch(/Recording “Dashboard drops”/);
    await expect.poll(() => badgeText(tabId)).toBe('REC');
    const status = await recordingStatus(popup, tabId);
    expect(status.recordingActive).toBe(true);
    const recordingStartedAt = status.recording!.startedAt;

    // A note, typed in the popup.
    await popup.getByLabel('Note').fill('clicked Refresh, the price froze');
    await popup.getByLabel('Note').press('Enter');
    await expect.poll(() => popup.locator('.done').textContent()).toMatch(/Note added/);
    await popup.close();

    // Reload: capture continues in the same session, the reload is marked, the badge comes back.
    await page.reload();
    await waitForSession(browser, (s) => s.pageEvents.some((e) => e.type === 'navigation') && abnormalCloses(s) >= 1, 'a navigation marker and a drop');
    await expect.poll(() => badgeText(tabId), { timeout: 5000 }).toBe('REC');

    // The service worker stops (Chrome does it after 30 s idle): the recording is still there.
    await stopServiceWorker();
    const again = await openPopup(tabId);
    await expect.poll(() => again.getByRole('status', { name: 'Recording state' }).textContent()).toMatch(/Recording “Dashboard drops”/);
    expect((await recordingStatus(again, tabId)).recording!.startedAt).toBe(recordingStartedAt);

    // Enough drops for a diagnosis, then Stop.
    const { session } = await waitForSession(browser, (s) => s.pageUrl?.includes('/reconnect.html') === true && abnormalCloses(s) >= 4, 'four idle drops', 30_000);
    expect(session.notes.map((n) => n.text)).toContain('clicked Refresh, the price froze');
    const note = session.notes.find((n) => n.text === 'clicked Refresh, the price froze')!;
    expect(note.time).toBeGreaterThanOrEqual(recordingStartedAt);
    await again.getByRole('button', { name: /Stop/ }).click();
    await expect.poll(() => again.getByRole('status', { name: 'Recording state' }).textContent()).toMatch(/Last recording “Dashboard drops”/);
    await expect.poll(() => badgeText(tabId)).toBe('');
    const stopped = await recordingStatus(again, tabId);
    expect(stopped.recording!.endedAt).toBeGreaterThan(recordingStartedAt);
    await again.close();
  }, 90_000);

  it('exports through the panel (a download) and imports the file in the standalone viewer with the same connections and findings', async () => {
    const panel = await openPanel(browser, tabId);
    await expect.poll(() => panel.locator('[data-connection-id]').count()).toBeGreaterThanOrEqual(4);
    const download = await exportFromPanel(panel);
    exportedPath = join(OUT, 'qa-export.har');
    await download.saveAs(exportedPath);
    await panel.close();

    const text = readFileSync(exportedPath, 'utf8');
    const har = JSON.parse(text) as HarLog;
    expect(har.log.version).toBe('1.2');
    expect(har.log._socketscope.name).toBe('Dashboard drops');
    expect(har.log._socketscope.notes.map((n) => n.text)).toContain('clicked Refresh, the price froze');
    expect(har.log._socketscope.pageEvents.some((e) => e.type === 'navigation')).toBe(true);
    // Chrome's own shape for every message.
    for (const entry of har.log.entries) {
      expect(entry._resourceType).toBe('websocket');
      for (const message of entry._webSocketMessages) {
        expect(['send', 'receive']).toContain(message.type);
        expect(message.time).toBeGreaterThan(1.7e9);
        expect(message.time).toBeLessThan(1e11);
        expect([1, 2]).toContain(message.opcode);
      }
    }
    const imported = fromHar(text);
    const expectedFindings = diagnose(annotateHeartbeats(imported.session));
    expect(expectedFindings.map((f) => f.kind)).toContain('idle-timeout');

    // The standalone viewer: no DevTools, no live tab.
    const viewer = await browser.context.newPage();
    viewer.setDefaultTimeout(20_000);
    await viewer.goto(`chrome-extension://${browser.extensionId}/src/viewer/index.html`);
    await viewer.getByLabel('HAR file').setInputFiles(exportedPath);
    await viewer.waitForFunction(() => window.socketscopeViewer?.lastImport !== undefined);
    const last = await viewer.evaluate(() => window.socketscopeViewer!.lastImport!);
    expect(last.connections).toBe(imported.session.connections.length);
    expect(last.findings).toEqual(expectedFindings.map((f) => f.kind));
    // The panel's own views show it: the connections, and the diagnosis naming the idle timeout.
    await expect.poll(() => viewer.locator('[data-connection-id]').count()).toBe(imported.session.connections.length);
    await expect.poll(async () => (await viewer.locator('body').textContent()) ?? '').toMatch(/idle|silence/i);
    await expect.poll(() => viewer.getByLabel('Imported file').textContent()).toContain('Dashboard drops');
    await viewer.screenshot({ path: join(OUT, 'viewer.png') });
    await viewer.close();
  }, 60_000);

  it('redacts with one click in the download options, and says so in the file', async () => {
    const panel = await openPanel(browser, tabId);
    await expect.poll(() => panel.locator('[data-connection-id]').count()).toBeGreaterThanOrEqual(4);
    expect(readFileSync(exportedPath, 'utf8')).toContain('s3cret-qa-token');
    await panel.getByRole('button', { name: 'Download options' }).click();
    const dialog = panel.getByRole('dialog', { name: 'Download options' });
    await dialog.getByLabel(/Redact secrets/).check();
    await dialog.getByLabel('Extra keys to redact').fill('type');
    const [download] = await Promise.all([panel.waitForEvent('download'), dialog.getByRole('button', { name: /^Download/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/-redacted\.har$/);
    const text = readFileSync((await download.path())!, 'utf8');
    const har = JSON.parse(text) as HarLog & { log: { comment?: string } };
    expect(text).not.toContain('s3cret-qa-token');
    expect(har.log._socketscope.redacted).toBe(true);
    expect(har.log.comment).toMatch(/Redacted by SocketScope/);
    // The user-listed key is gone from every payload; the rest of each payload is untouched.
    const payloads = har.log.entries.flatMap((e) => e._webSocketMessages.map((m) => m.data));
    expect(payloads.length).toBeGreaterThan(0);
    for (const data of payloads) expect(data).toMatch(/^\{"type":"\[REDACTED\]"/);
    // Still a diagnosable file.
    expect(diagnose(annotateHeartbeats(fromHar(text).session)).map((f) => f.kind)).toContain('idle-timeout');
    await panel.close();
  });

  it('opens a Chrome DevTools HAR export in the viewer by drag and drop', async () => {
    const viewer = await browser.context.newPage();
    await viewer.goto(`chrome-extension://${browser.extensionId}/src/viewer/index.html`);
    const content = readFileSync(join(ROOT, 'test', 'fixtures', 'chrome-export-reconnects.har'), 'utf8');
    const dataTransfer = await viewer.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'chrome-export.har', { type: 'application/json' }));
      return transfer;
    }, content);
    await viewer.dispatchEvent('body', 'dragenter', { dataTransfer });
    await viewer.dispatchEvent('body', 'dragover', { dataTransfer });
    await viewer.dispatchEvent('body', 'drop', { dataTransfer });
    await viewer.waitForFunction(() => window.socketscopeViewer?.lastImport?.fileName === 'chrome-export.har');
    await expect.poll(() => viewer.locator('[data-connection-id]').count()).toBe(3);
    await expect.poll(async () => (await viewer.locator('body').textContent()) ?? '').toMatch(/not made by SocketScope/);
    await viewer.close();
  });

  it('loads a 100 MB HAR in the viewer without freezing the page', async () => {
    const path = join(OUT, 'big-100mb.har');
    const bytes = writeBigHar(path, 100 * 1024 * 1024);
    const viewer = await browser.context.newPage();
    viewer.setDefaultTimeout(120_000);
    await viewer.goto(`chrome-extension://${browser.extensionId}/src/viewer/index.html`);
    // Long tasks on the page's thread, and the largest gap between animation frames, while the file loads.
    await viewer.evaluate(() => {
      const probe = { longTasks: [] as number[], maxFrameGapMs: 0, progressSeen: 0, loadedAt: 0 };
      (window as unknown as { probe: typeof probe }).probe = probe;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: false });
      let last = performance.now();
      const frame = (now: number) => {
        probe.maxFrameGapMs = Math.max(probe.maxFrameGapMs, now - last);
        last = now;
        if (document.querySelector('progress')) probe.progressSeen++;
        // Keep watching for 3 s after the file is in: the panel's first render and analysis happen then.
        if (window.socketscopeViewer?.lastImport && !probe.loadedAt) probe.loadedAt = now;
        if (!probe.loadedAt || now - probe.loadedAt < 3000) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const started = Date.now();
    await viewer.getByLabel('HAR file').setInputFiles(path);
    await viewer.waitForFunction(() => window.socketscopeViewer?.lastImport !== undefined, undefined, { timeout: 120_000, polling: 200 });
    const loadMs = Date.now() - started;
    await expect.poll(() => viewer.locator('[data-connection-id]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const renderedMs = Date.now() - started;
    await viewer.waitForTimeout(3500);
    const figures = await viewer.evaluate(() => ({ ...(window as unknown as { probe: { longTasks: number[]; maxFrameGapMs: number; progressSeen: number } }).probe, last: window.socketscopeViewer!.lastImport! }));
    const longest = Math.max(0, ...figures.longTasks);
    const report = {
      bytes,
      loadMs,
      renderedMs,
      timings: figures.last.timings,
      messages: figures.last.messages,
      longTasks: figures.longTasks.length,
      longestTaskMs: Math.round(longest),
      maxFrameGapMs: Math.round(figures.maxFrameGapMs),
      progressFrames: figures.progressSeen,
    };
    writeFileSync(join(OUT, 'big-har-figures.json'), JSON.stringify(report, null, 1));
    console.log('100 MB HAR in the viewer:', JSON.stringify(report));
    expect(figures.progressSeen).toBeGreaterThan(0);
    expect(figures.last.messages).toBeGreaterThan(100_000);
    expect(bytes).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    // Parsing, the diagnosis and the transfer happen in a worker: the page never blocks for long
    // (measured on this 2-core machine: longest task 0–440 ms depending on what else runs; a frozen page
    // would be one task of several seconds, as long as the parse).
    expect(longest).toBeLessThan(1000);
    await viewer.close();
    rmSync(path, { force: true });
  }, 180_000);
});

async function exportFromPanel(panel: Page) {
  const downloadPromise = panel.waitForEvent('download', { timeout: 20_000 });
  await panel.getByRole('button', { name: /^Export/ }).first().click();
  const confirm = panel.getByRole('button', { name: /^Download/ });
  const raced = await Promise.race([downloadPromise.then(() => 'downloaded'), confirm.waitFor({ timeout: 3000 }).then(() => 'dialog').catch(() => 'none')]);
  if (raced === 'dialog') await confirm.first().click();
  return downloadPromise;
}

/** A synthetic SocketScope HAR of about `targetBytes`: reconnecting sockets with JSON traffic. */
function writeBigHar(path: string, targetBytes: number): number {
  const start = Date.UTC(2025, 10, 5, 8, 0, 0);
  const payload = (n: number) => JSON.stringify({ type: 'price', symbol: 'ACME', seq: n, value: 100 + (n % 97) / 10, book: 'x'.repeat(120) });
  const connections: Connection[] = [];
  const perConnection = 5000;
  const approxPerMessage = 340; // bytes in the HAR per message (JSON.stringify(har, null, 1)), measured
  const count = Math.ceil(targetBytes / (perConnection * approxPerMessage));
  let t = start;
  for (let c = 0; c < count; c++) {
    const createdAt = t;
    const messages: Message[] = [];
    for (let i = 0; i < perConnection; i++) {
      const preview = payload(i);
      messages.push({ index: i, direction: i % 10 === 0 ? 'send' : 'receive', time: createdAt + 50 + i * 10, opcode: 1, size: preview.length, preview, truncated: false });
    }
    const last = messages[messages.length - 1].time;
    connections.push({
      id: `big-${c}`,
      frameUrl: 'https://big.example.test/',
      url: 'wss://big.example.test/feed',
      protocols: [],
      createdAt,
      openedAt: createdAt + 30,
      closedAt: last + 3000,
      close: { time: last + 3000, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
      messages,
    });
    t = last + 4000;
  }
  const session: Session = { id: 'big', name: 'big file', pageUrl: 'https://big.example.test/', startedAt: start, endedAt: t, connections, pageEvents: [], notes: [], dropped: { messages: 0, previews: 0, rejected: 0 }, source: 'live' };
  const text = JSON.stringify(toHar(session), null, 1);
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}
