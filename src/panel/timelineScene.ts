// What the timeline draws, as plain data: built in one function from the
// session, the lanes, the view and the analysis, then painted layer by layer
// (./timelinePaint.ts) without reading the store. Every x is in CSS pixels
// of the canvas; every loop over a time range iterates by an integer index
// with a capped count, so no range (times near 1e19 included, where adding a
// step to a time no longer changes it) can spin.
import type { SessionAnalysis } from '../core/analysis';
import { closeSeverity, endedAt, isDrop } from '../core/facts';
import type { Finding } from '../core/finding';
import { formatClock, formatDuration } from '../core/format';
import type { Connection, Message, PageEvent, Session } from '../core/model';
import { aggregateLane, tickStepMs, type Lane, type LaneBins, type TimeRange } from './timelineModel';

export const LABEL_PX = 150;
export const AXIS_PX = 20;
export const PERIOD_PX = 18;
export const LANE_PX = 30;
export const BAR_PX = 6;
const MIN_SILENCE_PX = 12;
export const MIN_SILENCE_MS = 1000;
/** More axis ticks than any canvas is wide in tick spacings: the cap only matters for degenerate ranges. */
const MAX_AXIS_TICKS = 1000;

// ---- palette: the CSS variables of panel.css, read once per theme ----

/** Each colour of the canvas and the CSS variable it comes from: the one table, no fallbacks to drift from panel.css. */
export const PALETTE_VARIABLES = {
  bg: '--bg',
  bgAlt: '--bg-alt',
  selected: '--bg-selected',
  fg: '--fg',
  dim: '--fg-dim',
  border: '--border',
  grid: '--grid',
  send: '--send',
  receive: '--receive',
  ping: '--ping',
  pong: '--pong',
  bad: '--bad',
  warn: '--warn',
  accent: '--accent',
  bar: '--bar',
  barOpen: '--bar-open',
  hidden: '--band-hidden',
  offline: '--band-offline',
  period: '--period',
} as const;

export type TimelinePalette = Record<keyof typeof PALETTE_VARIABLES, string>;

/** Reads the palette from a computed style (getComputedStyle of the canvas). */
export function readPalette(style: Pick<CSSStyleDeclaration, 'getPropertyValue'>): TimelinePalette {
  const palette = {} as TimelinePalette;
  for (const [name, variable] of Object.entries(PALETTE_VARIABLES) as [keyof TimelinePalette, string][]) palette[name] = style.getPropertyValue(variable).trim();
  return palette;
}

// ---- the scene ----

export interface SceneLane {
  label: string;
  top: number;
  mid: number;
  /** The lane holds the selected connection (highlighted), or is an odd row (striped). */
  background?: 'selected' | 'striped';
  /** Pixel-column counts of the lane's messages in view (column 0 at LABEL_PX). */
  bins: LaneBins;
}

export interface SceneBar {
  mid: number;
  /** Created, opened (or created when it never opened), and ended (or now). */
  createdX: number;
  x0: number;
  x1: number;
  opened: boolean;
  ended: boolean;
  selected: boolean;
}

export interface SceneHeartbeat {
  x: number;
  y: number;
  role: 'ping' | 'pong';
}

export interface SceneSilence {
  mid: number;
  x0: number;
  x1: number;
}

export interface SceneClose {
  top: number;
  /** At the connection's end (core endedAt). */
  x: number;
  label: string;
  /** core isDrop of the close severity. */
  bad: boolean;
  /** Room for the label: up to the next connection on the lane, or the canvas edge. */
  roomPx: number;
}

export interface SceneBand {
  x0: number;
  x1: number;
  kind: 'hidden' | 'offline';
}

export interface SceneMarker {
  x: number;
  kind: 'navigation' | 'timer-late';
}

export interface ScenePeriod {
  caption: string;
  /** The period, written on each bracket that has room. */
  label: string;
  /** One per drop of the finding, in time order. */
  brackets: { x0: number; x1: number }[];
}

export interface SceneAxis {
  originLabel: string;
  ticks: { x: number; label: string }[];
}

export interface TimelineScene {
  widthPx: number;
  heightPx: number;
  plotWidthPx: number;
  lanesTop: number;
  lanesBottom: number;
  view: TimeRange;
  palette: TimelinePalette;
  lanes: SceneLane[];
  bars: SceneBar[];
  heartbeats: SceneHeartbeat[];
  silences: SceneSilence[];
  closes: SceneClose[];
  bands: SceneBand[];
  markers: SceneMarker[];
  notes: number[];
  period?: ScenePeriod;
  axis: SceneAxis;
  /** The selected message's line, on its lane. */
  selectedMessage?: { x: number; top: number };
  pointerX?: number;
}

export interface TimelineSceneInput {
  session: Session;
  lanes: Lane[];
  view: TimeRange;
  widthPx: number;
  heightPx: number;
  analysis: Pick<SessionAnalysis, 'facts' | 'findings'>;
  selectedConnectionId?: string;
  selectedMessage?: Message;
  pointerTime?: number;
  nowMs: number;
  palette: TimelinePalette;
}

