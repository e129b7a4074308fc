// --busy: a fixed CPU load beside the browsers, so figures under contention
// can be reproduced. One child node process spins one core at 100% (a busy
// loop, same priority as everything else) from before the browsers start
// until after they quit; stop() reports how much CPU it really got.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** On an otherwise quiet machine the load gets nearly a core; less than this share means something else competed too. */
export const BUSY_SHARE_MIN = 0.9;

/** What a stopped load got, as a sentence, and a warning when the machine was busier than the load alone. */
export function describeBusyLoad(b) {
  const share = `${(b.coreShare * 100).toFixed(0)}%`;
  return {
    ran: `${b.cpuSeconds.toFixed(1)} s of CPU over ${b.wallSeconds.toFixed(1)} s (${share} of one core)`,
    warning: b.coreShare < BUSY_SHARE_MIN ? `the load got only ${share} of a core: the machine was busier than the load alone` : undefined,
  };
}

export async function startBusyLoad() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const startedAt = Date.now();
  // Never outlive the bench, whatever ends it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    pid: child.pid,
    /** Kills the load; resolves to its wall time and the CPU it used (≈ wall time if it really had a core to itself). */
    async stop() {
      const cpuSeconds = processCpuSeconds(child.pid);
      const wallSeconds = (Date.now() - startedAt) / 1000;
      const exited = child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      return { pid: child.pid, wallSeconds, cpuSeconds, coreShare: cpuSeconds / wallSeconds };
    },
  };
}

/** Stops a load startBusyLoad() started (none: nothing) and prints what it got, with the warning; resolves to stop()'s figures. */
export async function stopBusyLoad(busy) {
  if (!busy) return undefined;
  const figures = await busy.stop();
  const { ran, warning } = describeBusyLoad(figures);
  console.log(`\nThe busy load (pid ${figures.pid}): ${ran}; stopped.`);
  if (warning) console.log(`Warning: ${warning}.`);
  return figures;
}
