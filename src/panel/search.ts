// Search across every connection of the session: text (case-insensitive) or
// a regular expression, over the previews of text messages and, for those
// whose JSON carries \u escapes, the JSON with its escapes decoded (so "é"
// finds "\u00e9"). Binary messages are not searched: decoding each one would
// be too slow at 100k messages.
//
// The scan is incremental: a slice of at most SLICE_BUDGET_MS per animation
// frame (the panel keeps painting while 100k messages are searched), and a
// new query cancels the running scan. It covers the messages there were when
// it started; Search again picks up newer ones.
import { batch, signal } from '@preact/signals';
import type { Connection } from '../core/model';
import { errorText } from '../core/format';
import { session } from './store';

export const searchOpen = signal(false);
export const searchQuery = signal('');
export const searchIsRegex = signal(false);

export interface SearchHit {
  connection: Connection;
  /** Position in connection.messages when the scan saw it (indexes are what selection uses). */
  messageIndex: number;
}

export interface SearchState {
  /** Hits so far, in connection then message order; grows while `done` is false. */
  hits: SearchHit[];
  scanned: number;
  total: number;
  done: boolean;
  error?: string;
  /** Scan time (ms, wall clock from the query to the last slice). */
  elapsedMs: number;
}

const IDLE: SearchState = { hits: [], scanned: 0, total: 0, done: true, elapsedMs: 0 };
export const searchState = signal<SearchState>(IDLE);

/** Time a slice may take before yielding to the next frame: leaves room for rendering within a 16.7 ms frame. */
export const SLICE_BUDGET_MS = 6;
/** Messages between two clock reads inside a slice. */
const CHECK_EVERY = 256;
/** Results kept: beyond that the list says there are more. */
export const MAX_HITS = 100_000;

let generation = 0;

type Scheduler = (run: () => void) => void;
const nextFrame: Scheduler = (run) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') requestAnimationFrame(() => run());
  else setTimeout(run, 0);
};
let schedule: Scheduler = nextFrame;

/** For tests: run the slices through another scheduler (e.g. synchronously). */
export function setSearchScheduler(next: Scheduler | undefined): void {
  schedule = next ?? nextFrame;
}

/** The matcher for a query, or the regex's error in words. */
export function compileSearch(query: string, isRegex: boolean): { test: (text: string) => boolean } | { error: string } {
  try {
    const pattern = new RegExp(isRegex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    return { test: (text) => pattern.test(text) };
  } catch (error) {
    return { error: `Not a valid regular expression: ${errorText(error)}` };
  }
}

/** The JSON of a text message with its \u escapes decoded, or undefined when it has none (or is not JSON). */
function decodedJsonText(preview: string): string | undefined {
  if (!preview.includes('\\u')) return undefined;
  const first = preview.charCodeAt(0);
  if (first !== 0x7b && first !== 0x5b) return undefined; // { or [
  try {
    return JSON.stringify(JSON.parse(preview));
  } catch {
    return undefined;
  }
}

/** Cancels the running scan (if any) and clears the results. */
export function cancelSearch(): void {
  generation++;
  searchState.value = IDLE;
}

/** Starts a scan for the current query, cancelling the previous one. */
export function runSearch(): void {
  const id = ++generation;
  const query = searchQuery.peek();
  if (!query) {
    searchState.value = IDLE;
    return;
  }
  const matcher = compileSearch(query, searchIsRegex.peek());
  if ('error' in matcher) {
    searchState.value = { ...IDLE, error: matcher.error };
    return;
  }
  const started = performance.now();
  const connections = [...session.peek().connections];
  const ends = connections.map((c) => c.messages.length);
  const total = ends.reduce((sum, n) => sum + n, 0);
  const hits: SearchHit[] = [];
  let scanned = 0;
  let c = 0;
  let m = 0;
  searchState.value = { hits, scanned: 0, total, done: false, elapsedMs: 0 };
  const slice = () => {
    if (id !== generation) return;
    const sliceStart = performance.now();
    let sinceCheck = 0;
    while (c < connections.length) {
      const connection = connections[c];
      const messages = connection.messages;
      const end = Math.min(ends[c], messages.length);
      while (m < end) {
        const message = messages[m++];
        scanned++;
        if (message.opcode === 1 && !message.evicted) {
          const preview = message.preview;
          let match = matcher.test(preview);
          if (!match) {
            const decoded = decodedJsonText(preview);
            match = decoded !== undefined && matcher.test(decoded);
          }
          if (match) {
            if (hits.length < MAX_HITS) hits.push({ connection, messageIndex: message.index });
          }
        }
        if (++sinceCheck >= CHECK_EVERY) {
          sinceCheck = 0;
          if (performance.now() - sliceStart > SLICE_BUDGET_MS) {
            searchState.value = { hits, scanned, total, done: false, elapsedMs: performance.now() - started };
            schedule(slice);
            return;
          }
        }
      }
      c++;
      m = 0;
    }
    searchState.value = { hits, scanned, total, done: true, elapsedMs: performance.now() - started };
  };
  slice();
}

/** Sets the query (and mode) and starts the scan. */
export function setSearch(query: string, isRegex = searchIsRegex.peek()): void {
  batch(() => {
    searchQuery.value = query;
    searchIsRegex.value = isRegex;
  });
  runSearch();
}
