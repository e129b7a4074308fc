// Types of the parts of browser.mjs that the TypeScript tests use (test/unit/benchThreads.test.ts).
export interface CpuReading {
  /** Live processes: their kind, their ticks in seconds, each live thread's nanoseconds by thread id. */
  processes: Record<string, { type: string; seconds: number; threads: Record<string, number> }>;
  /** Seconds of exited processes, counted in their parents (ticks). */
  reaped: number;
}
/** Seconds by kind of process between two readings; `lostThreads` (not enumerable): threads that ended in between. */
export type CpuDelta = Record<string, number> & { readonly lostThreads: number };
export function browserCpu(userDataDir: string): CpuReading;
export function cpuDelta(before: CpuReading, after: CpuReading): CpuDelta;
export function deltaSeconds(byType: Record<string, number>): number;
export function processType(cmdline: string): string;
