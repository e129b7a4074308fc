// The timeline as a pure function: a scene built from a synthetic session and
// its analysis (no store, no DOM), painters checked against a recording fake
// context, the palette read only from panel.css's variables, and ranges near
// 1e19 that must not hang.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSession } from '../../../src/core/analysis';
import { reconnectChains } from '../../../src/core/chains';
import type { Session } from '../../../src/core/model';
import { buildLanes, fitRange } from '../../../src/panel/timelineModel';
import { buildTimelineScene, LABEL_PX, PALETTE_VARIABLES, readPalette, type TimelinePalette, type TimelineScene } from '../../../src/panel/timelineScene';
import { paintCloses, paintTimeline } from '../../../src/panel/timelinePaint';
import { addConnection, closeAt, failHandshake, receive, send, session as emptyTestSession, T0 } from '../helpers/synth';

const PALETTE = Object.fromEntries(Object.keys(PALETTE_VARIABLES).map((name) => [name, `color:${name}`])) as TimelinePalette;
const WIDTH_PX = 1150; // a plot of 1000 px right of the labels

function sceneOf(s: Session, view = { start: T0, end: T0 + 10_000 }, nowMs = T0 + 10_000): TimelineScene {
  const analysis = analyzeSession(s);
  return buildTimelineScene({
    session: s,
    lanes: buildLanes(reconnectChains(s), 'all', undefined, nowMs),
    view,
    widthPx: WIDTH_PX,
    heightPx: 200,
    analysis,
    nowMs,
    palette: PALETTE,
  });
}

/** x of a time in sceneOf's default view: 10 s over 1000 px. */
const xAt = (time: number) => LABEL_PX + (time - T0) / 10;

interface Call {
  name: string;
  args: unknown[];
  fillStyle: unknown;
  strokeStyle: unknown;
}

/** A CanvasRenderingContext2D that records every call with the styles in force. */
function recordingContext(): { ctx: CanvasRenderingContext2D; calls: Call[] } {
  const calls: Call[] = [];
  const state: Record<string | symbol, unknown> = { fillStyle: '', strokeStyle: '', globalAlpha: 1, lineWidth: 1 };
  const ctx = new Proxy(state, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'measureText') return (text: string) => ({ width: text.length * 6 });
      if (key === 'createPattern') return undefined;
      return (...args: unknown[]) => calls.push({ name: String(key), args, fillStyle: target.fillStyle, strokeStyle: target.strokeStyle });
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, calls };
}

/** One chain: dropped without a close frame, the event 200 ms after the record; a server's 1001; the page's own close. */
function closesSession(): Session {
  const s = emptyTestSession();
  const dropped = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 });
  send(dropped, T0 + 100, 'sub');
  receive(dropped, T0 + 200, 'data');
  closeAt(dropped, T0 + 3000);
  dropped.closedAt = T0 + 3200;
  const goingAway = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 + 4000 });
  closeAt(goingAway, T0 + 5000, 'server', 1001);
  const pageClosed = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 + 6000 });
  closeAt(pageClosed, T0 + 7000, 'page', 1000);
  return s;
}

describe('timeline scene', () => {
  it('places a close at the connection\'s end (closedAt, like the bar) and marks it bad for an abnormal severity', () => {
    const scene = sceneOf(closesSession());
    expect(scene.closes.map((close) => close.label)).toEqual(['1006 ✕', '1001 server', '1000 page']);
    const [dropped] = scene.closes;
    expect(dropped.x).toBeCloseTo(xAt(T0 + 3200));
    expect(scene.bars[0].x1).toBeCloseTo(dropped.x);
    expect(dropped.bad).toBe(true);
  });

  it('marks a 1001 Going Away as bad, like the chain summary counts it as a drop (the timeline used to spare 1001), and the page\'s own close as not', () => {
    const [, goingAway, pageClosed] = sceneOf(closesSession()).closes;
    expect(goingAway.bad).toBe(true);
    expect(pageClosed.bad).toBe(false);
  });

  it('ends the bar of a handshake that failed with only an error at the error, not now', () => {
    const s = emptyTestSession();
    const failed = failHandshake(addConnection(s, { url: 'ws://127.0.0.1:8080/down', createdAt: T0 + 1000, openDelayMs: null }), T0 + 1500);
    delete failed.close;
    delete failed.closedAt;
    const [bar] = sceneOf(s).bars;
    expect(bar.opened).toBe(false);
    expect(bar.ended).toBe(true);
    expect(bar.x1).toBeCloseTo(xAt(T0 + 1500));
  });

  it('brackets a finding\'s period at each drop\'s end, from the analysis', () => {
    const s = emptyTestSession();
    let at = T0;
    for (let i = 0; i < 4; i++) {
      const c = addConnection(s, { url: 'ws://127.0.0.1:8080/burst', createdAt: at });
      receive(c, c.openedAt! + 200, 'update');
      closeAt(c, c.openedAt! + 200 + 3000);
      at = c.close!.time + 500;
    }
    const end = at;
    const scene = sceneOf(s, { start: T0, end }, end);
    expect(scene.period?.caption).toBe('silence → drop');
    expect(scene.period?.label).toBe('3 s');
    const toX = (time: number) => LABEL_PX + ((time - T0) / (end - T0)) * (WIDTH_PX - LABEL_PX);
    expect(scene.period?.brackets.map((b) => Math.round(b.x1))).toEqual(s.connections.map((c) => Math.round(toX(c.closedAt!))));
  });
});

