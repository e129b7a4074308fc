// The page's main thread task by task, as `npm run bench:trace` reads it (bench/lib/tasks.mjs): on events shaped as
// Chromium writes them (thread names as metadata, thread time in `tdur`, microseconds).
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../bench/lib/gc.mjs';
import { callTenths, compareTasks, pageTasks, taskLabel } from '../../bench/lib/tasks.mjs';

const PAGE = 41;
const OTHER = 42;
const MAIN = 7;
const IO = 8;
const threadName = (pid: number, tid: number, name: string): TraceEvent => ({ name: 'thread_name', ph: 'M', pid, tid, ts: 0, args: { name } });
const x = (pid: number, tid: number, name: string, tdurUs: number, data?: Record<string, unknown>): TraceEvent => ({ name, ph: 'X', pid, tid, ts: 1, dur: tdurUs * 2, tdur: tdurUs, args: data ? { data } : {} });
const hook = 'chrome-extension://eklbaeignadfgabcdefghijklmnopqrs/src/page/hook.js';

describe('taskLabel', () => {
  it('names a FunctionCall by its script and function, an EventDispatch by its type, others by their name', () => {
    expect(taskLabel(x(PAGE, MAIN, 'FunctionCall', 1, { url: hook, functionName: 'Pt' }))).toBe('FunctionCall src/page/hook.js Pt');
    expect(taskLabel(x(PAGE, MAIN, 'FunctionCall', 1, { url: 'http://127.0.0.1:1/recv.html?run=a&ws=b', functionName: '' }))).toBe('FunctionCall recv.html (anonymous)');
    expect(taskLabel(x(PAGE, MAIN, 'FunctionCall', 1, {}))).toBe('FunctionCall ? (anonymous)');
    expect(taskLabel(x(PAGE, MAIN, 'EventDispatch', 1, { type: 'pagehide' }))).toBe('EventDispatch pagehide');
    expect(taskLabel(x(PAGE, MAIN, 'TimerFire', 1, { timerId: 3 }))).toBe('TimerFire');
  });
  it('names a script\'s evaluation, compilation and run by its script, wherever Chromium writes its URL', () => {
    expect(taskLabel(x(PAGE, MAIN, 'EvaluateScript', 1, { url: hook, lineNumber: 1 }))).toBe('EvaluateScript src/page/hook.js');
    expect(taskLabel(x(PAGE, MAIN, 'v8.compile', 1, { url: hook, notStreamedReason: 'inline script' }))).toBe('v8.compile src/page/hook.js');
    const run: TraceEvent = { name: 'v8.run', ph: 'X', pid: PAGE, tid: MAIN, ts: 1, dur: 2, tdur: 1, args: { fileName: 'http://127.0.0.1:1/recv.html?run=a' } };
    expect(taskLabel(run)).toBe('v8.run recv.html');
    // Without a URL (an eval, a script Chromium does not name), the name alone, as before.
    expect(taskLabel(x(PAGE, MAIN, 'EvaluateScript', 1, {}))).toBe('EvaluateScript');
    expect(taskLabel(x(PAGE, MAIN, 'v8.run', 1))).toBe('v8.run');
  });
});

describe('pageTasks', () => {
  const events: TraceEvent[] = [
    threadName(PAGE, MAIN, 'CrRendererMain'),
    threadName(PAGE, IO, 'Chrome_ChildIOThread'),
    threadName(OTHER, MAIN, 'CrRendererMain'),
    ...Array.from({ length: 3 }, () => x(PAGE, MAIN, 'WebSocketReceive', 2)),
    x(OTHER, MAIN, 'WebSocketCreate', 2),
    x(PAGE, MAIN, 'FunctionCall', 1_500, { url: hook, functionName: '' }),
    x(PAGE, MAIN, 'FunctionCall', 2_500, { url: hook, functionName: '' }),
    x(PAGE, MAIN, 'TimerFire', 700),
    x(PAGE, IO, 'TimerFire', 9_000), // another thread of the page's renderer: not counted
    x(OTHER, MAIN, 'FunctionCall', 9_000, { url: hook, functionName: '' }), // another renderer: not counted
    { name: 'FunctionCall', ph: 'B', pid: PAGE, tid: MAIN, ts: 1 }, // not a complete event: not counted
  ];

  it('takes the main thread of the renderer with the most WebSocket events, and sums each label', () => {
    const table = pageTasks(events)!;
    expect(table.pid).toBe(PAGE);
    expect(table.socketEvents).toBe(3);
    expect(Object.fromEntries(table.rows)).toEqual({
      WebSocketReceive: { count: 3, ms: 0.006 },
      'FunctionCall src/page/hook.js (anonymous)': { count: 2, ms: 4 },
      TimerFire: { count: 1, ms: 0.7 },
    });
  });

  it('sums the threads that share a name (a pool\'s) when asked for them instead', () => {
    const pool = [threadName(PAGE, 9, 'ThreadPoolForegroundWorker'), threadName(PAGE, 10, 'ThreadPoolForegroundWorker'), x(PAGE, 9, 'V8.MaglevTask', 1_000), x(PAGE, 10, 'V8.MaglevTask', 500)];
    expect(Object.fromEntries(pageTasks([...events, ...pool], 'ThreadPoolForegroundWorker')!.rows)).toEqual({ 'V8.MaglevTask': { count: 2, ms: 1.5 } });
    expect(Object.fromEntries(pageTasks(events, 'Chrome_ChildIOThread')!.rows)).toEqual({ TimerFire: { count: 1, ms: 9 } });
    expect(pageTasks(events, 'ThreadPoolForegroundWorker')).toBeUndefined();
  });

  it('says undefined without any WebSocket event, or without the page\'s main thread', () => {
    expect(pageTasks(events.filter((e) => !e.name.startsWith('WebSocket')))).toBeUndefined();
    expect(pageTasks(events.filter((e) => !(e.ph === 'M' && e.pid === PAGE && e.tid === MAIN)))).toBeUndefined();
  });
});

