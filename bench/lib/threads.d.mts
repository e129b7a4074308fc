// Types of threads.mjs for the TypeScript tests.
export function threadTimes(userDataDir: string): Map<string, { key: string; ns: number }>;
export function threadDelta(before: Map<string, { key: string; ns: number }>, after: Map<string, { key: string; ns: number }>): Record<string, number>;
