// Types of tasks.mjs for the TypeScript tests.
import type { TraceEvent } from './gc.mjs';

export interface TaskRow {
  count: number;
  ms: number;
}
export interface PageTasks {
  pid: number;
  socketEvents: number;
  rows: Map<string, TaskRow>;
}
export interface TaskComparison {
  label: string;
  ms: Record<string, number>;
  count: Record<string, number>;
}
export interface CallTenths {
  count: number;
  meanUs: number[];
  medianUs: number[];
}
export const TASK_TRACE_CATEGORIES: string[];
export function taskLabel(event: TraceEvent): string;
export function pageTasks(events: TraceEvent[], thread?: string): PageTasks | undefined;
export function compareTasks(tablesByBrowser: Record<string, PageTasks[]>, limit?: number): TaskComparison[];
export function callTenths(events: TraceEvent[], thread?: string, minCalls?: number): Map<string, CallTenths> | undefined;
