// The collections `npm run bench:leaving -- --gc-trace` reports (bench/lib/gc.mjs): read from a Chromium trace, on
// events shaped as Chromium writes them (a MajorGC's args carry its `type`, durations are in microseconds).
import { describe, expect, it } from 'vitest';
import { formatGcSummary, gcSummary, type TraceEvent } from '../../bench/lib/gc.mjs';

const PAGE = 41;
const OTHER = 42;
/** `count` frames received by `pid` every 0.5 ms from `fromUs`. */
const frames = (pid: number, fromUs: number, count: number): TraceEvent[] =>
  Array.from({ length: count }, (_, i) => ({ name: 'WebSocketReceive', ph: 'X', pid, ts: fromUs + i * 500, dur: 10 }));
const gc = (name: 'MinorGC' | 'MajorGC', pid: number, ts: number, durUs: number, type: string): TraceEvent => ({ name, ph: 'X', pid, tid: pid, ts, dur: durUs, args: { type } });

describe('gcSummary', () => {
  const events: TraceEvent[] = [
    ...frames(OTHER, 1_000_000, 3), // another renderer with fewer frames: not the page's
    ...frames(PAGE, 1_000_000, 2001), // the flood: 1,000 ms from 1 s
    gc('MinorGC', PAGE, 900_000, 1_000, 'allocation failure'), // before the flood
    gc('MinorGC', PAGE, 1_200_000, 3_500, 'allocation failure'),
    gc('MajorGC', PAGE, 1_500_000, 2_700, 'finalize incremental marking via task'),
    gc('MajorGC', PAGE, 3_453_000, 151_700, 'low memory notification'), // forced, after
    gc('MajorGC', OTHER, 1_300_000, 99_000, 'low memory notification'), // another process: not counted
    { name: 'V8.GC_SCAVENGER', ph: 'X', pid: PAGE, ts: 1_200_100, dur: 3_000 }, // a phase of a collection: not one more
  ];

  it('takes the renderer with the most frames, and splits its collections at the flood', () => {
    const summary = gcSummary(events)!;
    expect(summary.pid).toBe(PAGE);
    expect(summary.frames).toBe(2001);
    expect(summary.floodMs).toBe(1000);
    expect(summary.gcs.map((c) => [c.kind, c.phase, c.atMs])).toEqual([
      ['minor', 'before', -100],
      ['minor', 'flood', 200],
      ['major', 'flood', 500],
      ['major', 'after', 2453],
    ]);
    expect(summary.flood).toEqual({ minor: { count: 1, ms: 3.5 }, major: { count: 1, ms: 2.7 } });
    expect(summary.after).toEqual({ minor: { count: 0, ms: 0 }, major: { count: 1, ms: 151.7 } });
  });

  it('says what it read, with the major collections’ reasons', () => {
    expect(formatGcSummary(gcSummary(events))).toBe(
      'the flood (2001 frames, 1000 ms): 1 minor (3.5 ms), 1 major (2.7 ms: 2.7 ms finalize incremental marking via task); ' +
        'after it: 0 minor (0.0 ms), 1 major (151.7 ms: 151.7 ms low memory notification)',
    );
  });

  it('says so when the trace has no frame', () => {
    expect(gcSummary([gc('MajorGC', PAGE, 1, 1, 'task')])).toBeUndefined();
    expect(formatGcSummary(undefined)).toBe('no WebSocket frame in the trace');
  });
});
