// The page's main thread (or another of its renderer's threads), task by task, from a Chromium trace (raw.mjs:
// `traced`, with the categories below). `npm run bench:trace` prints it for a page without any extension, with
// `bench/floor/` and with SocketScope: which kinds of work SocketScope adds there, how often, and their thread time.
// A diagnosis: tracing costs CPU.

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
 * default; a pool's threads share one name): how many, and their thread time in ms (`tdur`; nested events each count
 * their own, so rows overlap and are not to be added). Undefined without any WebSocket event or any such thread.
 */
export function pageTasks(events, thread = 'CrRendererMain') {
  const counts = new Map();
  for (const e of events) if (e.name.startsWith('WebSocket')) counts.set(e.pid, (counts.get(e.pid) ?? 0) + 1);
  if (!counts.size) return undefined;
  const pid = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const tids = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === thread).map((e) => e.tid));
  if (!tids.size) return undefined;
  const rows = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.pid !== pid || !tids.has(e.tid)) continue;
    const label = taskLabel(e);
    const row = rows.get(label) ?? { count: 0, ms: 0 };
    row.count++;
    row.ms += (e.tdur ?? 0) / 1000;
    rows.set(label, row);
  }
  return { pid, socketEvents: counts.get(pid), rows };
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
