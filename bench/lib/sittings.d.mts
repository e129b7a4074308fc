// Types of sittings.mjs for the TypeScript tests.
export interface Sitting {
  workload: string;
  network: boolean;
  busy: boolean;
  reader: string | boolean;
  collect: boolean;
  leaveMs: number;
  without: string;
  with: string;
  [field: string]: unknown;
}
export function buildId(dir: string | undefined): string;
export function buildDir(dir: string | undefined, root: string): string | null;
export function buildName(sittings: Sitting[], side: 'with' | 'without'): string;
export function sameCondition(a: Sitting, b: Sitting): boolean;
export function sittingsOf(text: string, sitting: Sitting): Sitting[];
export function readSittings(file: string, sitting: Sitting): Sitting[];
export function figuresSummary(figures: { ratio?: number; pass?: boolean; clear?: boolean }[]): { n: number; median: number; min: number; max: number; under: number; overWithin: number; overBeyond: number };
export function sittingsVerdict(figures: { pass: boolean; clear: boolean }[]): { verdict: 'none' | 'one sitting' | 'miss' | 'met' | 'undecided'; text: string };
export const MIN_SITTING_PAIRS: number;
export interface Condition {
  sittings: Sitting[];
}
export function conditionsOf(text: string): Condition[];
type LimitVerdict = ReturnType<typeof sittingsVerdict>;
export function conditionVerdict(sittings: Sitting[]): { cpu?: LimitVerdict; page?: LimitVerdict; overall: 'none' | 'one sitting' | 'miss' | 'met' | 'undecided'; counted: number };
