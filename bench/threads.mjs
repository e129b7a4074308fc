// npm run bench:threads -- --workload=recv-binary: where SocketScope's CPU goes, thread by thread.
//
// Runs one workload of the bench (lib/workloads.mjs) in two browsers, alternating, after a warm-up
// pair: "without" (no extension, or --baseline=DIR) and "with" (dist/chrome, or --extension=DIR).
// Around each run it reads every thread's CPU time to the nanosecond (lib/threads.mjs), the second
// reading after the page's last message and a settle, then the page left for another of the same site and a
// second settle (what a page nothing read hands over at pagehide is counted: docs/decisions.md, 73), before the
// tab closes (its renderer's threads would be gone). Prints, per process kind and thread, the median milliseconds without and with and
// their difference, largest first: the split the bench's whole-browser ratio cannot give, precise to
// a few milliseconds where that ratio moves by ±30–50 ms between runs. Each run is also read at the page's
// mark (bench/pages: its socket open, just before its traffic), so the tables come three times: the page's
// load, its traffic (judged, as the bench judges it: docs/decisions.md, 63) and the whole run. Ends with the
// threads' differences as ratios, with their 90% intervals and the workload's CPU limit, the traffic's two parts
// beside it (the flood, and the leaving: information), and the page's own time (its report, as the bench's page
// figure) against the workload's page limit, with its 90% interval; writes every sample to bench/results/.
//
// Options: --workload=NAME (default recv-binary), --runs=N (default 9), --baseline=DIR,
// --extension=DIR, --no-build (default: builds dist/chrome first, as npm run bench does), --network (the
// Network domain enabled on the page, as an open DevTools does: the bench's +network conditions), --reader (a
// SocketScope panel open in each browser with an extension: documents hand every batch over as it comes),
// --reader=other (a panel open on another tab only), --reader=closed (the page's tab read from its start, "Every tab
// live", and no longer from its mark on: its traffic comes after the reading stopped, as after a panel was closed;
// docs/decisions.md, 77), --reader=watch (a SocketScope panel watching the page's own tab, in a window of its own,
// opened at the page's mark: the live path as a user debugging with the panel has it, the panel's deltas and drawing
// included; --reader's panel watches no tab), --busy (one core spinning beside the browsers from before they start
// until they quit, as the bench's busy conditions: lib/busy.mjs; its CPU is not in the tables, which read the
// browsers' threads only),
// --leave=MS (the leaving's window runs MS instead of the judged 1 s: information), --no-collect (no garbage collection
// forced at the end of each window, as before decision 79: information).
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireChromium } from './lib/browser.mjs';
import { startBusyLoad, stopBusyLoad } from './lib/busy.mjs';
import { launchRaw, openReaders, watchTab } from './lib/raw.mjs';
import { startBenchServer } from './lib/server.mjs';
import { buildDir, buildId, buildName, conditionVerdict, MIN_SITTING_PAIRS, readSittings } from './lib/sittings.mjs';
import { addedText, againstLimit, median, ratioInterval, ratioText, sleep, verdictText } from './lib/stats.mjs';
import { printThreadTable, threadDelta, threadRatio, threadTimes } from './lib/threads.mjs';
import { pageLimitOf, pageMsOf, WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const w = WORKLOADS.find((candidate) => candidate.name === (args.workload ?? 'recv-binary'));
if (!w) throw new Error(`--workload=${args.workload}: expected one of ${WORKLOADS.map((x) => x.name).join(', ')}`);
const RUNS = Number(args.runs ?? 9);
const EXTENSION_DIR = typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome');
const NETWORK = args.network === true;
/**
 * --reader: the live path (a panel open, "Every tab live"); --reader=other: a panel open on another tab, nothing else;
 * --reader=closed: "Every tab live" on when the page starts, off at its mark (before its traffic); --reader=watch: a
 * panel watching the page's tab, opened at its mark (decision 74: that alone makes the tab live).
 */
const READER_OTHER = args.reader === 'other';
const READER_CLOSED = args.reader === 'closed';
const READER_WATCH = args.reader === 'watch';
const READER = args.reader === true || READER_OTHER || READER_CLOSED || READER_WATCH;
if (args.reader !== undefined && !READER) throw new Error(`--reader=${args.reader}: expected --reader, --reader=other, --reader=closed or --reader=watch`);
/** The mode as the results file records it (true: the live path), and its file name's suffix. */
const READER_MODE = READER_WATCH ? 'watch' : READER_CLOSED ? 'closed' : READER_OTHER ? 'other' : READER;
const READER_SUFFIX = READER_MODE === true ? '+reader' : READER_MODE ? `+reader-${READER_MODE}` : '';
/** --reader=closed: turns "Every tab live" on or off in a browser with an extension, and gives the worker time to tell its documents. */
async function everyTabLive(browser, on) {
  if (!browser.extensionId) return;
  await browser.evaluateInServiceWorker(`chrome.storage.local.set({ settings: { everyTabLive: ${on} } })`);
  await sleep(300);
}
const BASELINE_DIR = typeof args.baseline === 'string' ? args.baseline : undefined;
if (BASELINE_DIR && !existsSync(join(BASELINE_DIR, 'manifest.json'))) throw new Error(`--baseline=${BASELINE_DIR}: no manifest.json there`);
/** After the page's report: time for the hook's timer, the relay and the background to finish (as run.mjs). */
const SETTLE_MS = 1000;
/** --leave=MS: how long the leaving's window runs after the navigation (default SETTLE_MS, as judged; longer: what comes later, information). */
const LEAVE_MS = args.leave === undefined ? SETTLE_MS : Number(args.leave);
if (!(LEAVE_MS >= 0)) throw new Error(`--leave=${args.leave}: expected a number of milliseconds`);
if (args.busy !== undefined && args.busy !== true) throw new Error(`--busy=${args.busy}: --busy takes no value`);
const BUSY = args.busy === true;
/** --no-collect: no forced collection at the end of each run's window (the window before decision 79: information). */
const COLLECT = args['no-collect'] !== true;

requireChromium();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`${EXTENSION_DIR}: no manifest.json there (npm run build)`);
const busy = BUSY ? await startBusyLoad() : undefined;
const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
if (w.kind === 'receive') server.prepare(w.count, w.size, w.binary);
const browsers = { without: await launchRaw(BASELINE_DIR ? { extensionDir: BASELINE_DIR } : {}), with: await launchRaw({ extensionDir: EXTENSION_DIR }) };
if (READER && !READER_WATCH) await openReaders(Object.values(browsers), { everyTabLive: !READER_OTHER && !READER_CLOSED });
const readerText = READER_WATCH
  ? ", a SocketScope panel watching the page's tab (in a window of its own, opened at the page's mark)"
  : READER_CLOSED
    ? ', the page read from its start ("Every tab live", a panel on another tab) and not from its mark on'
    : READER_OTHER
      ? ', a SocketScope panel open on another tab'
      : READER
        ? ', a SocketScope panel open and "Every tab live" (the live path)'
        : '';
