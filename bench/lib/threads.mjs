// CPU time by thread, to the nanosecond: /proc/<pid>/task/<tid>/schedstat for every thread of every
// process of one browser, keyed by process kind and thread name ("renderer main" is the page's main
// thread, where the hook and the relay run; "extension ServiceWorker t" the background, its name cut
// to 15 characters by the kernel). The bench's browser CPU counts whole processes in 10 ms ticks, and its run-to-run
// spread (the network service's and the browser's threads move by ±10 ms each) hides what one
// thread gains; per thread, with medians over alternating runs, a few milliseconds show.
// Threads that end between two snapshots are not counted: take the second before closing the page.
import { readFileSync, readdirSync } from 'node:fs';
import { processType } from './browser.mjs';
import { bootstrapBounds, median, seededRandom } from './stats.mjs';

/** Chromium names a thread pool's workers with a number ("ThreadPoolForeg…", "DedicatedWorker t…"): one key for all of them. */
const threadName = (comm) => comm.trim().replace(/\d+$/, '');

/** Map of "pid/tid" → { key: "<process kind> <thread name>", ns }, for every thread of the browser using userDataDir. */
export function threadTimes(userDataDir) {
  const times = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    if (!cmdline.includes(`--user-data-dir=${userDataDir}`)) continue;
    addThreads(times, pid, cmdline);
  }
  return times;
}

/**
 * As threadTimes, for the browser whose main process is rootPid and every process below it: Firefox's children
 * do not carry its profile in their command lines, only their parent.
 */
export function treeThreadTimes(rootPid) {
  const root = String(rootPid);
  const parents = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      /* ended meanwhile */
    }
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p && p !== '0' && hops < 10; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  const times = new Map();
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      addThreads(times, pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      /* ended meanwhile */
    }
  }
  return times;
}

function addThreads(times, pid, cmdline) {
  const kind = processType(cmdline.replaceAll('\0', ' '));
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      // A process's main thread carries the program's name ("chromium"): called "main" here.
      const name = tid === pid ? 'main' : threadName(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8'));
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      times.set(`${pid}/${tid}`, { key: `${kind} ${name}`, ns });
    } catch {
      /* the thread ended meanwhile */
    }
  }
}

/** Milliseconds each key spent between two threadTimes() snapshots (threads that started in between: all of theirs). */
export function threadDelta(before, after) {
  const byKey = {};
  for (const [id, { key, ns }] of after) byKey[key] = (byKey[key] ?? 0) + (ns - (before.get(id)?.ns ?? 0)) / 1e6;
  return byKey;
}

/**
 * Prints, under `title`, per thread the median ms of CPU without and with and their difference, largest first (threads
 * above 1 ms on either side), then the medians of the runs' sums and the sum of the differences: what bench:threads and
 * bench:firefox print for each window. `windowSamples`: { without, with }, threadDelta() samples per run.
 */
export function printThreadTable(title, windowSamples) {
  const keys = [...new Set([...windowSamples.without, ...windowSamples.with].flatMap(Object.keys))];
  const med = (label, key) => median(windowSamples[label].map((sample) => sample[key] ?? 0));
  const rows = keys.map((key) => ({ key, without: med('without', key), with: med('with', key) })).filter((r) => r.without >= 1 || r.with >= 1);
  rows.sort((a, b) => b.with - b.without - (a.with - a.without));
  const cell = (ms) => ms.toFixed(1).padStart(9);
  console.log(`\n${title}\n${'PROCESS THREAD'.padEnd(36)}${'WITHOUT'.padStart(9)}${'WITH'.padStart(9)}${'DIFF'.padStart(9)}   (median ms of CPU per run)`);
  for (const r of rows) console.log(`${r.key.padEnd(36)}${cell(r.without)}${cell(r.with)}${cell(r.with - r.without)}`);
  const total = (label) => median(windowSamples[label].map((sample) => Object.values(sample).reduce((a, b) => a + b, 0)));
  console.log(`${'all threads (median of the sums)'.padEnd(36)}${cell(total('without'))}${cell(total('with'))}${cell(total('with') - total('without'))}`);
  console.log(`${'sum of the differences above'.padEnd(36)}${''.padStart(18)}${cell(rows.reduce((sum, r) => sum + r.with - r.without, 0))}`);
}

/**
 * The CPU added by "with", as a ratio, from paired runs' threadDelta() samples (run i of each browser taken
 * seconds apart): 1 + (the sum over threads of the median difference) ÷ (the median of the runs' sums
 * without). Per-thread medians shed the runs in which a thread the extension does not touch spiked (the
 * network service's, the browser's I/O), which a median of the sums keeps. The interval (90% by default)
 * resamples the run pairs, as the bench's ratioInterval does.
 */
export function threadRatio(withSamples, withoutSamples, { resamples = 1000, level = 0.9, seed = 1 } = {}) {
  const n = Math.min(withSamples.length, withoutSamples.length);
  if (!n) return { ratio: NaN, lo: NaN, hi: NaN, addedMs: NaN };
  const keys = [...new Set([...withSamples, ...withoutSamples].flatMap(Object.keys))];
  const sumsWithout = withoutSamples.map((sample) => Object.values(sample).reduce((a, b) => a + b, 0));
  const column = (samples, key) => samples.map((sample) => sample[key] ?? 0);
  const columns = keys.map((key) => [column(withSamples, key), column(withoutSamples, key)]);
  const of = (pick) => {
    let added = 0;
    for (const [a, b] of columns) added += median(pick.map((i) => a[i])) - median(pick.map((i) => b[i]));
    return { added, ratio: 1 + added / median(pick.map((i) => sumsWithout[i])) };
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const { added, ratio } = of(all);
  const random = seededRandom(seed);
  const ratios = Array.from({ length: resamples }, () => of(all.map(() => Math.floor(random() * n))).ratio);
  return { ratio, ...bootstrapBounds(ratios, level), addedMs: added };
}
