// npm run bench:firefox -- --workload=recv-text: the capture cost in Firefox, as bench:threads measures it in Chromium.
//
// Runs one workload of the bench (lib/workloads.mjs) in two Firefox ESR browsers (Debian's, driven by puppeteer-core
// over WebDriver BiDi, as the Firefox end-to-end tests are), alternating, after a warm-up pair: "without" (no
// extension) and "with" (dist/firefox, or --extension=DIR). Each run is a new tab on the workload's page. Every thread
// of every process under each browser's main process is read to the nanosecond (lib/threads.mjs: treeThreadTimes) at
// the page's mark (its socket open, just before its traffic), after its last message and a settle of 1 s, and after
// the page is left for another of the same site and 1 s more: the traffic's window, judged as bench:threads judges
// Chromium's (docs/decisions.md, 63 and 73). Prints the threads' differences, the traffic's ratio with its 90%
// interval against the workload's CPU limit, and the page's own time against its page limit.
//
// Then, once, it checks what was recorded: one more run in the browser with the extension, its tab then sent to a
// page whose URL asks the extension to open its panel (AUTOMATION_OPEN_PANEL: automation only), and the panel's
// Export read back; every message of the workload must be in it or counted as dropped.
//
// What differs from bench:threads (Chromium): no Network domain (Firefox's DevTools cannot be opened this way), and
// no collection forced at the end of each window (no protocol command does it in Firefox; decision 79 found that
// Chromium's collections can move out of the window, so --leave=MS lengthens the leaving's window to see later work).
// Puppeteer attaches to each page in both browsers alike.
//
// Options: --workload=NAME (default recv-text), --runs=N (default 9), --extension=DIR, --no-build, --busy (one core
// spinning beside the browsers: lib/busy.mjs), --leave=MS (default 1000), --no-check, --reader=watch (a SocketScope
// panel watching the page's tab, in a window of its own, opened at the page's mark and counted in its load, as
// bench:threads --reader=watch does in Chromium: the live path with the panel's deltas and drawing; Firefox shows the
// panel in DevTools, which the driver cannot open, so the panel's page stands in a window beside the page's).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBusyLoad, stopBusyLoad } from './lib/busy.mjs';
import { launchFirefox, openPanelOn, pageOpened, requireFirefox } from './lib/firefox.mjs';
import { startBenchServer } from './lib/server.mjs';
import { addedText, median, ratioInterval, ratioText, sleep, verdictText } from './lib/stats.mjs';
import { printThreadTable, threadDelta, threadRatio, treeThreadTimes } from './lib/threads.mjs';
import { pageLimitOf, pageMsOf, WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const w = WORKLOADS.find((candidate) => candidate.name === (args.workload ?? 'recv-text'));
if (!w || w.info) throw new Error(`--workload=${args.workload}: expected one of ${WORKLOADS.filter((x) => !x.info).map((x) => x.name).join(', ')}`);
const RUNS = Number(args.runs ?? 9);
if (!(RUNS >= 1)) throw new Error(`--runs=${args.runs}: expected a number of runs`);
const EXTENSION_DIR = typeof args.extension === 'string' ? resolve(args.extension) : join(ROOT, 'dist', 'firefox'); // Firefox installs from an absolute path only
const SETTLE_MS = 1000;
const LEAVE_MS = args.leave === undefined ? SETTLE_MS : Number(args.leave);
if (!(LEAVE_MS >= 0)) throw new Error(`--leave=${args.leave}: expected a number of milliseconds`);
if (args.busy !== undefined && args.busy !== true) throw new Error(`--busy=${args.busy}: --busy takes no value`);
const BUSY = args.busy === true;
const CHECK = args['no-check'] !== true;
if (args.reader !== undefined && args.reader !== 'watch') throw new Error(`--reader=${args.reader}: expected --reader=watch`);
const READER_WATCH = args.reader === 'watch';
/**
 * The window that shows a SocketScope panel watching each run's page (--reader=watch): an extension page of its own,
 * kept between runs at the panel's address without a tab (which watches nothing), and sent to `?tabId=N` at each
 * run's mark. The driver cannot wait for an extension page's load in Firefox (BiDi never reports it), so the
 * extension page navigates itself and the bench polls it.
 */
let watcher;

requireFirefox();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`${EXTENSION_DIR}: no manifest.json there (npm run build)`);

