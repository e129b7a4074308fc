// Types of stats.mjs for the TypeScript tests.
export function sleep(ms: number): Promise<void>;
export function median(values: number[]): number;
export function percentile(values: number[], p: number): number;
/** mulberry32: a seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number;
export function ratioInterval(withValues: number[], withoutValues: number[], options?: { resamples?: number; level?: number; seed?: number }): { lo: number; hi: number };
/** The median of paired differences (with − without) and its bootstrap interval. */
export function pairedDifference(withValues: number[], withoutValues: number[], options?: { resamples?: number; level?: number; seed?: number }): { median: number; lo: number; hi: number };
export function bootstrapBounds(values: number[], level: number): { lo: number; hi: number };
export function againstLimit(ratio: number, interval: { lo: number; hi: number }, limit: number): { pass: boolean; clear: boolean };
export function verdictText(what: string, r: { ratio: number; lo: number; hi: number }, limit: number): string;
export function addedText(ms: number): string;
export function ratioText(figure: { ratio: number; lo: number; hi: number }): string;
