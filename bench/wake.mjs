// npm run bench:wake: what loading a page WITHOUT sockets costs the browser, with SocketScope installed.
//
// Most pages open no socket, and an extension's service worker stops after 30 s without events (Chrome's rule):
// whatever makes a page talk to the worker restarts it (its thread, its scripts, its restore of every stored
// session) on the first page loaded after a pause. The bench's workloads run back to back, with the worker
// always running, so they never see it; this does (docs/decisions.md, 71).
//
// Each condition is a browser of its own; each run opens a new tab on bench/pages/empty.html (no socket), and
// reads every thread's CPU (lib/threads.mjs) from before the tab opens to 3 s after, the tab still open. The
// conditions, rotating after a warm-up round:
//   none              no extension
//   <build> running   the worker running when the page loads
//   <build> stopped   the worker stopped first (the DevTools protocol's ServiceWorker.stopAllWorkers), nothing stored
//   <build> stored    the worker stopped first, with one tab's flood of --stored text messages of 100 B stored
// for the build (dist/chrome, or --extension=DIR) and, with --baseline=DIR, for that build too. Prints, per
// condition, the medians of the CPU of all threads, of the extension's process and of the browser's main thread,
// and the extension's cost against `none` as a ratio of the threads' medians with its 90% interval.
//
// Options: --runs=N (default 9), --extension=DIR, --baseline=DIR, --stored=N (default 50000), --no-build.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireChromium } from './lib/browser.mjs';
import { launchRaw } from './lib/raw.mjs';
import { startBenchServer } from './lib/server.mjs';
import { addedText, median, ratioText, sleep } from './lib/stats.mjs';
import { threadDelta, threadRatio, threadTimes } from './lib/threads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const RUNS = Number(args.runs ?? 9);
const STORED = Number(args.stored ?? 50_000);
const EXTENSION_DIR = typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome');
const BASELINE_DIR = typeof args.baseline === 'string' ? args.baseline : undefined;
/** After the tab opens: its load, and the worker's start and restore if anything starts it. */
const SETTLE_MS = 3000;

requireChromium();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
for (const dir of [EXTENSION_DIR, BASELINE_DIR]) if (dir && !existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir}: no manifest.json there (npm run build)`);
const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
server.prepare(STORED, 100, false);

const workerTarget = async (browser) => (await browser.send('Target.getTargets')).targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));

/** A browser for one condition: its control tab (attached, with the ServiceWorker domain on) and, for `stored`, a flood stored. */
async function launch(name, extensionDir, mode) {
  const browser = await launchRaw(extensionDir ? { extensionDir } : {});
  if (mode === 'stored') {
    const socketUrl = `${server.wsOrigin}/blast?count=${STORED}&size=100&binary=0`;
    const targetId = await browser.open(`${server.origin}/recv.html?ws=${encodeURIComponent(socketUrl)}`);
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    const evaluate = async (expression) => (await browser.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId)).result?.value;
    for (let i = 0; i < 100 && (await evaluate('typeof window.run')) !== 'function'; i++) await sleep(100);
    await evaluate('window.ready');
    const report = await evaluate(`window.run(${STORED}, 100)`);
    if (!report) throw new Error(`${name}: the flood to store did not run`);
    await sleep(7000); // the worker's persist after the flood; the tab stays open (closing it would drop its session)
  }
  const control = await browser.open(`${server.origin}/empty.html?control`);
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId: control, flatten: true });
  await browser.send('ServiceWorker.enable', {}, sessionId);
  let stored = 0;
  if (extensionDir) {
    // What storage.session holds, read by the browser (no script of the worker runs).
    const worker = await workerTarget(browser);
    const attached = await browser.send('Target.attachToTarget', { targetId: worker.targetId, flatten: true });
    const { data } = await browser.send('Extensions.getStorageItems', { id: browser.extensionId, storageArea: 'session' }, attached.sessionId);
    await browser.send('Target.detachFromTarget', { sessionId: attached.sessionId });
    stored = JSON.stringify(data).length;
  }
  return { name, browser, mode, sessionId, stored };
}

/** Puts the worker in the condition's state before a run: stopped, or running (started by the popup, which asks it a question). */
async function prepare(side) {
  if (side.mode === 'none') return;
  if (side.mode === 'running') {
    if (await workerTarget(side.browser)) return;
    const popup = await side.browser.open(`chrome-extension://${side.browser.extensionId}/src/popup/index.html`);
    for (let i = 0; i < 50 && !(await workerTarget(side.browser)); i++) await sleep(100);
    await side.browser.close(popup);
    if (!(await workerTarget(side.browser))) throw new Error(`${side.name}: the worker did not start`);
    return;
  }
  await side.browser.send('ServiceWorker.stopAllWorkers', {}, side.sessionId);
  for (let i = 0; i < 50 && (await workerTarget(side.browser)); i++) await sleep(100);
  if (await workerTarget(side.browser)) throw new Error(`${side.name}: the worker did not stop`);
}

const builds = [['', EXTENSION_DIR], ...(BASELINE_DIR ? [['baseline ', BASELINE_DIR]] : [])];
const sides = [await launch('none', undefined, 'none')];
for (const [prefix, dir] of builds) for (const mode of ['running', 'stopped', 'stored']) sides.push(await launch(`${prefix}${mode}`, dir, mode));
console.log(`A page without sockets (bench/pages/empty.html) opened in a new tab; ${RUNS} runs per condition, rotating, after a warm-up round; the build: ${EXTENSION_DIR}${BASELINE_DIR ? `; baseline: ${BASELINE_DIR}` : ''}.`);
const samples = Object.fromEntries(sides.map((side) => [side.name, []]));
try {
  for (let i = 0; i <= RUNS; i++) {
    const order = sides.map((_, k) => sides[(k + i) % sides.length]);
    for (const side of order) {
      await prepare(side);
      await sleep(500);
      const before = threadTimes(side.browser.userDataDir);
      const tab = await side.browser.open(`${server.origin}/empty.html?run=${i}`);
      await sleep(SETTLE_MS);
      const delta = threadDelta(before, threadTimes(side.browser.userDataDir));
      await side.browser.close(tab);
      if (i > 0) samples[side.name].push(delta);
    }
  }
} finally {
  for (const side of sides) await side.browser.quit();
  await server.close();
}

const sum = (delta, keep = () => true) => Object.entries(delta).reduce((total, [key, ms]) => total + (keep(key) ? ms : 0), 0);
const none = samples.none;
console.log('\nCONDITION            STORED (chars)   ALL THREADS   EXTENSION PROCESS   BROWSER MAIN   (median ms of CPU per page)   AGAINST NONE [90%]');
for (const side of sides) {
  const runs = samples[side.name];
  const all = median(runs.map((d) => sum(d)));
  const extension = median(runs.map((d) => sum(d, (key) => key.startsWith('extension '))));
  const browserMain = median(runs.map((d) => d['browser main'] ?? 0));
  const against = side.name === 'none' ? '' : ((r) => `×${ratioText(r)} (${addedText(r.addedMs)})`)(threadRatio(runs, none));
  console.log(`${side.name.padEnd(20)} ${String(side.stored).padStart(14)}   ${all.toFixed(1).padStart(11)}   ${extension.toFixed(1).padStart(17)}   ${browserMain.toFixed(1).padStart(12)}   ${''.padStart(29)} ${against}`);
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', 'wake.json');
writeFileSync(out, JSON.stringify({ runs: RUNS, stored: STORED, extension: EXTENSION_DIR, baseline: BASELINE_DIR, samples }, null, 1));
console.log(`samples (ms per thread and run): ${out}`);
process.exit(0);
