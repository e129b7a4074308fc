#!/usr/bin/env node
// SocketScope demo: a small live-prices app whose WebSocket goes through a
// real intermediary with a 3 s idle timeout (Debian's nginx when installed,
// otherwise a built-in proxy that cuts idle connections the same way), opened
// in Chromium with the built extension, so SocketScope diagnoses the drops.
//
//   npm run demo                 headed: a Chromium window with the app and the SocketScope panel; Ctrl+C to stop
//   npm run demo -- --headless   the same scenario without a display: prints the findings, writes
//                                demo-output/socketscope-demo.har and demo-output/panel.png, exits 0
//                                only when SocketScope named the idle timeout
//
// Options: --seconds=N (how long the headless run records, default 25),
//          --builtin-proxy (use the built-in proxy even when nginx is installed).
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), NGINX_PATH (default /usr/sbin/nginx).
//
// Plain ESM for node 20; uses only devDependencies already installed (ws, playwright-core).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NGINX_PATH, startNginx } from './lib/nginx.mjs';
import { CHROMIUM_PATH, QUIET_FLAGS } from './lib/chromium.mjs';
import { readStoredSession } from './lib/storedSession.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT_DIR = join(ROOT, 'demo-output');
const EXTENSION_DIR = join(ROOT, 'dist', 'chrome');
const CLI = join(ROOT, 'dist', 'cli', 'socketscope.mjs');
const IDLE_TIMEOUT_MS = 3000;
const RECONNECT_DELAY_MS = 1000;

const args = process.argv.slice(2);
const headless = args.includes('--headless');
const forceBuiltinProxy = args.includes('--builtin-proxy');
const secondsArg = args.find((arg) => arg.startsWith('--seconds='));
const recordSeconds = secondsArg ? Math.max(10, Number(secondsArg.slice('--seconds='.length)) || 25) : 25;
if (args.includes('--help') || args.includes('-h')) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 17).map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const log = (text = '') => console.log(text);
const say = (text) => console.log(`demo: ${text}`);
const fail = (text) => {
  console.error(`demo: ${text}`);
  process.exit(1);
};

// ---------------------------------------------------------------------------
// Preconditions, checked before anything starts, each with what to do.

