// The bench's CPU by thread (bench/lib/threads.mjs), what `npm run bench:threads` prints: read from /proc for
// a real process that spins, found by its --user-data-dir like a browser's processes.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { browserCpu, cpuDelta, deltaSeconds, processType } from '../../bench/lib/browser.mjs';
import { median } from '../../bench/lib/stats.mjs';
import { threadDelta, threadRatio, threadTimes, treeThreadTimes } from '../../bench/lib/threads.mjs';

/** A node script that, at its first line on stdin, spins until its own CPU time has grown by `ms` (not wall time: a busy machine would give it less), then prints 'spun'. */
function spinOnLine(ms: number): string {
  return `process.stdin.once('data', () => { const start = process.cpuUsage(); for (let u = process.cpuUsage(start); u.user + u.system < ${ms * 1000}; u = process.cpuUsage(start)); console.log('spun'); })`;
}

/**
 * Starts a node process found by its --user-data-dir, as a browser's processes are, and gives `read` a reading
 * before and after it spins `ms` of CPU on its main thread (it waits for a line on stdin, spins until its own CPU time has
 * grown by `ms`, whatever else the machine runs, says so).
 */
async function aroundSpin<T>(dir: string, ms: number, read: () => T): Promise<[T, T]> {
  const child = spawn(process.execPath, ['-e', spinOnLine(ms), '--', `--user-data-dir=${dir}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => child.once('spawn', resolve));
    await new Promise((resolve) => setTimeout(resolve, 300)); // node's start-up, before the first reading
    const before = read();
    child.stdin.write('go\n');
    await new Promise((resolve) => child.stdout.once('data', resolve));
    return [before, read()];
  } finally {
    child.kill();
  }
}

describe('threadTimes and threadDelta', () => {
  it('count a process found by its --user-data-dir, thread by thread, to the millisecond', async () => {
    const dir = `/tmp/socketscope-threads-test-${process.pid}`;
    const [before, after] = await aroundSpin(dir, 300, () => threadTimes(dir));
    expect([...before.values()].map((t) => t.key)).toContain('browser main'); // no --type: the kind a browser's own process gets
    const spent = threadDelta(before, after);
    expect(spent['browser main']).toBeGreaterThan(250);
    expect(spent['browser main']).toBeLessThan(1000);
    // Nothing of another process: this one is not in it.
    expect(threadTimes(`${dir}-none`).size).toBe(0);
  });

  it('gives a thread started between the readings all its time, and keys threads by kind and name', () => {
    const before = new Map([['1/1', { key: 'renderer main', ns: 5e6 }]]);
    const after = new Map([
      ['1/1', { key: 'renderer main', ns: 12e6 }],
      ['1/2', { key: 'renderer ThreadPoolForeg', ns: 3e6 }],
      ['1/3', { key: 'renderer ThreadPoolForeg', ns: 1e6 }],
    ]);
    expect(threadDelta(before, after)).toEqual({ 'renderer main': 7, 'renderer ThreadPoolForeg': 4 });
  });
});

describe('treeThreadTimes (bench:firefox)', () => {
  it("counts every process below a root, whatever their command lines, and names Firefox's children by kind", async () => {
    // A parent (the browser) starting a child whose command line ends as a Firefox content process's does; the child
    // spins 300 ms of its own CPU time when the parent passes it a line (CPU time, not wall time: a busy machine would
    // otherwise give it less than the test expects).
    const spin = spinOnLine(300);
    const parentScript = `const child = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(spin)}, '--', '-contentproc', '-isForBrowser', 'tab'], { stdio: ['pipe', 'pipe', 'inherit'] }); process.stdin.pipe(child.stdin); child.stdout.pipe(process.stdout);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => setTimeout(resolve, 600)); // both started
      const before = treeThreadTimes(parent.pid!);
      const keys = new Set([...before.values()].map((t) => t.key));
      expect(keys).toContain('browser main');
      expect(keys).toContain('content main');
      parent.stdin!.write('go\n');
      await new Promise((resolve) => parent.stdout!.once('data', resolve));
      const spent = threadDelta(before, treeThreadTimes(parent.pid!));
      expect(spent['content main']).toBeGreaterThan(250);
      expect(spent['content main']).toBeLessThan(1000);
      // Not this test's own process, nor anything else outside the tree.
      expect([...treeThreadTimes(parent.pid!).keys()].some((id) => id.startsWith(`${process.pid}/`))).toBe(false);
    } finally {
      parent.kill();
    }
  });

  it("tells Firefox's child processes apart by their command line's last word, Chromium's as before", () => {
    const firefox = (kind: string) => `/usr/lib/firefox-esr/firefox-esr -contentproc -isForBrowser -prefsHandle 0:40 -parentBuildID 2025 -appDir /usr/lib/firefox-esr/browser 4120 ${kind}`;
    expect(['tab', 'socket', 'gpu', 'rdd', 'utility'].map((kind) => processType(firefox(kind)))).toEqual(['content', 'network', 'gpu', 'utility', 'utility']);
    expect(processType('/usr/lib/firefox-esr/firefox-esr --marionette --remote-debugging-port=0 --profile /tmp/p')).toBe('browser');
    expect(processType('/usr/lib/chromium/chromium --type=renderer --extension-process --user-data-dir=/tmp/x')).toBe('extension');
    expect(processType('/usr/lib/chromium/chromium --type=renderer --user-data-dir=/tmp/x')).toBe('renderer');
  });
});

