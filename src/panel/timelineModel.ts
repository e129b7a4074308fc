// The timeline's model, without the canvas: which lanes exist, the visible
// time range, per-pixel aggregation of message ticks (so 100k messages cost
// one pass over the visible ones and one rectangle per pixel column), gaps of
// silence, and hit testing. Pure functions, unit-tested.
import { signal } from '@preact/signals';
import type { Chain } from '../core/chains';
import type { Connection, Message, Session } from '../core/model';
import { endedAt } from '../core/facts';

export interface TimeRange {
  start: number;
  end: number;
}

export type TimelineScope = 'all' | 'chain' | 'connection';

/** undefined = fit everything and follow new traffic; a range once the user zoomed or panned. */
export const timelineView = signal<TimeRange | undefined>(undefined);
export const timelineScope = signal<TimelineScope>('all');

export const MIN_SPAN_MS = 5;

export function focusTimeline(start: number, end: number): void {
  timelineView.value = { start, end: Math.max(end, start + MIN_SPAN_MS) };
}

export interface Lane {
  key: string;
  label: string;
  /** Tooltip for the label. */
  title: string;
  chainKey: string;
  /** Connections drawn on this lane; they do not overlap in time. */
  connections: Connection[];
}

function endOf(connection: Connection, now: number): number {
  return endedAt(connection) ?? now;
}

function pathOf(key: string): string {
  try {
    const url = new URL(key);
    return `${url.host}${url.pathname}`;
  } catch {
    return key;
  }
}

/** Puts a chain's connections on as few lanes as possible (connections that overlap get their own lane). */
export function packChain(chain: Chain, now: number): Connection[][] {
  const lanes: { end: number; connections: Connection[] }[] = [];
  for (const connection of chain.connections) {
    const lane = lanes.find((l) => l.end <= connection.createdAt);
    if (lane) {
      lane.connections.push(connection);
      lane.end = endOf(connection, now);
    } else lanes.push({ end: endOf(connection, now), connections: [connection] });
  }
  return lanes.map((l) => l.connections);
}

export function buildLanes(chains: Chain[], scope: TimelineScope, selectedId: string | undefined, now: number): Lane[] {
  const selectedChain = selectedId === undefined ? undefined : chains.find((c) => c.connections.some((x) => x.id === selectedId));
  if (scope === 'connection' && selectedChain) {
    const connection = selectedChain.connections.find((c) => c.id === selectedId)!;
    const position = selectedChain.connections.indexOf(connection) + 1;
    return [{ key: connection.id, label: `#${position} ${pathOf(selectedChain.key)}`, title: connection.url, chainKey: selectedChain.key, connections: [connection] }];
  }
  if (scope === 'chain' && selectedChain) {
    return selectedChain.connections.map((connection, i) => ({
      key: connection.id,
      label: `#${i + 1} ${pathOf(selectedChain.key)}`,
      title: connection.url,
      chainKey: selectedChain.key,
      connections: [connection],
    }));
  }
  const lanes: Lane[] = [];
  for (const chain of chains) {
    const packed = packChain(chain, now);
    packed.forEach((connections, i) =>
      lanes.push({
        key: `${chain.key}#${i}`,
        label: `${pathOf(chain.key)}${packed.length > 1 ? ` (${i + 1})` : ''}`,
        title: `${chain.key}: ${chain.connections.length} connection${chain.connections.length === 1 ? '' : 's'}`,
        chainKey: chain.key,
        connections,
      }),
    );
  }
  return lanes;
}

/** The time range that shows every lane's connections, with a little margin. */
export function fitRange(lanes: Lane[], session: Session, now: number): TimeRange {
  let start = Infinity;
  let end = -Infinity;
  for (const lane of lanes) {
    for (const connection of lane.connections) {
      start = Math.min(start, connection.createdAt);
      end = Math.max(end, endOf(connection, now));
    }
  }
  if (!Number.isFinite(start)) {
    start = session.startedAt;
    end = now;
  }
  const span = Math.max(end - start, 1000);
  return { start: start - span * 0.02, end: start + span * 1.04 };
}