describe('timeline painters', () => {
  it('strokes a bad close in the palette\'s bad colour at its x, a harmless one dimmed', () => {
    const scene = sceneOf(closesSession());
    const { ctx, calls } = recordingContext();
    paintCloses(ctx, scene);
    const marks = calls.filter((call) => call.name === 'moveTo');
    const strokes = calls.filter((call) => call.name === 'stroke');
    expect(marks.map((call) => call.args[0])).toEqual(scene.closes.map((close) => close.x));
    expect(strokes.map((call) => call.strokeStyle)).toEqual(['color:bad', 'color:bad', 'color:dim']);
    const labels = calls.filter((call) => call.name === 'fillText');
    expect(labels[0]).toMatchObject({ args: ['1006 ✕', scene.closes[0].x + 3, scene.closes[0].top + 7], fillStyle: 'color:bad' });
  });

  it('paints every layer with colours from the palette only', () => {
    const { ctx, calls } = recordingContext();
    paintTimeline(ctx, sceneOf(closesSession()));
    const used = new Set(calls.flatMap((call) => [call.fillStyle, call.strokeStyle]).filter((style) => style !== ''));
    for (const style of used) expect(Object.values(PALETTE)).toContain(style);
    expect(calls.some((call) => call.name === 'fillRect' && call.fillStyle === 'color:receive')).toBe(true);
  });
});

describe('timeline palette', () => {
  it('names a panel.css variable, defined in both themes, for every colour, and reads them without fallbacks', () => {
    const css = readFileSync(new URL('../../../src/panel/panel.css', import.meta.url), 'utf8');
    const blocks = css.split('}').filter((block) => block.includes('--bg:'));
    expect(blocks.length).toBe(2); // light and dark
    for (const variable of Object.values(PALETTE_VARIABLES)) for (const block of blocks) expect(block).toContain(`${variable}:`);
    const palette = readPalette({ getPropertyValue: (name: string) => (name === '--bad' ? ' #d93025 ' : '') });
    expect(palette.bad).toBe('#d93025');
    expect(palette.bg).toBe('');
  });
});

describe('timeline at extreme times', () => {
  it('builds a scene for times near 1e19 without hanging: every time loop is finite by construction', { timeout: 5000 }, () => {
    const s = emptyTestSession();
    s.startedAt = 1e19;
    const c = addConnection(s, { url: 'ws://127.0.0.1:8080/far', createdAt: 1e19 });
    receive(c, 1e19 + 4096, 'x');
    closeAt(c, 1e19 + 8192);
    const nowMs = 1e19 + 16_384;
    const lanes = buildLanes(reconnectChains(s), 'all', undefined, nowMs);
    // Fitted (a span under one ulp rounds away), and a range where `t += step` would leave t unchanged.
    for (const view of [fitRange(lanes, s, nowMs), { start: 1e19, end: 1e19 + 4096 }]) {
      const scene = sceneOf(s, view, nowMs);
      expect(scene.axis.ticks.length).toBeLessThanOrEqual(1000);
      const { ctx } = recordingContext();
      paintTimeline(ctx, scene);
    }
  });
});
