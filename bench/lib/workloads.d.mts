// Types of workloads.mjs for the TypeScript tests.
export interface Workload {
  name: string;
  title: string;
  kind: 'receive' | 'send';
  count: number;
  size: number;
  binary?: boolean;
  binaryType?: 'arraybuffer' | 'blob';
  /** Bytes of each ArrayBuffer the page decodes as text (bench/pages/recv.html, ?decode=N). */
  decode?: number;
  then?: number;
  every?: number;
  info?: boolean;
  optIn?: boolean;
  pageLimit: number;
  cpuLimit: number;
}
export const WORKLOADS: Workload[];
export const BUSY_PAGE_LIMIT: number;
export function pageLimitOf(w: Workload, load: 'quiet' | 'busy'): number;
export function pageMsOf(w: Workload, report: { goToLastMs?: number; startToConfirmMs?: number }): number;
export function workloadUrl(server: { origin: string; wsOrigin: string }, w: Workload, runId: string): string;