describe('threadRatio', () => {
  // 15 run pairs: the renderer's main thread costs 10 ms more with, and the worker 5 ms. Three threads the
  // extension does not touch spike by 200 ms in "with", each in its own fifth of the runs: 9 of the 15 sums.
  const runs = 15;
  const spiky = ['network Chrome_ChildIOT', 'browser Chrome_IOThread', 'gpu VizCompositorTh'];
  const without = Array.from({ length: runs }, (_, i) => ({ 'renderer main': 200 + (i % 5), 'browser main': 60 + (i % 3), [spiky[0]]: 100, [spiky[1]]: 10, [spiky[2]]: 10 }));
  const withExt = without.map((sample, i) => {
    const spiked: Record<string, number> = { ...sample, 'renderer main': sample['renderer main'] + 10, 'extension ServiceWorker t': 5 };
    if (i % 5 < 3) spiked[spiky[i % 5]] += 200;
    return spiked;
  });
  const sum = (sample: Record<string, number>) => Object.values(sample).reduce((a, b) => a + b, 0);

  it("adds up the threads' median differences, over the median of the sums without", () => {
    const { ratio, addedMs, lo, hi } = threadRatio(withExt, without);
    expect(addedMs).toBeCloseTo(15, 6); // 10 on the renderer, 5 in the worker: no spike is in a thread's median
    expect(ratio).toBeCloseTo(1 + 15 / median(without.map(sum)), 6);
    expect(lo).toBeLessThanOrEqual(ratio);
    expect(hi).toBeGreaterThanOrEqual(ratio);
    expect(hi).toBeLessThan(1 + 100 / 380);
    // What it is for: the median of the sums counts a spike, since most runs have one somewhere.
    expect(median(withExt.map(sum)) - median(without.map(sum))).toBeGreaterThan(200);
  });

  it('is the same for the same samples (seeded), and says nothing without runs', () => {
    expect(threadRatio(withExt, without)).toEqual(threadRatio(withExt, without));
    expect(threadRatio([], []).ratio).toBeNaN();
  });

  it('is 1 with a zero-width interval when both sides are the same', () => {
    const { ratio, lo, hi } = threadRatio(without, without);
    expect([ratio, lo, hi]).toEqual([1, 1, 1]);
  });
});

// The bench's browser CPU (bench/lib/browser.mjs, docs/decisions.md 65): live processes from their threads'
// nanoseconds, exited ones from their parents' ticks.
describe('browserCpu and cpuDelta', () => {
  it('count a spinning process to the millisecond, where its ticks move by 10 ms', async () => {
    const dir = `/tmp/socketscope-cpu-test-${process.pid}`;
    const [before, after] = await aroundSpin(dir, 123, () => browserCpu(dir));
    expect(Object.values(before.processes).map((p) => p.type)).toEqual(['browser']);
    const spent = cpuDelta(before, after);
    // 123 ms of spinning and a little of node's own, in nanoseconds: not a whole number of 10 ms ticks.
    const ms = spent.browser * 1000;
    expect(ms).toBeGreaterThan(115);
    expect(ms).toBeLessThan(400);
    expect(Math.abs(ms - Math.round(ms / 10) * 10)).toBeGreaterThan(1e-6);
    expect(spent.exited).toBe(0);
    expect(spent.lostThreads).toBe(0);
  });

  it('add each thread\'s difference, all of a new thread or process, count ended threads, and take exited processes from their parents\' ticks', () => {
    const before = {
      reaped: 1.0,
      processes: {
        10: { type: 'browser', seconds: 2.0, threads: { 10: 1.5e9, 11: 0.4e9 } },
        20: { type: 'renderer', seconds: 0.5, threads: { 20: 0.3e9, 21: 0.1e9, 22: 0.05e9 } },
        30: { type: 'renderer', seconds: 0.2, threads: { 30: 0.2e9 } },
      },
    };
    const after = {
      reaped: 1.25, // process 30 exited with 0.25 s in all: 0.05 s after the first reading
      processes: {
        10: { type: 'browser', seconds: 2.1, threads: { 10: 1.5123e9, 11: 0.4e9, 12: 0.002e9 } },
        20: { type: 'renderer', seconds: 0.52, threads: { 20: 0.3171e9, 21: 0.1e9 } }, // thread 22 ended
        40: { type: 'extension', seconds: 0.03, threads: { 40: 0.0333e9 } },
      },
    };
    const spent = cpuDelta(before, after);
    expect(Object.keys(spent).sort()).toEqual(['browser', 'exited', 'extension', 'renderer']);
    expect(spent.browser).toBeCloseTo(0.0143, 9);
    expect(spent.renderer).toBeCloseTo(0.0171, 9);
    expect(spent.extension).toBeCloseTo(0.0333, 9);
    expect(spent.exited).toBeCloseTo(0.05, 9);
    expect(spent.lostThreads).toBe(1);
    expect(deltaSeconds(spent)).toBeCloseTo(0.1147, 9);
  });
});