describe('compareTasks', () => {
  const table = (rows: Record<string, [number, number]>) => ({ pid: 1, socketEvents: 1, rows: new Map(Object.entries(rows).map(([label, [count, ms]]) => [label, { count, ms }])) });
  it('averages each browser\'s runs, and sorts by the difference between the last browser and the first, largest first', () => {
    const rows = compareTasks({
      none: [table({ a: [1, 10], b: [2, 5] }), table({ a: [1, 12], b: [2, 5] })],
      floor: [table({ a: [1, 11] })],
      SocketScope: [table({ a: [1, 11], b: [2, 5], c: [4, 8] }), table({ a: [1, 11], b: [4, 9], c: [2, 6] })],
    });
    expect(rows.map((r) => r.label)).toEqual(['c', 'b', 'a']);
    expect(rows[0]).toEqual({ label: 'c', ms: { none: 0, floor: 0, SocketScope: 7 }, count: { none: 0, floor: 0, SocketScope: 3 } });
    expect(rows[1].ms).toEqual({ none: 5, floor: 0, SocketScope: 7 });
    expect(rows[2].ms.none).toBe(11);
    expect(compareTasks({ none: [table({ a: [1, 1], b: [1, 2] })], with: [table({ a: [1, 5], b: [1, 2] })] }, 1).map((r) => r.label)).toEqual(['a']);
  });
});

describe('callTenths', () => {
  // A FunctionCall at time `ts` taking `tdurUs` of thread time.
  const call = (pid: number, tid: number, ts: number, tdurUs: number, url: string): TraceEvent => ({ name: 'FunctionCall', ph: 'X', pid, tid, ts, dur: tdurUs, tdur: tdurUs, args: { data: { url, functionName: '' } } });
  const page = 'http://127.0.0.1:1/recv.html?run=a';
  const base: TraceEvent[] = [threadName(PAGE, MAIN, 'CrRendererMain'), threadName(PAGE, IO, 'Chrome_ChildIOThread'), threadName(OTHER, MAIN, 'CrRendererMain'), x(PAGE, MAIN, 'WebSocketCreate', 1)];

  it('cuts each listener\'s calls, in the order they ran, into ten parts: mean and median per part', () => {
    // 21 hook calls listed out of order: by time, call k takes k µs, except the first two parts' slow outliers. One call is left over by the cut.
    const hookCalls = Array.from({ length: 21 }, (_, k) => call(PAGE, MAIN, 1000 + k, k === 0 ? 50 : k === 3 ? 30 : k, hook)).reverse();
    const events = [...base, ...hookCalls, ...Array.from({ length: 9 }, (_, k) => call(PAGE, MAIN, 2000 + k, 2, page))];
    const tenths = callTenths(events, undefined, 10)!;
    expect([...tenths.keys()]).toEqual(['FunctionCall src/page/hook.js (anonymous)']); // the page's 9 calls are under 10
    const parts = tenths.get('FunctionCall src/page/hook.js (anonymous)')!;
    expect(parts.count).toBe(21);
    expect(parts.meanUs).toEqual([25.5, 16, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5]);
    expect(parts.medianUs).toEqual([25.5, 16, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5]);
  });

  it('takes the page\'s renderer and thread only, and only labels with enough calls', () => {
    const events = [
      ...base,
      ...Array.from({ length: 30 }, (_, k) => call(PAGE, MAIN, k, k % 3 === 0 ? 9 : 3, page)),
      ...Array.from({ length: 30 }, (_, k) => call(PAGE, IO, k, 100, page)), // another thread
      ...Array.from({ length: 30 }, (_, k) => call(OTHER, MAIN, k, 100, page)), // another renderer
    ];
    const parts = callTenths(events, undefined, 10)!.get('FunctionCall recv.html (anonymous)')!;
    expect(parts.count).toBe(30);
    expect(parts.meanUs).toEqual(Array(10).fill(5)); // each part: one call of 9 µs and two of 3
    expect(parts.medianUs).toEqual(Array(10).fill(3));
    expect(callTenths(events)!.size).toBe(0); // under the default 100 calls
    expect(callTenths([threadName(PAGE, MAIN, 'CrRendererMain')])).toBeUndefined(); // no WebSocket event
  });

  it('never counts a call\'s thread time above its wall time (a glitch of Chromium\'s trace clock)', () => {
    const calls = Array.from({ length: 10 }, (_, k) => call(PAGE, MAIN, k, 4, page));
    calls[4] = { ...calls[4], dur: 3, tdur: 185_000 }; // 185 ms of thread time in 3 µs
    const events = [...base, ...calls];
    expect(callTenths(events, undefined, 10)!.get('FunctionCall recv.html (anonymous)')!.meanUs).toEqual([4, 4, 4, 4, 3, 4, 4, 4, 4, 4]);
    const row = pageTasks(events)!.rows.get('FunctionCall recv.html (anonymous)')!;
    expect(row.count).toBe(10);
    expect(row.ms).toBeCloseTo(0.039, 9);
  });
});
