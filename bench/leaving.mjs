// npm run bench:leaving -- --workload=recv-binary: when a left page's garbage is collected, without and with SocketScope.
//
// Each run opens one workload's page (lib/workloads.mjs), waits for its report and 1 s, then leaves it for another
// page of the same site (the same renderer), as the bench does. It reads the page's renderer's main thread CPU
// (lib/threads.mjs) over the leaving's 1 s, the renderers' resident memory before the leaving, 1 s and 4 s after
// it, and then forces a full collection (`HeapProfiler.collectGarbage`) and reads what it cost and the memory after.
// A page whose garbage the navigation got collected pays for it inside the leaving's second and has little left to
// collect 4 s later; a page whose collection was put off pays nothing then, keeps its memory, and pays when forced.
// The bench's CPU windows end with that forced collection in every browser since decision 79, so that a collection
// moved out of the window by either browser is counted (docs/decisions.md, 79).
//
// Options: --workload=NAME (default recv-binary), --runs=N (default 5, per browser, after a warm-up run),
// --extension=DIR (default dist/chrome; e.g. bench/floor), --no-build, --gc-trace (each run is traced, and the page's
// renderer's collections are listed: in the flood, after it, and why: lib/gc.mjs; tracing costs CPU, so its runs'
// milliseconds are a diagnosis, not a measurement).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireChromium } from './lib/browser.mjs';
import { launchRaw } from './lib/raw.mjs';
import { startBenchServer } from './lib/server.mjs';
import { formatGcSummary, gcSummary, GC_TRACE_CATEGORIES } from './lib/gc.mjs';
import { median, sleep } from './lib/stats.mjs';
import { threadDelta, threadTimes } from './lib/threads.mjs';
import { WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const w = WORKLOADS.find((candidate) => candidate.name === (args.workload ?? 'recv-binary'));
if (!w || w.kind !== 'receive') throw new Error(`--workload=${args.workload}: expected a receiving workload: ${WORKLOADS.filter((x) => x.kind === 'receive').map((x) => x.name).join(', ')}`);
const RUNS = Number(args.runs ?? 5);
const GC_TRACE = !!args['gc-trace'];
const EXTENSION_DIR = typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome');
requireChromium();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`${EXTENSION_DIR}: no manifest.json there (npm run build)`);

/** The resident memory, in MiB, of the browser's renderer processes, largest first (the page's is the largest after a flood). */
function renderersMiB(userDataDir) {
  const lines = execSync('ps -eo rss=,args=', { maxBuffer: 16 << 20 }).toString().split('\n');
  return lines
    .filter((line) => line.includes(userDataDir) && line.includes('--type=renderer'))
    .map((line) => Math.round(Number(line.trim().split(/\s+/)[0]) / 1024))
    .sort((a, b) => b - a);
}
const mainMs = (before, after) => threadDelta(before, after)['renderer main'] ?? 0;

const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
server.prepare(w.count, w.size, w.binary);
console.log(`${w.name}: ${w.title}; ${RUNS} runs per browser after a warm-up run; the page left for another of its site; with = ${EXTENSION_DIR}.`);
console.log('the renderers\' main threads in ms, their largest resident memory in MiB');
/** One run: the page's flood, 1 s, the leaving, then the forced collection 4 s later; its CPU and memory. */
async function oneRun(browser, runId) {
  const target = await browser.open(workloadUrl(server, w, runId));
  await server.waitReport(runId);
  await sleep(1000);
  const memoryBefore = renderersMiB(browser.userDataDir)[0];
  const t0 = threadTimes(browser.userDataDir);
  await browser.navigate(target, `${server.origin}/empty.html?left`);
  await sleep(1000);
  const leavingMs = mainMs(t0, threadTimes(browser.userDataDir));
  const memoryAt1s = renderersMiB(browser.userDataDir)[0];
  await sleep(3000);
  const memoryAt4s = renderersMiB(browser.userDataDir)[0];
  const t1 = threadTimes(browser.userDataDir);
  await browser.collectGarbage(target);
  const forcedMs = mainMs(t1, threadTimes(browser.userDataDir));
  const memoryAfter = renderersMiB(browser.userDataDir)[0];
  server.takeMark(runId);
  await browser.close(target);
  await sleep(500);
  return { leavingMs, forcedMs, memoryBefore, memoryAt1s, memoryAt4s, memoryAfter };
}

const results = {};
try {
  for (const [label, options] of [['without', {}], ['with', { extensionDir: EXTENSION_DIR }]]) {
    const browser = await launchRaw(options);
    const rows = [];
    try {
      for (let i = 0; i <= RUNS; i++) {
        const runId = `leaving-${label}-${i}-${Date.now()}`;
        server.atMark(runId, async () => ({}));
        const { result: row, events } = GC_TRACE ? await browser.traced(GC_TRACE_CATEGORIES, () => oneRun(browser, runId)) : { result: await oneRun(browser, runId) };
        console.log(`  ${label.padEnd(7)} ${i === 0 ? 'warm-up' : `run ${i}`.padEnd(7)} leaving ${row.leavingMs.toFixed(0).padStart(4)} ms; memory ${row.memoryBefore} before, ${row.memoryAt1s} at 1 s, ${row.memoryAt4s} at 4 s; forced collection ${row.forcedMs.toFixed(0).padStart(4)} ms, memory ${row.memoryAfter} after`);
        if (events) console.log(`          collections: ${formatGcSummary(gcSummary(events))}`);
        if (i > 0) rows.push(row);
      }
    } finally {
      await browser.quit();
    }
    results[label] = rows;
  }
} finally {
  await server.close();
}

console.log('\nmedians             leaving (ms)  forced collection 4 s later (ms)  memory before / at 4 s / after (MiB)');
for (const [label, rows] of Object.entries(results)) {
  const m = (key) => median(rows.map((row) => row[key]));
  console.log(`  ${label.padEnd(18)}${m('leavingMs').toFixed(0).padStart(12)}${m('forcedMs').toFixed(0).padStart(34)}   ${m('memoryBefore')} / ${m('memoryAt4s')} / ${m('memoryAfter')}`);
}