const busy = BUSY ? await startBusyLoad() : undefined;
const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
if (w.kind === 'receive') server.prepare(w.count, w.size, w.binary);
const browsers = {};
try {
  browsers.without = await launchFirefox(undefined);
  browsers.with = await launchFirefox(EXTENSION_DIR);
} catch (error) {
  // Neither browser outlives a failed start (an extension Firefox refused, say).
  for (const { browser } of Object.values(browsers)) await browser.close().catch(() => undefined);
  await server.close();
  await busy?.stop();
  throw error;
}
const version = await browsers.with.browser.version();
if (READER_WATCH) {
  // The extension's origin, from a panel it opens once on a page of the bench's site (closed before the runs).
  const page = await browsers.with.browser.newPage();
  const panel = await openPanelOn(browsers.with.browser, page, server.origin);
  const origin = /^moz-extension:\/\/[^/]+/.exec(await panel.evaluate(() => location.href))?.[0]; // URL's origin is "null" for this scheme
  if (!origin) throw new Error('the panel the extension opened is not at a moz-extension:// address');
  // The panel opens the watching window itself: Firefox ESR 153's WebDriver BiDi refuses to navigate any context to a
  // moz-extension:// address ("unsupported operation"), where ESR 140 allowed it; an extension page may open its own.
  const before = new Set(await browsers.with.browser.pages());
  await panel.evaluate(() => chrome.windows.create({ url: new URL('index.html', location.href).href, type: 'normal' }).then(() => undefined));
  watcher = await pageOpened(browsers.with.browser, before);
  if (!watcher) throw new Error('the panel did not open the watching window');
  await watcherAt((href) => href === `${origin}/src/panel/index.html`, 'the panel without a tab');
  await panel.close();
  await page.close();
}
console.log(`${w.name} in ${version}${BUSY ? ', one core spinning beside the browsers' : ''}${READER_WATCH ? ", a SocketScope panel watching the page's tab (in a window of its own, opened at the page's mark)" : ''}: ${w.title}; ${RUNS} runs per browser, alternating, after a warm-up pair; without = no extension, with = ${EXTENSION_DIR}.`);

/** Waits until the watcher's page is at an address that `wanted` accepts and has loaded. */
async function watcherAt(wanted, what) {
  for (let i = 0; ; i++) {
    const state = await watcher.evaluate(() => ({ href: location.href, ready: document.readyState })).catch(() => undefined);
    if (state && wanted(state.href) && state.ready === 'complete') return;
    if (i >= 200) throw new Error(`the watching window never showed ${what} (it is at ${state?.href})`);
    await sleep(50);
  }
}
/** The watcher's panel on the tab whose URL holds `urlPart`, once it lists the page's socket (threads.mjs: watchTab, in Chromium). */
async function watchTab(urlPart) {
  const tabId = await watcher.evaluate(async (part) => {
    const tabs = await globalThis.browser.tabs.query({});
    const id = tabs.find((tab) => (tab.url ?? '').includes(part))?.id;
    if (id !== undefined) location.replace(`index.html?tabId=${id}`);
    return id ?? null;
  }, urlPart);
  if (typeof tabId !== 'number') throw new Error(`no tab's URL holds ${urlPart}`);
  await watcherAt((href) => href.endsWith(`?tabId=${tabId}`), `the panel on tab ${tabId}`);
  await untilListed(watcher, `the panel on tab ${tabId}`);
}
/** Waits until a panel lists a connection (20 s at most). Puppeteer's waits build their poller with Function(), which the panel's CSP refuses (test/e2e/support/firefox.ts). */
async function untilListed(panel, what) {
  for (let i = 0; ; i++) {
    if (await panel.evaluate(() => document.querySelectorAll('tr[data-connection-id]').length > 0)) return;
    if (i >= 400) throw new Error(`${what} listed no connection within 20 s`);
    await sleep(50);
  }
}
/** The watcher back at the panel's address without a tab, between runs. */
async function unwatch() {
  await watcher.evaluate(() => location.replace('index.html'));
  await watcherAt((href) => href.endsWith('/src/panel/index.html'), 'the panel without a tab');
}

/** One run of the workload in a new tab (a window of its own with --reader=watch): the threads at the start, at the mark, after the flood's settle and after the leaving. */
async function run(label, runId, { keep = false } = {}) {
  const { browser, pid } = browsers[label];
  const watching = READER_WATCH && label === 'with';
  server.atMark(runId, async () => {
    if (watching) await watchTab(runId);
    return treeThreadTimes(pid);
  });
  // With a watching window, each page gets a window of its own too (in both browsers alike): a new tab would open in
  // the watcher's window and hide the panel there, and a hidden panel draws nothing.
  const page = await browser.newPage(READER_WATCH ? { type: 'window' } : undefined);
  const before = treeThreadTimes(pid);
  await page.goto(workloadUrl(server, w, runId), { waitUntil: 'domcontentloaded' });
  const report = await server.waitReport(runId);
  await sleep(SETTLE_MS);
  const beforeLeaving = treeThreadTimes(pid);
  await page.goto(`${server.origin}/empty.html?left`, { waitUntil: 'domcontentloaded' });
  await sleep(LEAVE_MS);
  const after = treeThreadTimes(pid);
  const mark = server.takeMark(runId);
  if (!mark) throw new Error(`the page of run ${runId} never posted its /mark`);
  if (!keep) await page.close();
  if (watching) await unwatch();
  await sleep(500);
  return { page, report, before, mark, beforeLeaving, after };
}

/** The panel the extension opens for `page`'s tab (automation only), and its Export: the HAR it would download. */
async function exportTab(browser, page) {
  const panel = await openPanelOn(browser, page, server.origin);
  await untilListed(panel, 'the panel of the checked tab');
  const text = await panel.evaluate(() => {
    const exported = new Promise((resolve) => {
      const original = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (blob) => {
        if (blob instanceof Blob) resolve(blob.text());
        return original(blob);
      };
    });
    const button = [...document.querySelectorAll('button')].find((b) => !b.disabled && (b.textContent ?? '').trim() === 'Export');
    if (!button) return Promise.resolve('');
    button.click();
    return exported;
  });
  if (!text) throw new Error('the panel has no enabled Export button');
  return JSON.parse(text);
}

