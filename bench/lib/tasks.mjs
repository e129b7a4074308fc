// The page's main thread (or another of its renderer's threads), task by task, from a Chromium trace (raw.mjs:
// `traced`, with the categories below). `npm run bench:trace` prints it for a page without any extension, with
// `bench/floor/` and with SocketScope: which kinds of work SocketScope adds there, how often, and their thread time.
// A diagnosis: tracing costs CPU.
import { median } from './stats.mjs';

/**
 * Trace categories: the page's tasks (`toplevel`), its scripts, listeners, timers and promise reactions
 * (`devtools.timeline`: FunctionCall, TimerFire, EventDispatch; `blink`: AsyncTask Run), Blob registrations (`Blob`,
 * `mojom`), V8's collections and compilations, and the page's WebSocket events (which tell its renderer).
 */
export const TASK_TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'blink', 'mojom', 'Blob', 'v8', 'disabled-by-default-v8.gc', 'disabled-by-default-v8.compile'];

/** The last part of a script's URL (an extension's `src/page/hook.js`, a page's `recv.html`), without its query. */
function scriptName(url) {
  if (typeof url !== 'string' || !url) return '';
  const path = url.replace(/[?#].*$/, '');
  const extension = /^chrome-extension:\/\/[^/]+\/(.*)$/.exec(path);
  return extension ? extension[1] : path.slice(path.lastIndexOf('/') + 1);
}

/** Events that evaluate a whole script: each gets its script's name (Chromium writes it in `data.url` or `fileName`). */
const SCRIPT_EVENTS = new Set(['EvaluateScript', 'v8.compile', 'v8.run']);

/**
 * A row's label: the event's name, with its script and function (FunctionCall), its type (EventDispatch) or its script
 * (a script's evaluation, compilation and run: the hook's and the relay's, as Chromium evaluates them in each frame).
 */
export function taskLabel(event) {
  const data = event.args?.data;
  if (event.name === 'FunctionCall' && data) return `FunctionCall ${scriptName(data.url) || '?'} ${data.functionName || '(anonymous)'}`;
  if (event.name === 'EventDispatch' && data?.type) return `EventDispatch ${data.type}`;
  if (SCRIPT_EVENTS.has(event.name)) {
    const script = scriptName(data?.url) || scriptName(event.args?.fileName);
    if (script) return `${event.name} ${script}`;
  }
  return event.name;
}

/**
 * The page's renderer is the process with the most WebSocket events (its socket's creation, handshake and frames).
 * Per label, over the complete ('X') events of its threads named `thread` (the main thread, CrRendererMain, by
 * default; a pool's threads share one name): how many, and their thread time in ms (`tdur`, at most `dur`; nested events each count
 * their own, so rows overlap and are not to be added). Undefined without any WebSocket event or any such thread.
 */
export function pageTasks(events, thread = 'CrRendererMain') {
  const page = pageThreads(events, thread);
  if (!page) return undefined;
  const { pid, tids } = page;
  const rows = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.pid !== pid || !tids.has(e.tid)) continue;
    const label = taskLabel(e);
    const row = rows.get(label) ?? { count: 0, ms: 0 };
    row.count++;
    row.ms += threadTime(e) / 1000;
    rows.set(label, row);
  }
  return { pid, socketEvents: page.socketEvents, rows };
}

/**
 * An event's thread time in µs, never more than its wall time: Chromium's trace now and then gives one call a thread
 * time of over 100 ms that lasted 0 to 4 ms (seen on the hook's listener, once in a few runs of 50k messages), which
 * would count as that much work.
 */
function threadTime(event) {
  const thread = event.tdur ?? 0;
  return event.dur !== undefined && event.dur < thread ? event.dur : thread;
}

/** The page's renderer (the process with the most WebSocket events) and its threads named `thread`. */
function pageThreads(events, thread) {
  const counts = new Map();
  for (const e of events) if (e.name.startsWith('WebSocket')) counts.set(e.pid, (counts.get(e.pid) ?? 0) + 1);
  if (!counts.size) return undefined;
  const pid = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const tids = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === thread).map((e) => e.tid));
  return tids.size ? { pid, tids, socketEvents: counts.get(pid) } : undefined;
}

/**
 * A listener's cost along the flood: the page's FunctionCalls on its main thread (or `thread`), per label (script and
 * function), in the order they ran, cut into ten equal parts (the calls left over by the cut go uncounted); per part the
 * mean and the median thread time of one call, in µs. Only labels with at least `minCalls` calls (and never fewer
 * than 10). Shows whether a call costs more while the code is cold (the first tenth) or at some point of the flood.
 */
export function callTenths(events, thread = 'CrRendererMain', minCalls = 100) {
  const page = pageThreads(events, thread);
  if (!page) return undefined;
  const byLabel = new Map();
  const calls = events.filter((e) => e.ph === 'X' && e.name === 'FunctionCall' && e.pid === page.pid && page.tids.has(e.tid)).sort((a, b) => a.ts - b.ts);
  for (const e of calls) {
    const label = taskLabel(e);
    if (!byLabel.has(label)) byLabel.set(label, []);
    byLabel.get(label).push(threadTime(e));
  }
  const out = new Map();
  for (const [label, times] of byLabel) {
    if (times.length < Math.max(10, minCalls)) continue;
    const size = Math.floor(times.length / 10);
    const parts = Array.from({ length: 10 }, (_, i) => times.slice(i * size, (i + 1) * size));
    out.set(label, {
      count: times.length,
      meanUs: parts.map((part) => part.reduce((sum, t) => sum + t, 0) / size),
      medianUs: parts.map(median),
    });
  }
  return out;
}

/**
 * Runs' tables per browser (label → counts and ms, each a mean per run), side by side: rows sorted by how far the last
 * browser's thread time is from the first's, largest first; at most `limit` rows.
 */
export function compareTasks(tablesByBrowser, limit = 30) {
  const browsers = Object.keys(tablesByBrowser);
  const mean = (tables, label, key) => (tables.length ? tables.reduce((sum, t) => sum + (t.rows.get(label)?.[key] ?? 0), 0) / tables.length : 0);
  const labels = new Set(Object.values(tablesByBrowser).flatMap((tables) => tables.flatMap((t) => [...t.rows.keys()])));
  const first = browsers[0];
  const last = browsers[browsers.length - 1];
  return [...labels]
    .map((label) => ({
      label,
      ms: Object.fromEntries(browsers.map((b) => [b, mean(tablesByBrowser[b], label, 'ms')])),
      count: Object.fromEntries(browsers.map((b) => [b, mean(tablesByBrowser[b], label, 'count')])),
    }))
    .sort((a, b) => Math.abs(b.ms[last] - b.ms[first]) - Math.abs(a.ms[last] - a.ms[first]) || a.label.localeCompare(b.label))
    .slice(0, limit);
}
