// npm run bench:trace -- --workload=recv-blob-small: the page's main thread task by task, without any extension, with
// bench/floor/ and with SocketScope (a diagnosis: tracing costs CPU, so its milliseconds are not a measurement).
//
// Each browser runs the workload's page (lib/workloads.mjs) a warm-up run and N traced runs, one after the other: the
// page opened, its report, 1 s, its tab closed. The trace (lib/tasks.mjs) gives, per kind of work on the page's main
// thread (each listener and timer of each script by its file and function name, promise reactions, Blob
// registrations, collections, each script's evaluation, compilation and run by its file...), how many there were per
// run and their thread time. What `npm run bench:threads` counts as "renderer main", split by what ran there.
//
// Options: --workload=NAME (default recv-blob-small; recv-one shows the fixed cost of a page with one socket), --runs=N (default 3),
// --extension=DIR (default dist/chrome), --no-build, --rows=N (default 30), --thread=NAME (the page's renderer's threads
// of that name instead of its main thread: ThreadPoolForegroundWorker, its pool, where V8 compiles; Chrome_ChildIOThread),
// --busy (a process spinning one core beside the browsers, as bench:threads --busy), --tenths (also each listener's
// thread time per call along the flood, in ten parts of its calls: whether a call costs more while the code is cold).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireChromium } from './lib/browser.mjs';
import { startBusyLoad, stopBusyLoad } from './lib/busy.mjs';
import { launchRaw } from './lib/raw.mjs';
import { startBenchServer } from './lib/server.mjs';
import { sleep } from './lib/stats.mjs';
import { TASK_TRACE_CATEGORIES, callTenths, compareTasks, pageTasks } from './lib/tasks.mjs';
import { WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const w = WORKLOADS.find((candidate) => candidate.name === (args.workload ?? 'recv-blob-small'));
if (!w) throw new Error(`--workload=${args.workload}: expected one of ${WORKLOADS.map((x) => x.name).join(', ')}`);
const RUNS = Number(args.runs ?? 3);
const ROWS = Number(args.rows ?? 30);
const THREAD = typeof args.thread === 'string' ? args.thread : 'CrRendererMain';
if (!(RUNS >= 1) || !(ROWS >= 1)) throw new Error('--runs and --rows: a positive number');
const EXTENSION_DIR = typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome');
requireChromium();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`${EXTENSION_DIR}: no manifest.json there (npm run build)`);

const BROWSERS = [
  ['none', {}],
  ['floor', { extensionDir: join(ROOT, 'bench', 'floor') }],
  ['SocketScope', { extensionDir: EXTENSION_DIR }],
];
const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
server.prepare(w.count, w.size, w.binary);
console.log(`${w.name}: ${w.title}; ${RUNS} traced runs per browser after a warm-up run; SocketScope = ${EXTENSION_DIR}${args.busy ? '; beside a busy core' : ''}.`);
const tables = {};
/** Per browser, per FunctionCall label: each traced run's ten parts (--tenths). */
const tenths = {};
const busy = args.busy ? await startBusyLoad() : undefined;
try {
  for (const [label, options] of BROWSERS) {
    const browser = await launchRaw(options);
    tables[label] = [];
    tenths[label] = new Map();
    try {
      for (let i = 0; i <= RUNS; i++) {
        const runId = `trace-${label}-${i}-${Date.now()}`;
        server.atMark(runId, async () => ({}));
        const { events } = await browser.traced(TASK_TRACE_CATEGORIES, async () => {
          const target = await browser.open(workloadUrl(server, w, runId));
          await server.waitReport(runId);
          await sleep(1000);
          server.takeMark(runId);
          await browser.close(target);
          await sleep(300);
        });
        const table = pageTasks(events, THREAD);
        if (!table) throw new Error(`${label}, run ${i}: no WebSocket event, or no thread named ${THREAD} in the page's renderer, in the trace`);
        if (i > 0) tables[label].push(table);
        if (i > 0 && args.tenths) {
          for (const [call, parts] of callTenths(events, THREAD) ?? []) {
            if (!tenths[label].has(call)) tenths[label].set(call, []);
            tenths[label].get(call).push(parts);
          }
        }
      }
    } finally {
      await browser.quit();
    }
  }
} finally {
  await server.close();
  await stopBusyLoad(busy);
}

console.log(`\nThe page's ${THREAD === 'CrRendererMain' ? 'main thread' : `threads named ${THREAD}`}, per run (means): thread time in ms, and how many; rows nest (a listener's FunctionCall`);
console.log('is inside its EventDispatch), so they are not to be added. Largest difference between SocketScope and none first.');
const names = BROWSERS.map(([label]) => label);
console.log(`${names.map((n) => n.padStart(12)).join('')}${names.map((n) => `n ${n}`.padStart(14)).join('')}  what`);
for (const row of compareTasks(tables, ROWS)) {
  console.log(`${names.map((n) => row.ms[n].toFixed(1).padStart(12)).join('')}${names.map((n) => row.count[n].toFixed(0).padStart(14)).join('')}  ${row.label}`);
}

if (args.tenths) {
  console.log(`\nEach listener along the flood (--tenths): its calls in the order they ran, cut into ten parts; per part the mean and`);
  console.log('the median thread time of one call, in µs, averaged over the traced runs (calls on the same thread, 1 µs clock).');
  const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  for (const label of names) {
    for (const [call, runs] of tenths[label]) {
      const part = (key, i) => mean(runs.map((run) => run[key][i])).toFixed(1).padStart(6);
      const count = mean(runs.map((run) => run.count)).toFixed(0);
      console.log(`${label}, ${call} (${count} calls a run)`);
      console.log(`  mean  ${Array.from({ length: 10 }, (_, i) => part('meanUs', i)).join('')}`);
      console.log(`  median${Array.from({ length: 10 }, (_, i) => part('medianUs', i)).join('')}`);
    }
  }
}