const windows = { traffic: { without: [], with: [] }, flood: { without: [], with: [] }, leaving: { without: [], with: [] }, load: { without: [], with: [] } };
const pageMs = { without: [], with: [] };
let recorded;
try {
  for (let i = 0; i <= RUNS; i++) {
    for (const label of i % 2 ? ['with', 'without'] : ['without', 'with']) {
      const { report, before, mark, beforeLeaving, after } = await run(label, `firefox-${label}-${i}-${Date.now()}`);
      if (i === 0) continue;
      windows.load[label].push(threadDelta(before, mark));
      windows.traffic[label].push(threadDelta(mark, after));
      windows.flood[label].push(threadDelta(mark, beforeLeaving));
      windows.leaving[label].push(threadDelta(beforeLeaving, after));
      pageMs[label].push(pageMsOf(w, report));
    }
  }
  if (CHECK) {
    const { page } = await run('with', `firefox-check-${Date.now()}`, { keep: true });
    const har = await exportTab(browsers.with.browser, page);
    const socketPath = w.kind === 'send' ? '/sink' : '/blast';
    const entry = har.log.entries.find((e) => e.request.url.includes(socketPath));
    if (!entry) throw new Error(`the export of the checked tab has no ${socketPath} socket (${har.log.entries.length} entries)`);
    // The workload's messages and one the other way: "go" (bench/pages/recv.html), or the sink's "got N" (send.html).
    const kept = entry._webSocketMessages.length;
    const dropped = entry._socketscope?.droppedMessages ?? 0;
    recorded = { expected: w.count + 1, kept, dropped, evictedPreviews: entry._socketscope?.evictedPreviews ?? 0 };
  }
} finally {
  for (const { browser } of Object.values(browsers)) await browser.close().catch(() => undefined);
  await server.close();
}
const busyRan = await stopBusyLoad(busy);

printThreadTable(`THE TRAFFIC (the page's mark to 1 s after its last message, then the page left and ${LEAVE_MS} ms)`, windows.traffic);

const ratios = Object.fromEntries(Object.entries(windows).map(([name, samples]) => [name, threadRatio(samples.with, samples.without)]));
const pageLimit = pageLimitOf(w, BUSY ? 'busy' : 'quiet');
const pageRatio = { ratio: median(pageMs.with) / median(pageMs.without), ...ratioInterval(pageMs.with, pageMs.without) };
console.log(`\nwith ÷ without, from the threads' medians (90% intervals over ${pageMs.with.length} run pairs):`);
console.log(`  the traffic:   ${ratioText(ratios.traffic)} (${addedText(ratios.traffic.addedMs)}); ${verdictText('CPU', ratios.traffic, w.cpuLimit)}`);
console.log(`  the traffic's two parts (information): the flood ${ratioText(ratios.flood)} (${addedText(ratios.flood.addedMs)}), the leaving ${ratioText(ratios.leaving)} (${addedText(ratios.leaving.addedMs)})`);
console.log(`  the load:      ${ratioText(ratios.load)} (${addedText(ratios.load.addedMs)}; information)`);
console.log(`  the page time: ${ratioText(pageRatio)} (${median(pageMs.with).toFixed(1)} / ${median(pageMs.without).toFixed(1)} ms, medians with / without); ${verdictText('page', pageRatio, pageLimit)}`);
let recordedOk = true;
if (recorded) {
  const { expected, kept, dropped, evictedPreviews } = recorded;
  recordedOk = kept + dropped === expected;
  console.log(`  recorded (one more run, exported from the panel): ${kept} messages kept and ${dropped} counted as dropped, of the socket's ${expected} (the workload's and one the other way; ${evictedPreviews} previews evicted, counted): ${recordedOk ? 'every message recorded or counted' : 'MESSAGES LOST'}`);
}
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `firefox-${w.name}${BUSY ? '+busy' : ''}${READER_WATCH ? '+watch' : ''}.json`);
const summary = (r) => ({ ratio: r.ratio, interval: { lo: r.lo, hi: r.hi }, addedMs: r.addedMs });
writeFileSync(
  file,
  JSON.stringify({ browser: version, workload: w.name, busy: busyRan ?? false, reader: READER_WATCH ? 'watch' : undefined, runs: RUNS, leaveMs: LEAVE_MS, with: EXTENSION_DIR, traffic: summary(ratios.traffic), flood: summary(ratios.flood), leaving: summary(ratios.leaving), load: summary(ratios.load), page: { ratio: pageRatio.ratio, interval: { lo: pageRatio.lo, hi: pageRatio.hi }, limit: pageLimit, ms: pageMs }, recorded, windows }, null, 1),
);
console.log(`samples (ms per thread and run): ${file.replace(`${ROOT}/`, '')}`);
if (!recordedOk) process.exitCode = 1;
