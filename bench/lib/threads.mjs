// CPU time by thread, to the nanosecond: /proc/<pid>/task/<tid>/schedstat for every thread of every
// process of one browser, keyed by process kind and thread name ("renderer main" is the page's main
// thread, where the hook and the relay run; "extension ServiceWorker t" the background, its name cut
// to 15 characters by the kernel). The bench's browser CPU counts whole processes in 10 ms ticks, and its run-to-run
// spread (the network service's and the browser's threads move by ±10 ms each) hides what one
// thread gains; per thread, with medians over alternating runs, a few milliseconds show.
// Threads that end between two snapshots are not counted: take the second before closing the page.
import { readFileSync, readdirSync } from 'node:fs';
import { processType } from './browser.mjs';

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
    const kind = processType(cmdline.replaceAll('\0', ' '));
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
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
  return times;
}

/** Milliseconds each key spent between two threadTimes() snapshots (threads that started in between: all of theirs). */
export function threadDelta(before, after) {
  const byKey = {};
  for (const [id, { key, ns }] of after) byKey[key] = (byKey[key] ?? 0) + (ns - (before.get(id)?.ns ?? 0)) / 1e6;
  return byKey;
}