/** First message with time ≥ t (messages are in time order). */
export function lowerBound(messages: Message[], time: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (messages[mid].time < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

export interface LaneBins {
  /** Data messages per pixel column, by direction. */
  send: Uint32Array;
  receive: Uint32Array;
  /** Heartbeats per pixel column, by role. */
  ping: Uint32Array;
  pong: Uint32Array;
  /** Heartbeats per column by direction (ping or pong), to draw them on the right side. */
  heartbeatSend: Uint32Array;
  /** Gaps of silence in pixels: [x0, x1, x0, x1, …]. */
  silences: number[];
  /** How many messages fell in view. */
  visible: number;
}

/**
 * Counts the lane's messages in each pixel column of [view.start, view.end)
 * and finds the silences of at least `minSilenceMs` (from open, between
 * messages, and up to the close) that show in view.
 */
export function aggregateLane(lane: Lane, view: TimeRange, widthPx: number, minSilenceMs: number, now: number): LaneBins {
  const width = Math.max(1, Math.floor(widthPx));
  const bins: LaneBins = {
    send: new Uint32Array(width),
    receive: new Uint32Array(width),
    ping: new Uint32Array(width),
    pong: new Uint32Array(width),
    heartbeatSend: new Uint32Array(width),
    silences: [],
    visible: 0,
  };
  const pxPerMs = width / (view.end - view.start);
  const toX = (time: number) => (time - view.start) * pxPerMs;
  const addSilence = (from: number, to: number) => {
    if (to - from < minSilenceMs || to < view.start || from > view.end) return;
    bins.silences.push(Math.max(0, toX(from)), Math.min(width, toX(to)));
  };
  for (const connection of lane.connections) {
    if (connection.openedAt === undefined) continue;
    const end = endOf(connection, now);
    if (end < view.start || connection.createdAt > view.end) continue;
    const messages = connection.messages;
    const first = lowerBound(messages, view.start);
    // The silence that runs into the view from before it.
    let previous = first > 0 ? messages[first - 1].time : connection.openedAt;
    let nextIndex = first > 0 ? messages[first - 1].index + 1 : 0;
    for (let i = first; i < messages.length; i++) {
      const message = messages[i];
      // Messages missing before it (the indices skip: a cap's cut, a page that went away unread): no silence there.
      if (message.index !== nextIndex) previous = message.time;
      nextIndex = message.index + 1;
      if (message.time > view.end) {
        addSilence(previous, message.time);
        previous = Infinity;
        break;
      }
      addSilence(previous, message.time);
      previous = message.time;
      const column = Math.min(width - 1, Math.floor(toX(message.time)));
      if (column < 0) continue;
      bins.visible++;
      if (message.heartbeat) {
        (message.heartbeat === 'ping' ? bins.ping : bins.pong)[column]++;
        if (message.direction === 'send') bins.heartbeatSend[column]++;
      } else (message.direction === 'send' ? bins.send : bins.receive)[column]++;
    }
    if (previous !== Infinity && connection.close) addSilence(previous, end);
  }
  return bins;
}

export interface Hit {
  connection: Connection;
  message?: Message;
}

/** The message nearest to `time` within `toleranceMs` on a lane (preferring the given direction), else the connection under it. */
export function hitTest(lane: Lane, time: number, toleranceMs: number, preferDirection?: 'send' | 'receive', now = Date.now()): Hit | undefined {
  let best: Hit | undefined;
  let bestDistance = Infinity;
  for (const connection of lane.connections) {
    const end = endOf(connection, now);
    if (time < connection.createdAt - toleranceMs || time > end + toleranceMs) continue;
    const messages = connection.messages;
    const from = lowerBound(messages, time - toleranceMs);
    for (let i = from; i < messages.length && messages[i].time <= time + toleranceMs; i++) {
      const message = messages[i];
      // A message on the other side of the lane counts as a little further away.
      const distance = Math.abs(message.time - time) + (preferDirection && message.direction !== preferDirection ? toleranceMs / 2 : 0);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = { connection, message };
      }
    }
    if (!best && time >= connection.createdAt && time <= end) best = { connection };
  }
  return best;
}

/** A pleasant tick step (1, 2, 5 × 10^k ms) so that ticks are at least `minPx` apart. */
export function tickStepMs(view: TimeRange, widthPx: number, minPx = 90): number {
  const msPerPx = (view.end - view.start) / Math.max(1, widthPx);
  const raw = msPerPx * minPx;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (power * factor >= raw) return power * factor;
  return power * 10;
}

/** Zooms by `factor` (< 1 zooms in) around `anchor`. */
export function zoomRange(view: TimeRange, factor: number, anchor: number): TimeRange {
  const span = Math.max(MIN_SPAN_MS, (view.end - view.start) * factor);
  const ratio = (anchor - view.start) / (view.end - view.start);
  const start = anchor - span * ratio;
  return { start, end: start + span };
}

export function panRange(view: TimeRange, deltaMs: number): TimeRange {
  return { start: view.start + deltaMs, end: view.end + deltaMs };
}