console.log(`${w.name}${NETWORK ? ' with the Network domain enabled' : ''}${COLLECT ? '' : ', no collection forced at the end of each window (information)'}${BUSY ? ', one core spinning beside the browsers' : ''}${readerText}: ${w.title}; ${RUNS} runs per browser, alternating, after a warm-up pair; without = ${BASELINE_DIR ?? 'no extension'}, with = ${EXTENSION_DIR}${LEAVE_MS !== SETTLE_MS ? `; the leaving's window runs ${LEAVE_MS} ms, not the judged ${SETTLE_MS}, so the traffic's ratio below is information, not the judged one` : ''}.`);
// Two windows per run, split at the page's mark (bench/pages: after the socket's open and 300 ms, before "go"):
// `load` from before the page's navigation to the mark (the page's load, the content scripts, the socket's open and
// its first batch), `traffic` from the mark to the settles after its last message and after the page is left.
const samples = { without: [], with: [] };
const load = { without: [], with: [] };
const traffic = { without: [], with: [] };
/** The traffic split in two (information): the flood (the mark to before the leaving), and the leaving with its settle. */
const flood = { without: [], with: [] };
const leaving = { without: [], with: [] };
/** The page's own time per run (its report: as run.mjs's page time), judged against the workload's page limit. */
const pageMs = { without: [], with: [] };
try {
  for (let i = 0; i <= RUNS; i++) {
    for (const label of i % 2 ? ['with', 'without'] : ['without', 'with']) {
      const browser = browsers[label];
      const runId = `threads-${label}-${i}-${Date.now()}`;
      if (READER_CLOSED) await everyTabLive(browser, true);
      // At the mark (the page waits for its answer): with --reader=closed the reading stops first, with --reader=watch
      // the panel opens on the page's tab, both counted in the load.
      let panel;
      server.atMark(runId, async () => {
        if (READER_CLOSED) await everyTabLive(browser, false);
        if (READER_WATCH) panel = await watchTab(browser, runId);
        return threadTimes(browser.userDataDir);
      });
      const before = threadTimes(browser.userDataDir);
      const target = await browser.open(workloadUrl(server, w, runId), { network: NETWORK });
      const report = await server.waitReport(runId);
      await sleep(SETTLE_MS);
      // The user leaves the page, as the bench does (run.mjs: what a page nothing read hands over then is counted).
      const beforeLeaving = threadTimes(browser.userDataDir);
      await browser.navigate(target, `${server.origin}/empty.html?left`);
      await sleep(LEAVE_MS);
      // The page's garbage collected inside the window, in both browsers (docs/decisions.md, 79).
      if (COLLECT) await browser.collectGarbage(target);
      const after = threadTimes(browser.userDataDir);
      const mark = server.takeMark(runId);
      if (!mark) throw new Error(`the page of run ${runId} never posted its /mark`);
      await browser.close(target);
      if (panel) await browser.close(panel);
      await sleep(500);
      if (i > 0) {
        samples[label].push(threadDelta(before, after));
        load[label].push(threadDelta(before, mark));
        traffic[label].push(threadDelta(mark, after));
        flood[label].push(threadDelta(mark, beforeLeaving));
        leaving[label].push(threadDelta(beforeLeaving, after));
        pageMs[label].push(pageMsOf(w, report));
      }
    }
  }
} finally {
  await browsers.without.quit();
  await browsers.with.quit();
  await server.close();
}
const busyRan = await stopBusyLoad(busy);
/** Per thread, the median ms without and with (lib/threads.mjs: printThreadTable); then the threads' differences as one ratio. */
function report(title, windowSamples) {
  printThreadTable(title, windowSamples);
  // lib/threads.mjs: threadRatio.
  return threadRatio(windowSamples.with, windowSamples.without);
}
const loadRatio = report('THE PAGE\'S LOAD AND ITS SOCKET\'S OPEN (navigation to the page\'s mark; information)', load);
const trafficRatio = report('THE TRAFFIC (the page\'s mark to 1 s after its last message, then the page left and 1 s: judged)', traffic);
const wholeRatio = report('THE WHOLE RUN (both together, as the bench\'s whole-run figure; information)', samples);
const verdict = verdictText('CPU', trafficRatio, w.cpuLimit);
console.log(`\nwith ÷ without, from the threads' medians (90% intervals over ${samples.with.length} run pairs):`);
console.log(`  the traffic:   ${ratioText(trafficRatio)} (${addedText(trafficRatio.addedMs)}); ${verdict}`);
console.log(`  the whole run: ${ratioText(wholeRatio)} (${addedText(wholeRatio.addedMs)}; information)`);
console.log(`  the load:      ${ratioText(loadRatio)} (${addedText(loadRatio.addedMs)}; information)`);
// The traffic's two parts, without their tables: what the page's messages cost, and what leaving it costs (a held
// document's compact record, the worker's ingest of it, the next page's start: docs/decisions.md, 73).
const floodRatio = threadRatio(flood.with, flood.without);
const leavingRatio = threadRatio(leaving.with, leaving.without);
console.log(`  the traffic's two parts (information): the flood ${ratioText(floodRatio)} (${addedText(floodRatio.addedMs)}), the leaving ${ratioText(leavingRatio)} (${addedText(leavingRatio.addedMs)})`);
// The page's time, as the bench's page figure (run.mjs), with as many pairs as the CPU figures.
const pageLimit = pageLimitOf(w, BUSY ? 'busy' : 'quiet');
const pageRatio = { ratio: median(pageMs.with) / median(pageMs.without), ...ratioInterval(pageMs.with, pageMs.without) };
const pageVerdict = verdictText('page', pageRatio, pageLimit);
console.log(`  the page time: ${ratioText(pageRatio)} (${median(pageMs.with).toFixed(1)} / ${median(pageMs.without).toFixed(1)} ms, medians with / without); ${pageVerdict}`);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `threads-${w.name}${NETWORK ? '+network' : ''}${BUSY ? '+busy' : ''}${READER_SUFFIX}${COLLECT ? '' : '+nocollect'}.json`);
const summary = (r) => ({ ratio: r.ratio, interval: { lo: r.lo, hi: r.hi }, addedMs: r.addedMs });
writeFileSync(
  file,
  JSON.stringify({ workload: w.name, network: NETWORK, collect: COLLECT, busy: busyRan ?? false, reader: READER_MODE, runs: RUNS, without: BASELINE_DIR ?? null, with: EXTENSION_DIR, traffic: summary(trafficRatio), flood: summary(floodRatio), leaving: summary(leavingRatio), page: { ratio: pageRatio.ratio, interval: { lo: pageRatio.lo, hi: pageRatio.hi }, limit: pageLimit, ms: pageMs }, whole: summary(wholeRatio), load: summary(loadRatio), samples, windows: { load, traffic, flood, leaving } }, null, 1),
);
console.log(`samples (ms per thread and run; samples: the whole run, windows: split at the mark): ${file.replace(`${ROOT}/`, '')}`);
// This run is one sitting of its condition (docs/decisions.md, 89): kept in sittings.jsonl, then every sitting of the
// same condition with the same two builds, and what they say together.
const figure = (r, limit) => ({ ratio: r.ratio, lo: r.lo, hi: r.hi, limit, ...(Number.isFinite(limit) ? againstLimit(r.ratio, r, limit) : {}) });
const sitting = {
  at: new Date().toISOString(),
  workload: w.name,
  network: NETWORK,
  busy: BUSY,
  reader: READER_MODE,
  collect: COLLECT,
  leaveMs: LEAVE_MS,
  without: buildId(BASELINE_DIR),
  with: buildId(EXTENSION_DIR),
  withoutDir: buildDir(BASELINE_DIR, ROOT),
  withDir: buildDir(EXTENSION_DIR, ROOT),
  pairs: samples.with.length,
  busyShare: busyRan ? busyRan.coreShare : null,
  cpu: { ...figure(trafficRatio, w.cpuLimit), addedMs: trafficRatio.addedMs },
  page: figure(pageRatio, pageLimit),
};
const sittingsFile = join(dir, 'sittings.jsonl');
appendFileSync(sittingsFile, `${JSON.stringify(sitting)}\n`);
const sittings = readSittings(sittingsFile, sitting);
console.log(`\nTHIS CONDITION'S SITTINGS (the same builds: without ${buildName(sittings, 'without')}, with ${buildName(sittings, 'with')}; ${sittingsFile.replace(`${ROOT}/`, '')}; docs/decisions.md, 89)`);
for (const s of sittings) console.log(`  ${s.at.slice(0, 16).replace('T', ' ')} UTC, ${s.pairs} pairs${s.pairs < MIN_SITTING_PAIRS ? ' (too few to count)' : ''}${s.busyShare ? `, the busy load ${Math.round(s.busyShare * 100)}% of a core` : ''}: CPU ${ratioText(s.cpu)} (${addedText(s.cpu.addedMs)}), page ${ratioText(s.page)}`);
const together = conditionVerdict(sittings);
for (const [what, limit, verdict] of [['CPU', w.cpuLimit, together.cpu], ['page', pageLimit, together.page]]) {
  if (verdict) console.log(`  its ${what} limit ${limit.toFixed(2)}: ${verdict.text}`);
}