if (!headless && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error(
    'demo: no display (DISPLAY is not set), so Chromium cannot open a window here.\n' +
      '      Run it headless:      npm run demo -- --headless\n' +
      '      or with a virtual X:  xvfb-run -a npm run demo',
  );
  process.exit(2);
}
if (!existsSync(CHROMIUM_PATH)) {
  fail(`${CHROMIUM_PATH} is missing: install Debian's Chromium (sudo apt-get install chromium, or npm run setup), or set CHROMIUM_PATH.`);
}
let playwright;
try {
  playwright = await import('playwright-core');
} catch {
  fail('playwright-core is not installed: run `npm ci` (or `npm install`) first.');
}
let WebSocketServer;
try {
  ({ WebSocketServer } = await import('ws'));
} catch {
  fail('the ws package is not installed: run `npm ci` (or `npm install`) first.');
}
if (!existsSync(join(EXTENSION_DIR, 'manifest.json')) || !existsSync(CLI)) {
  say('the extension is not built yet: running `npm run build` (about a minute)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) fail('`npm run build` failed: see above.');
}

// ---------------------------------------------------------------------------
// The app: a page and a WebSocket server that sends a burst of prices after
// each connect and then falls silent (a quiet market), like many real feeds.

const APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Live prices (SocketScope demo)</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 46em; padding: 0 1em; color: #222; }
  .price { font-size: 2.4em; font-weight: 600; }
  .state { display: inline-block; padding: 0 .5em; border-radius: 4px; background: #e6f4ea; color: #137333; }
  .state.down { background: #fce8e6; color: #c5221f; }
  ol { font: 13px ui-monospace, monospace; color: #444; }
  .hint { background: #f1f3f4; padding: .8em 1em; border-radius: 6px; }
</style>
</head>
<body>
<h1>ACME live price</h1>
<p class="price" id="price">…</p>
<p>Socket: <span class="state" id="state">connecting</span> · reconnects after ${RECONNECT_DELAY_MS / 1000} s</p>
<p class="hint">This page keeps a WebSocket open through a proxy that closes connections idle for ${IDLE_TIMEOUT_MS / 1000} s.
The server only speaks when prices move, so the socket keeps dropping (close code 1006, no close frame).
Open DevTools → <b>SocketScope</b> to see why.</p>
<h2>Connection log</h2>
<ol id="log"></ol>
<script>
  const logList = document.getElementById('log');
  const stateLabel = document.getElementById('state');
  const line = (text) => { const item = document.createElement('li'); item.textContent = new Date().toLocaleTimeString() + '  ' + text; logList.prepend(item); };
  let opened = 0;
  function connect() {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/prices?symbol=ACME');
    ws.onopen = () => { opened = Date.now(); stateLabel.textContent = 'open'; stateLabel.className = 'state'; line('open'); ws.send(JSON.stringify({ type: 'subscribe', symbol: 'ACME' })); };
    ws.onmessage = (event) => { const message = JSON.parse(event.data); if (message.price) document.getElementById('price').textContent = message.price.toFixed(2) + ' USD'; };
    ws.onclose = (event) => {
      stateLabel.textContent = 'closed ' + event.code; stateLabel.className = 'state down';
      line('closed ' + event.code + (event.wasClean ? '' : ' (not clean)') + ' after ' + ((Date.now() - opened) / 1000).toFixed(1) + ' s; reconnecting');
      setTimeout(connect, ${RECONNECT_DELAY_MS});
    };
  }
  connect();
</script>
</body>
</html>`;

async function startApp() {
  const sockets = new Set();
  const server = createHttpServer((request, response) => {
    if (request.url === '/' || request.url?.startsWith('/?')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(APP_HTML);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server, path: '/prices' });
  wss.on('connection', (ws) => {
    let price = 100 + Math.random() * 5;
    let sent = 0;
    ws.on('message', () => {
      ws.send(JSON.stringify({ type: 'subscribed', symbol: 'ACME' }));
      const timer = setInterval(() => {
        if (sent++ >= 3 || ws.readyState !== ws.OPEN) return clearInterval(timer);
        price += (Math.random() - 0.5) / 2;
        ws.send(JSON.stringify({ type: 'price', symbol: 'ACME', price }));
      }, 400);
      ws.on('close', () => clearInterval(timer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------
// The intermediary: nginx when installed (the real thing), otherwise a
// built-in proxy that does what nginx's proxy_read_timeout does to a
// WebSocket: when the upstream has said nothing for the timeout, it closes the
// TCP connection without a WebSocket close frame, so the page sees 1006.

async function startNginxProxy(upstreamPort) {
  const nginx = await startNginx(upstreamPort, { readTimeoutMs: IDLE_TIMEOUT_MS, writtenBy: "SocketScope's demo (scripts/demo.mjs)" });
  return { ...nginx, label: `nginx (${nginx.version || NGINX_PATH}) with proxy_read_timeout ${IDLE_TIMEOUT_MS / 1000}s` };
}

async function startBuiltinProxy(upstreamPort, why) {
  const pairs = new Set();
  const server = createNetServer((client) => {
    const upstream = netConnect(upstreamPort, '127.0.0.1');
    let timer;
    const cut = () => {
      clearTimeout(timer);
      // destroy(): TCP goes away with no WebSocket close frame, exactly what nginx does on proxy_read_timeout.
      client.destroy();
      upstream.destroy();
      pairs.delete(cut);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(cut, IDLE_TIMEOUT_MS);
    };
    pairs.add(cut);
    // Like nginx's proxy_read_timeout on an upgraded connection: traffic either way resets the clock.
    upstream.on('data', arm);
    client.on('data', arm);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
    arm();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    label: `SocketScope's built-in idle-timeout proxy (NOT nginx: ${why}); it cuts TCP after ${IDLE_TIMEOUT_MS / 1000} s of silence, like nginx's proxy_read_timeout`,
    async close() {
      for (const cut of [...pairs]) cut();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------
// The browser

async function launchChromium() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'socketscope-demo-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless,
    viewport: headless ? { width: 1400, height: 860 } : null,
    acceptDownloads: true,
    args: [
      ...QUIET_FLAGS,
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      ...(headless ? [] : ['--auto-open-devtools-for-tabs']),
    ],
  });
  const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    async serviceWorker() {
      return context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The tab's session as the background stored it (storage.session), found by page URL: scripts/lib/storedSession.mjs. */
async function findSession(browser, pageUrlPrefix) {
  const worker = await browser.serviceWorker();
  return readStoredSession(await worker.evaluate(() => chrome.storage.session.get(null)), pageUrlPrefix);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------

const cleanups = [];
async function cleanUp() {
  while (cleanups.length) await cleanups.pop()().catch(() => {});
}
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  say('stopping…');
  void cleanUp().then(() => process.exit(headless ? 130 : 0));
});

async function main() {
  const started = Date.now();
  const app = await startApp();
  cleanups.push(() => app.close());

  let proxy;
  let why = forceBuiltinProxy ? '--builtin-proxy was given' : `${NGINX_PATH} is not installed (sudo apt-get install nginx)`;
  if (!forceBuiltinProxy && existsSync(NGINX_PATH)) {
    try {
      proxy = await startNginxProxy(app.port);
    } catch (error) {
      why = `nginx did not start: ${error.message}`;
      say(`${why}; using the built-in proxy instead.`);
    }
  }
  proxy ??= await startBuiltinProxy(app.port, why);
  cleanups.push(() => proxy.close());
  const appUrl = `http://127.0.0.1:${proxy.port}/`;

  log();
  log('SocketScope demo');
  log(`  app:           ${appUrl}  (a WebSocket server on 127.0.0.1:${app.port} that falls silent after each burst)`);
  log(`  intermediary:  ${proxy.label}`);
  log(`  browser:       ${CHROMIUM_PATH}${headless ? ' (headless)' : ''} with the extension from ${relative(ROOT, EXTENSION_DIR)}/`);
  log();

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(appUrl);

  // The tab's id, from the session the background keeps for it.
  let found;
  for (let i = 0; i < 100 && !found; i++) {
    found = await findSession(browser, appUrl);
    if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!found) throw new Error('the extension did not record the app page: is dist/chrome up to date (npm run build)?');
  const { tabId } = found;

  // The SocketScope panel for that tab, as a tab of its own (the same panel DevTools shows).
  const panel = await browser.context.newPage();
  panel.setDefaultTimeout(15_000);
  await panel.goto(`chrome-extension://${browser.extensionId}/src/panel/index.html?tabId=${tabId}`);
  // Record a named QA session with a note, as a tester would from the toolbar popup.
  await panel.evaluate(
    ([id]) =>
      chrome.runtime
        .sendMessage({ kind: 'record-start', tabId: id, name: 'SocketScope demo' })
        .then(() => chrome.runtime.sendMessage({ kind: 'note-add', tabId: id, text: 'Demo started: the server goes quiet after each burst of prices' })),
    [tabId],
  );
  if (!headless) {
    await page.bringToFront();
    say('Chromium is open: the app tab (with DevTools: pick the SocketScope panel) and a SocketScope panel tab.');
    say(`watch the drops come every ~${seconds(IDLE_TIMEOUT_MS + RECONNECT_DELAY_MS + 1000)}; the diagnosis names the idle timeout after three of them.`);
  }

  // Watch the drops happen, in the terminal too.
  const deadline = started + recordSeconds * 1000;
  const reported = new Set();
  let session = found.session;
  while (Date.now() < deadline && !interrupted) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    session = (await findSession(browser, appUrl))?.session ?? session;
    for (const [n, connection] of session.connections.entries()) {
      if (!connection.close || reported.has(connection.id)) continue;
      reported.add(connection.id);
      const silence = connection.lastMessageAt !== undefined ? ` after ${seconds(connection.close.time - connection.lastMessageAt)} of silence` : '';
      say(`socket #${n + 1} closed ${connection.close.code}${connection.close.wasClean ? '' : ' (no close frame)'}${silence}`);
    }
  }
  if (interrupted) return 130;

  await panel.evaluate(([id]) => chrome.runtime.sendMessage({ kind: 'record-stop', tabId: id }), [tabId]);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const harPath = join(OUTPUT_DIR, 'socketscope-demo.har');
  const pngPath = join(OUTPUT_DIR, 'panel.png');

  // Export through the panel, as a user would: Export (then Download, when the options dialog shows).
  await panel.bringToFront();
  await panel.waitForSelector('[data-connection-id]');
  const download = await exportFromPanel(panel);
  await download.saveAs(harPath);
  await panel.keyboard.press('Escape').catch(() => {});
  // Select the first dropped connection so the screenshot shows its timeline and messages.
  await panel.locator('[data-connection-id]').first().click().catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 800));
  await panel.screenshot({ path: pngPath });
  log();
  say(`wrote ${relative(process.cwd(), harPath)} and ${relative(process.cwd(), pngPath)}`);
  log();

  // The findings, by the CLI, from the exported file (the same core the panel runs).
  const report = spawnSync(process.execPath, [CLI, 'analyze', harPath], { encoding: 'utf8' });
  process.stdout.write(report.stdout);
  if (report.status !== 0) process.stderr.write(report.stderr);
  const json = spawnSync(process.execPath, [CLI, 'analyze', harPath, '--json'], { encoding: 'utf8' });
  let kinds = [];
  try {
    kinds = JSON.parse(json.stdout).findings.map((finding) => finding.kind);
  } catch {
    /* reported below */
  }
  const ok = kinds.includes('idle-timeout');
  log();
  if (ok) say(`SocketScope named the idle timeout in ${seconds(Date.now() - started)} (findings: ${kinds.join(', ')}).`);
  else say(`no idle-timeout finding (findings: ${kinds.join(', ') || 'none'}): something is off, see the report above.`);

  if (!headless) {
    say('the browser stays open: explore the panel, then press Ctrl+C (or close Chromium) to end the demo.');
    await new Promise((resolve) => browser.context.once('close', resolve));
  }
  return ok ? 0 : 1;
}

async function exportFromPanel(panel) {
  const downloadPromise = panel.waitForEvent('download', { timeout: 20_000 });
  await panel.getByRole('button', { name: /^Export/ }).first().click();
  // The Export button may open the options dialog; its Download button writes the file.
  const confirm = panel.getByRole('button', { name: /^Download/ });
  const raced = await Promise.race([downloadPromise.then(() => 'downloaded'), confirm.waitFor({ timeout: 3000 }).then(() => 'dialog').catch(() => 'none')]);
  if (raced === 'dialog') await confirm.first().click();
  return downloadPromise;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