/** The finding whose repeating period is marked under the axis. */
export function periodicFinding(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.periodMs !== undefined && (f.kind === 'idle-timeout' || f.kind === 'max-lifetime'));
}

/** Top of the first lane: under the axis, and under the period row when a finding has one. */
export function lanesTopPx(findings: readonly Finding[]): number {
  return AXIS_PX + (periodicFinding(findings) ? PERIOD_PX : 0);
}

export function buildTimelineScene(input: TimelineSceneInput): TimelineScene {
  const { session, lanes, view, widthPx, nowMs } = input;
  const lanesTop = lanesTopPx(input.analysis.findings);
  const lanesBottom = lanesTop + lanes.length * LANE_PX;
  const plotWidthPx = Math.max(1, widthPx - LABEL_PX);
  const pxPerMs = plotWidthPx / (view.end - view.start);
  const toX = (time: number): number => LABEL_PX + (time - view.start) * pxPerMs;
  const minSilenceMs = Math.max(MIN_SILENCE_MS, MIN_SILENCE_PX / pxPerMs);
  const selectedId = input.selectedConnectionId;

  const scene: TimelineScene = {
    widthPx,
    heightPx: Math.max(input.heightPx, lanesBottom),
    plotWidthPx,
    lanesTop,
    lanesBottom,
    view,
    palette: input.palette,
    lanes: [],
    bars: [],
    heartbeats: [],
    silences: [],
    closes: [],
    bands: [],
    markers: [],
    notes: [],
    axis: axisOf(session, view, plotWidthPx, toX),
    pointerX: input.pointerTime === undefined ? undefined : Math.round(toX(input.pointerTime)) + 0.5,
  };

  lanes.forEach((lane, i) => {
    const top = lanesTop + i * LANE_PX;
    const mid = top + LANE_PX / 2;
    const holdsSelected = lane.connections.some((c) => c.id === selectedId);
    const bins = aggregateLane(lane, view, plotWidthPx, minSilenceMs, nowMs);
    scene.lanes.push({ label: lane.label, top, mid, background: holdsSelected ? 'selected' : i % 2 === 1 ? 'striped' : undefined, bins });
    addBars(scene, lane, mid, toX, nowMs, selectedId);
    addSilences(scene, bins, mid);
    addHeartbeats(scene, bins, mid);
    addCloses(scene, lane, top, toX);
    if (holdsSelected && input.selectedMessage) scene.selectedMessage = { x: Math.round(toX(input.selectedMessage.time)) + 0.5, top };
  });

  addPageEvents(scene, session, toX, nowMs);
  scene.period = periodOf(input, toX);
  return scene;
}

function addBars(scene: TimelineScene, lane: Lane, mid: number, toX: (time: number) => number, nowMs: number, selectedId: string | undefined): void {
  for (const connection of lane.connections) {
    const ended = endedAt(connection);
    const x0 = toX(connection.openedAt ?? connection.createdAt);
    const x1 = toX(ended ?? nowMs);
    if (x1 < LABEL_PX || x0 > scene.widthPx) continue;
    scene.bars.push({ mid, createdX: toX(connection.createdAt), x0, x1, opened: connection.openedAt !== undefined, ended: ended !== undefined, selected: connection.id === selectedId });
  }
}

function addSilences(scene: TimelineScene, bins: LaneBins, mid: number): void {
  for (let k = 0; k + 1 < bins.silences.length; k += 2) {
    const x0 = LABEL_PX + bins.silences[k];
    const x1 = LABEL_PX + bins.silences[k + 1];
    if (x1 - x0 >= 1) scene.silences.push({ mid, x0, x1 });
  }
}

function addHeartbeats(scene: TimelineScene, bins: LaneBins, mid: number): void {
  for (let column = 0; column < bins.ping.length; column++) {
    const beats = bins.ping[column] + bins.pong[column];
    if (!beats) continue;
    // On the side of their direction (sent above the bar), coloured by role.
    const above = bins.heartbeatSend[column] * 2 >= beats;
    scene.heartbeats.push({ x: LABEL_PX + column, y: above ? mid - BAR_PX / 2 - 5 : mid + BAR_PX / 2 + 5, role: bins.ping[column] >= bins.pong[column] ? 'ping' : 'pong' });
  }
}

function addCloses(scene: TimelineScene, lane: Lane, top: number, toX: (time: number) => number): void {
  for (let k = 0; k < lane.connections.length; k++) {
    const connection = lane.connections[k];
    const close = connection.close;
    if (!close) continue;
    const x = toX(endedAt(connection) ?? close.time);
    if (x < LABEL_PX - 40 || x > scene.widthPx + 4) continue;
    const who = close.simulated ? 'sim' : close.initiator === 'abnormal' ? '✕' : close.initiator === 'navigation' ? 'nav' : close.initiator === 'page' ? 'page' : 'server';
    const next = lane.connections[k + 1];
    scene.closes.push({ top, x, label: `${close.code} ${who}`, bad: isDrop(closeSeverity(connection)), roomPx: (next ? toX(next.createdAt) : scene.widthPx) - x });
  }
}

