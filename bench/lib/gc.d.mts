// Types of gc.mjs for the TypeScript tests.
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts: number;
  dur?: number;
  /** Thread time, in microseconds (complete events, where the trace records it). */
  tdur?: number;
  args?: Record<string, unknown>;
}
export interface Collection {
  kind: 'minor' | 'major';
  phase: 'before' | 'flood' | 'after';
  atMs: number;
  ms: number;
  reason: string;
}
interface Total {
  count: number;
  ms: number;
}
export interface GcSummary {
  pid: number;
  frames: number;
  floodMs: number;
  gcs: Collection[];
  flood: { minor: Total; major: Total };
  after: { minor: Total; major: Total };
}
export const GC_TRACE_CATEGORIES: string[];
export function gcSummary(events: TraceEvent[]): GcSummary | undefined;
export function formatGcSummary(summary: GcSummary | undefined): string;
