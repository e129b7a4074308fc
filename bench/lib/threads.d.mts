// Types of threads.mjs for the TypeScript tests.
export function threadTimes(userDataDir: string): Map<string, { key: string; ns: number }>;
export function treeThreadTimes(rootPid: number): Map<string, { key: string; ns: number }>;
export function threadDelta(before: Map<string, { key: string; ns: number }>, after: Map<string, { key: string; ns: number }>): Record<string, number>;
export function threadRatio(
  withSamples: Record<string, number>[],
  withoutSamples: Record<string, number>[],
  options?: { resamples?: number; level?: number; seed?: number },
): { ratio: number; lo: number; hi: number; addedMs: number };
export function printThreadTable(title: string, windowSamples: { without: Record<string, number>[]; with: Record<string, number>[] }): void;