function addPageEvents(scene: TimelineScene, session: Session, toX: (time: number) => number, nowMs: number): void {
  const band = (ranges: [number, number][], kind: SceneBand['kind']) => {
    for (const [from, to] of ranges) {
      const x0 = Math.max(LABEL_PX, toX(from));
      const x1 = Math.min(scene.widthPx, toX(to));
      if (x1 > x0) scene.bands.push({ x0, x1, kind });
    }
  };
  band(bandRanges(session.pageEvents, 'hidden', 'visible', nowMs), 'hidden');
  band(bandRanges(session.pageEvents, 'freeze', 'resume', nowMs), 'hidden');
  band(bandRanges(session.pageEvents, 'offline', 'online', nowMs), 'offline');
  for (const event of session.pageEvents) {
    if (event.type !== 'navigation' && event.type !== 'timer-late' && event.type !== 'timer-throttled') continue;
    const x = Math.round(toX(event.time)) + 0.5;
    // Throttling is drawn like a late timer: both say the page's own timers were not on time.
    if (x >= LABEL_PX && x <= scene.widthPx) scene.markers.push({ x, kind: event.type === 'navigation' ? 'navigation' : 'timer-late' });
  }
  for (const note of session.notes) {
    const x = toX(note.time);
    if (x >= LABEL_PX && x <= scene.widthPx) scene.notes.push(x);
  }
}

/** Ranges between a start event and its end event (hidden → visible, offline → online, freeze → resume), top frame only. */
export function bandRanges(events: PageEvent[], startType: PageEvent['type'], endType: PageEvent['type'], end: number): [number, number][] {
  const result: [number, number][] = [];
  let from: number | undefined;
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    if (event.frameId !== undefined && event.frameId !== 0) continue;
    if (event.type === startType && from === undefined) from = event.time;
    else if (event.type === endType && from !== undefined) {
      result.push([from, event.time]);
      from = undefined;
    }
  }
  if (from !== undefined) result.push([from, end]);
  return result;
}

/** The period a finding reports, bracketed at each of its drops: ending at the connection's end (the analysis' endedAt). */
function periodOf(input: TimelineSceneInput, toX: (time: number) => number): ScenePeriod | undefined {
  const finding = periodicFinding(input.analysis.findings);
  const periodMs = finding?.periodMs;
  if (!finding || !periodMs) return undefined;
  const ids = new Set(finding.connections);
  const drops: { connection: Connection; end: number }[] = [];
  for (const connection of input.session.connections) {
    if (!ids.has(connection.id) || !connection.close) continue;
    const end = input.analysis.facts.get(connection.id)?.endedAt ?? endedAt(connection);
    if (end !== undefined) drops.push({ connection, end });
  }
  drops.sort((a, b) => a.end - b.end);
  const brackets: ScenePeriod['brackets'] = [];
  for (const { connection, end } of drops) {
    const start = finding.kind === 'max-lifetime' ? (connection.openedAt ?? end - periodMs) : end - periodMs;
    const x0 = Math.max(LABEL_PX, toX(start));
    const x1 = Math.min(input.widthPx, toX(end));
    if (x1 < LABEL_PX || x0 > input.widthPx) continue;
    brackets.push({ x0, x1 });
  }
  return { caption: finding.kind === 'idle-timeout' ? 'silence → drop' : 'age → drop', label: formatDuration(periodMs), brackets };
}

function axisOf(session: Session, view: TimeRange, plotWidthPx: number, toX: (time: number) => number): SceneAxis {
  const origin = firstCreatedAt(session.connections) ?? session.startedAt;
  const ticks: SceneAxis['ticks'] = [];
  const step = tickStepMs(view, plotWidthPx);
  const firstTick = Math.ceil((view.start - origin) / step) * step + origin;
  // By index, capped: near 1e19 `t += step` leaves t unchanged, and a zero or NaN step never advances.
  const count = step > 0 && Number.isFinite(firstTick) ? Math.min(MAX_AXIS_TICKS, Math.floor((view.end - firstTick) / step) + 1) : 0;
  for (let i = 0; i < count; i++) {
    const t = firstTick + i * step;
    const x = Math.round(toX(t)) + 0.5;
    if (x >= LABEL_PX) ticks.push({ x, label: formatAxis(t - origin, step) });
  }
  return { originLabel: `from ${formatClock(origin)}`, ticks };
}

function formatAxis(offsetMs: number, stepMs: number): string {
  if (stepMs < 1000) return `${(offsetMs / 1000).toFixed(stepMs < 10 ? 3 : stepMs < 100 ? 2 : 1)} s`;
  if (stepMs < 60_000) return `${Math.round(offsetMs / 1000)} s`;
  const minutes = Math.floor(offsetMs / 60_000);
  const seconds = Math.round((offsetMs % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

function firstCreatedAt(connections: Connection[]): number | undefined {
  let first: number | undefined;
  for (const connection of connections) if (first === undefined || connection.createdAt < first) first = connection.createdAt;
  return first;
}
