// Chromium driven over a bare DevTools-protocol connection that never
// attaches to the pages it opens. Playwright (and puppeteer) enable the
// Network domain on every page, so each WebSocket frame becomes a protocol
// event serialized by the browser process: measured here, that alone cost
// about 2 CPU-seconds per 50k frames and kept both cores busy, which buried
// the extension's own cost in noise. The workload pages report their timings
// to the bench server instead (POST /report).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { CHROMIUM_PATH, QUIET_FLAGS, browserCpu } from './browser.mjs';
import { sleep } from './stats.mjs';

/** Whether a protocol message from the browser is a response ({"id":…}) rather than an event ({"method":…}). */
function isResponse(data) {
  // {"id"  =  7b 22 69 64
  return data.length > 5 && data[0] === 0x7b && data[1] === 0x22 && data[2] === 0x69 && data[3] === 0x64 && data[4] === 0x22;
}

export async function launchRaw({ extensionDir } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'socketscope-bench-raw-'));
  const args = [...QUIET_FLAGS, '--headless', `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0'];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  args.push('about:blank');
  const child = spawn(CHROMIUM_PATH, args, { stdio: 'ignore' });
  const portFile = join(userDataDir, 'DevToolsActivePort');
  // The browser writes the port, then the path: wait for both lines.
  let port;
  let path;
  for (let i = 0; i < 300 && !path; i++) {
    if (existsSync(portFile)) [port, path] = readFileSync(portFile, 'utf8').trim().split('\n');
    if (!path) await sleep(50);
  }
  if (!path) throw new Error(`Chromium did not open its DevTools port (${portFile})`);
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map();
  // Events are counted by method, never parsed: with the Network domain enabled on a page, every
  // WebSocket frame becomes an event (64 KiB binary frames arrive base64-encoded, 87 KB of JSON each),
  // and parsing them would make this process compete with the browser for the machine's two cores.
  // The browser writes responses as {"id":…} and events as {"method":"…",…}: the first bytes tell them apart.
  const eventCounts = new Map();
  /** Called with the params of the next Tracing.tracingComplete (the one event parsed: `traced`, below). */
  let onTracingComplete;
  socket.on('message', (data) => {
    if (!isResponse(data)) {
      const method = /^\{"method":"([^"]+)"/.exec(data.toString('latin1', 0, 96))?.[1] ?? '?';
      eventCounts.set(method, (eventCounts.get(method) ?? 0) + 1);
      if (method === 'Tracing.tracingComplete') onTracingComplete?.(JSON.parse(String(data)).params);
      return;
    }
    const message = JSON.parse(String(data));
    const waiter = message.id !== undefined && pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  async function serviceWorkerTarget() {
    for (let i = 0; i < 100; i++) {
      const { targetInfos } = await send('Target.getTargets');
      const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
      if (worker) return worker;
      await sleep(100);
    }
    throw new Error('the extension\'s service worker did not start');
  }
  const extensionId = extensionDir ? new URL((await serviceWorkerTarget()).url).host : '';
  /** Runs `use` with a protocol session attached to the extension's service worker, detached after. */
  async function inServiceWorker(use) {
    const { targetId } = await serviceWorkerTarget();
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    try {
      return await use(sessionId);
    } finally {
      await send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  }
  async function evaluate(expression, sessionId) {
    const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (exceptionDetails) throw new Error(`service worker: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  }

  return {
    extensionId,
    userDataDir,
    /** A reading of the browser's CPU, by process and thread (browser.mjs: browserCpu; cpuDelta compares two). */
    cpu: () => browserCpu(userDataDir),
    /**
     * Opens a page without attaching to it. With { network: true }, as with DevTools open on the page:
     * opens about:blank, attaches to its target (flatten), enables the Network domain on that session,
     * then navigates to url, so the page's sockets are reported as protocol events from their first frame.
     * The session ends when the page is closed.
     */
    async open(url, { network = false } = {}) {
      if (!network) {
        const { targetId } = await send('Target.createTarget', { url });
        return targetId;
      }
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      await send('Network.enable', {}, sessionId);
      await send('Page.navigate', { url }, sessionId);
      return targetId;
    },
    /**
     * Runs `use` while the browser records trace events of `categories` (every process), and returns
     * { result, events }: the trace read back as a stream once `use` is done. A diagnosis: tracing costs CPU.
     */
    async traced(categories, use) {
      await send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: categories } });
      let result;
      let failure;
      try {
        result = await use();
      } catch (error) {
        failure = error;
      }
      const complete = new Promise((resolve) => (onTracingComplete = resolve));
      await send('Tracing.end');
      const { stream } = await complete;
      onTracingComplete = undefined;
      const chunks = [];
      for (let eof = false; !eof; ) {
        const chunk = await send('IO.read', { handle: stream, size: 1 << 20 });
        chunks.push(chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data);
        eof = chunk.eof;
      }
      await send('IO.close', { handle: stream });
      if (failure) throw failure;
      return { result, events: JSON.parse(chunks.join('')).traceEvents };
    },
    /**
     * Navigates a page elsewhere, as a user leaving it (its pagehide runs: SocketScope hands over what it held,
     * docs/decisions.md 73), without waiting for the new page's load.
     */
    async navigate(targetId, url) {
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      try {
        await send('Page.navigate', { url }, sessionId);
      } finally {
        await send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
    },
    /**
     * A full garbage collection in the page's renderer (`HeapProfiler.collectGarbage`; the page's process, which the
     * page left for another of its site still runs), then 200 ms for the collector's background threads (the freed
     * ArrayBuffers' memory). The bench calls it at the end of every judged window, in every browser: whether a page's
     * garbage is collected inside the window or later depends on the collector's heuristics, and in Chromium 150 the
     * hook moved the collection of an ArrayBuffer flood's garbage out of the window (docs/decisions.md, 79).
     */
    async collectGarbage(targetId) {
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      try {
        await send('HeapProfiler.collectGarbage', {}, sessionId);
      } finally {
        await send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
      await sleep(200);
    },
    /** Events received since the last call, by method (counted, not parsed), then starts counting afresh. */
    takeEventCounts() {
      const counts = Object.fromEntries(eventCounts);
      eventCounts.clear();
      return counts;
    },
    /** Sends any protocol command, to the browser or to an attached session. */
    send,
    /** Brings a tab to the front of its window: the other tabs of the window become hidden (their timers are throttled). */
    activate: async (targetId) => {
      await send('Target.activateTarget', { targetId });
    },
    close: async (targetId) => {
      await send('Target.closeTarget', { targetId }).catch(() => {});
    },
    /**
     * The extension's whole `storage.session`, read by the browser (`Extensions.getStorageItems` on the
     * worker's target: no script of the worker runs, so nothing is left for its garbage collector), and
     * `getBytesInUse` (a number) from the worker.
     */
    storageItems: () =>
      inServiceWorker(async (sessionId) => {
        const { data } = await send('Extensions.getStorageItems', { id: extensionId, storageArea: 'session' }, sessionId);
        return { items: data, bytesInUse: await evaluate('chrome.storage.session.getBytesInUse(null)', sessionId) };
      }),
    /**
     * Evaluates an expression (awaiting its promise) in the extension's service worker. Just after the browser's
     * launch the worker runs before its extension APIs are bound (`chrome is not defined` in Chromium 156, `chrome.storage` undefined in 150): tried
     * again then, for up to 5 s.
     */
    async evaluateInServiceWorker(expression) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await inServiceWorker((sessionId) => evaluate(expression, sessionId));
        } catch (error) {
          // Chromium 156 says `chrome is not defined`; Chromium 150 has `chrome` without `storage` yet.
          if (attempt >= 50 || !/chrome is not defined|Cannot read properties of undefined \(reading '(local|session)'\)/.test(String(error?.message))) throw error;
          await sleep(100);
        }
      }
    },
    async quit() {
      await send('Browser.close').catch(() => {});
      socket.close();
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The live path in each browser with an extension: a SocketScope panel open in a tab of its own (for no tab), and the
 * "Every tab live" setting on, so every document hands its batches over as they come, as the page a user reads in its
 * own panel does (docs/decisions.md, 73 and 74). `everyTabLive: false`: the panel alone, reading another tab (the
 * measured page's batches stay in it). Waits for the background to have set the hello hint.
 */
export async function openReaders(browsers, { everyTabLive = true } = {}) {
  for (const browser of browsers) {
    if (!browser.extensionId) continue;
    await browser.open(`chrome-extension://${browser.extensionId}/src/panel/index.html?tabId=2000000000`);
    if (everyTabLive) await browser.evaluateInServiceWorker('chrome.storage.local.set({ settings: { everyTabLive: true } })');
    for (let i = 0; ; i++) {
      const items = await browser.evaluateInServiceWorker("chrome.storage.local.get('helloAtOnce')");
      if (items?.helloAtOnce === true) break;
      if (i > 100) throw new Error('the reader did not set the hello hint (storage.local helloAtOnce)');
      await sleep(50);
    }
  }
  await sleep(1000);
}

/**
 * The live path as a user debugging has it (threads.mjs and profile.mjs --reader=watch): opens SocketScope's panel on
 * the tab of the page whose URL holds `urlPart`, in a new window (so that both stay visible), and waits until it lists
 * the page's socket: the tab is read, its documents live (decision 74). Resolves to the panel's target, to close after
 * the run; undefined in a browser without an extension.
 */
export async function watchTab(browser, urlPart) {
  if (!browser.extensionId) return undefined;
  const tabId = await browser.evaluateInServiceWorker(
    `chrome.tabs.query({}).then((tabs) => tabs.find((tab) => (tab.url || tab.pendingUrl || '').includes(${JSON.stringify(urlPart)}))?.id ?? null)`,
  );
  if (typeof tabId !== 'number') throw new Error(`no tab's URL holds ${urlPart}`);
  const { targetId } = await browser.send('Target.createTarget', { url: `chrome-extension://${browser.extensionId}/src/panel/index.html?tabId=${tabId}`, newWindow: true });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  try {
    for (let i = 0; ; i++) {
      const { result } = await browser.send('Runtime.evaluate', { expression: "document.querySelectorAll('tr[data-connection-id]').length", returnByValue: true }, sessionId);
      if (result?.value > 0) break;
      if (i >= 200) throw new Error(`the panel on tab ${tabId} never listed the page's socket`);
      await sleep(50);
    }
  } finally {
    await browser.send('Target.detachFromTarget', { sessionId });
  }
  return targetId;
}
