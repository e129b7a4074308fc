// The bench's CPU by thread (bench/lib/threads.mjs), what `npm run bench:threads` prints: read from /proc for
// a real process that spins, found by its --user-data-dir like a browser's processes.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { threadDelta, threadTimes } from '../../bench/lib/threads.mjs';

describe('threadTimes and threadDelta', () => {
  it('count a process found by its --user-data-dir, thread by thread, to the millisecond', async () => {
    const dir = `/tmp/socketscope-threads-test-${process.pid}`;
    // Waits for a line on stdin, spins 300 ms of CPU on its main thread, says so, then waits to be killed.
    const child = spawn(process.execPath, ['-e', "process.stdin.once('data', () => { const end = Date.now() + 300; while (Date.now() < end); console.log('spun'); })", '--', `--user-data-dir=${dir}`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      await new Promise((resolve) => setTimeout(resolve, 300)); // node's start-up, before the first reading
      const before = threadTimes(dir);
      expect([...before.values()].map((t) => t.key)).toContain('browser main'); // no --type: the kind a browser's own process gets
      child.stdin.write('go\n');
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const after = threadTimes(dir);
      const spent = threadDelta(before, after);
      expect(spent['browser main']).toBeGreaterThan(250);
      expect(spent['browser main']).toBeLessThan(1000);
      // Nothing of another process: this one is not in it.
      expect(threadTimes(`${dir}-none`).size).toBe(0);
    } finally {
      child.kill();
    }
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
