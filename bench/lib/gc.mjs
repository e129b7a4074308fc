// The garbage collections of a page's renderer, from a Chromium trace (raw.mjs: `traced`, with the categories below).
// `npm run bench:leaving -- --gc-trace` prints them for each run: when V8 collected a flood's garbage, and why.

/** Trace categories: V8's collections, and the page's WebSocket frames (which tell its renderer and its flood). */
export const GC_TRACE_CATEGORIES = ['disabled-by-default-v8.gc', 'devtools.timeline'];

/**
 * The page's renderer is the process with the most `WebSocketReceive` events; its flood spans the first to the last.
 * Every `MinorGC` and `MajorGC` on that process's main thread, with its phase (`before` the flood, in the `flood`, or
 * `after` it), its start relative to the flood's start, its duration and V8's reason. Undefined without any frame.
 */
export function gcSummary(events) {
  const frames = new Map();
  for (const e of events) {
    if (e.name !== 'WebSocketReceive') continue;
    const times = frames.get(e.pid);
    if (times) times.push(e.ts);
    else frames.set(e.pid, [e.ts]);
  }
  if (!frames.size) return undefined;
  const [pid, times] = [...frames].sort((a, b) => b[1].length - a[1].length)[0];
  let start = Infinity;
  let end = -Infinity;
  for (const ts of times) {
    if (ts < start) start = ts;
    if (ts > end) end = ts;
  }
  const gcs = events
    .filter((e) => e.pid === pid && e.ph === 'X' && (e.name === 'MinorGC' || e.name === 'MajorGC'))
    .sort((a, b) => a.ts - b.ts)
    .map((e) => ({
      kind: e.name === 'MinorGC' ? 'minor' : 'major',
      phase: e.ts < start ? 'before' : e.ts <= end ? 'flood' : 'after',
      atMs: (e.ts - start) / 1000,
      ms: (e.dur ?? 0) / 1000,
      reason: String(e.args?.type ?? ''),
    }));
  const total = (phase, kind) => {
    const chosen = gcs.filter((gc) => gc.phase === phase && gc.kind === kind);
    return { count: chosen.length, ms: chosen.reduce((sum, gc) => sum + gc.ms, 0) };
  };
  return {
    pid,
    frames: times.length,
    floodMs: (end - start) / 1000,
    gcs,
    flood: { minor: total('flood', 'minor'), major: total('flood', 'major') },
    after: { minor: total('after', 'minor'), major: total('after', 'major') },
  };
}

/** One line: the flood's and the later collections, counts and milliseconds, the major ones with their reasons. */
export function formatGcSummary(summary) {
  if (!summary) return 'no WebSocket frame in the trace';
  const part = (phase) => {
    const { minor, major } = summary[phase];
    const reasons = summary.gcs.filter((gc) => gc.phase === phase && gc.kind === 'major').map((gc) => `${gc.ms.toFixed(1)} ms ${gc.reason}`);
    return `${minor.count} minor (${minor.ms.toFixed(1)} ms), ${major.count} major (${major.ms.toFixed(1)} ms${reasons.length ? `: ${reasons.join('; ')}` : ''})`;
  };
  return `the flood (${summary.frames} frames, ${summary.floodMs.toFixed(0)} ms): ${part('flood')}; after it: ${part('after')}`;
}
