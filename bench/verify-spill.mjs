// node bench/verify-spill.mjs [--workload=recv-text] [--runs=8] [--no-verify] [--threads=REGEX]
//
// Whether the bench's own check that every message was recorded (lib/browser.mjs storedSummary, run
// between a run's measured window and its page's close) leaves work behind that a measured window then
// counts as SocketScope's. One browser with dist/chrome runs the workload again and again as run.mjs does,
// and prints, per run, the CPU of the threads matching --threads (default: the extension's process, where
// the service worker runs) in four windows: the run (page, report, settle), the check, the page's close and
// 1.5 s after it, then the next 1.5 s. Compare with --no-verify: what the check leaves behind shows as a
// larger run or close window. Reading the storage in the service worker left about 25 ms in the next run
// and 15 ms in the close on recv-text (docs/performance.md); reading it through the browser leaves nothing.
import { join } from 'node:path';
import { launchRaw } from './lib/raw.mjs';
import { requireChromium, storedSummary } from './lib/browser.mjs';
import { startBenchServer } from './lib/server.mjs';
import { median, sleep } from './lib/stats.mjs';
import { threadDelta, threadTimes } from './lib/threads.mjs';
import { WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const w = WORKLOADS.find((candidate) => candidate.name === (args.workload ?? 'recv-text'));
if (!w || w.kind !== 'receive') throw new Error(`--workload=${args.workload}: expected a receiving workload (${WORKLOADS.filter((x) => x.kind === 'receive').map((x) => x.name).join(', ')})`);
const RUNS = Number(args.runs ?? 8);
const VERIFY = !args['no-verify'];
const THREADS = new RegExp(typeof args.threads === 'string' ? args.threads : '^extension ');

requireChromium();
const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
server.prepare(w.count, w.size, w.binary);
const browser = await launchRaw({ extensionDir: join(ROOT, 'dist', 'chrome') });
const spent = (before, after) => Object.entries(threadDelta(before, after)).filter(([key]) => THREADS.test(key)).reduce((sum, [, ms]) => sum + ms, 0);
console.log(`${w.name}, ${RUNS} runs after a warm-up, ${VERIFY ? 'with' : 'without'} the check; ms of CPU of the threads matching ${THREADS}:`);
console.log('run     run window   check   close + 1.5 s   next 1.5 s');
const rows = [];
try {
  for (let i = 0; i <= RUNS; i++) {
    const runId = `verify-spill-${i}-${Date.now()}`;
    const t0 = threadTimes(browser.userDataDir);
    const target = await browser.open(workloadUrl(server, w, runId));
    await server.waitReport(runId);
    await sleep(1000);
    const t1 = threadTimes(browser.userDataDir);
    if (VERIFY) await storedSummary(browser, runId);
    const t2 = threadTimes(browser.userDataDir);
    await browser.close(target);
    await sleep(1500);
    const t3 = threadTimes(browser.userDataDir);
    await sleep(1500);
    const t4 = threadTimes(browser.userDataDir);
    const row = [spent(t0, t1), spent(t1, t2), spent(t2, t3), spent(t3, t4)];
    if (i > 0) rows.push(row);
    console.log(`${i === 0 ? 'warm-up' : String(i).padEnd(7)} ${row.map((ms, j) => ms.toFixed(1).padStart([10, 8, 14, 12][j])).join('  ')}`);
  }
  console.log(`median  ${[0, 1, 2, 3].map((j) => median(rows.map((row) => row[j])).toFixed(1).padStart([10, 8, 14, 12][j])).join('  ')}`);
} finally {
  await browser.quit();
  await server.close?.();
}
process.exit(0);
