// The timeline: every connection as a bar from open to close on one shared
// time axis, lanes per reconnect chain (or per connection of the selected
// chain), message ticks by direction (sent above the bar, received below),
// heartbeats in their own colours, gaps of silence hatched, closes marked
// with their code and initiator, page events as bands and markers, and the
// period a finding reports bracketed under the axis. Drawn on a canvas with
// one rectangle per pixel column; zoom with the wheel or + / -, pan by
// dragging or with the arrow keys, 0 to fit; click a tick to select it.
import { effect, useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Connection, PageEvent } from '../core/model';
import type { Finding } from '../core/finding';
import { explainCloseCode } from '../core/closeCodes';
import { formatDuration as formatPeriod } from '../core/diagnosis';
import { formatBytes, formatClock, formatDuration, oneLine } from './format';
import { theme } from './theme';
import {
  analysisRevision,
  chains,
  findings,
  now,
  revision,
  selectConnection,
  selectedConnectionId,
  selectedMessage,
  session,
} from './store';
import {
  aggregateLane,
  buildLanes,
  fitRange,
  hitTest,
  panRange,
  tickStepMs,
  timelineScope,
  timelineView,
  zoomRange,
  type Lane,
  type TimeRange,
  type TimelineScope,
} from './timelineModel';

export const LABEL_PX = 150;
export const AXIS_PX = 20;
export const PERIOD_PX = 18;
export const LANE_PX = 30;
const BAR_PX = 6;
const TICK_MAX_PX = 10;
const MIN_SILENCE_PX = 12;
const MIN_SILENCE_MS = 1000;
const HIT_PX = 5;

interface Geometry {
  lanes: Lane[];
  view: TimeRange;
  widthPx: number;
  heightPx: number;
  periodFinding?: Finding;
  lanesTop: number;
}

interface HoverInfo {
  x: number;
  y: number;
  lines: string[];
}

const SCOPES: { value: TimelineScope; label: string; title: string }[] = [
  { value: 'all', label: 'All chains', title: 'One lane per endpoint (reconnect chain)' },
  { value: 'chain', label: 'Chain', title: 'One lane per connection of the selected chain' },
  { value: 'connection', label: 'Connection', title: 'Only the selected connection' },
];

/** The finding whose repeating period is marked on the axis. */
function periodicFinding(list: Finding[]): Finding | undefined {
  return list.find((f) => f.periodMs !== undefined && (f.kind === 'idle-timeout' || f.kind === 'max-lifetime'));
}

function cssColors(element: Element) {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    bg: read('--bg', '#fff'),
    bgAlt: read('--bg-alt', '#f3f3f3'),
    selected: read('--bg-selected', '#cfe8fc'),
    fg: read('--fg', '#1f1f1f'),
    dim: read('--fg-dim', '#5f6368'),
    border: read('--border', '#d0d0d0'),
    grid: read('--grid', '#ececec'),
    send: read('--send', '#1a73e8'),
    receive: read('--receive', '#188038'),
    ping: read('--ping', '#9334e6'),
    pong: read('--pong', '#e37400'),
    bad: read('--bad', '#c5221f'),
    warn: read('--warn', '#b06000'),
    accent: read('--accent', '#117a8b'),
    bar: read('--bar', '#9aa0a6'),
    barOpen: read('--bar-open', '#34a853'),
    hidden: read('--band-hidden', 'rgba(128,128,128,0.14)'),
    offline: read('--band-offline', 'rgba(217,48,37,0.14)'),
    period: read('--period', 'rgba(227,116,0,0.25)'),
  };
}

export function Timeline() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const size = useSignal({ width: 600, height: 200 });
  const hover = useSignal<HoverInfo | undefined>(undefined);
  const pointerTime = useSignal<number | undefined>(undefined);

  const lanes = useComputed(() => {
    void revision.value;
    return buildLanes(chains.value, timelineScope.value, selectedConnectionId.value, now.peek());
  });
  const view = useComputed<TimeRange>(() => {
    void revision.value;
    void now.value;
    return timelineView.value ?? fitRange(lanes.value, session.value, Date.now());
  });

  const geometry = (): Geometry => {
    const periodFinding = periodicFinding(findings.peek());
    return {
      lanes: lanes.peek(),
      view: view.peek(),
      widthPx: size.peek().width,
      heightPx: size.peek().height,
      periodFinding,
      lanesTop: AXIS_PX + (periodFinding ? PERIOD_PX : 0),
    };
  };

  // Size: follow the wrapper.
  useEffect(() => {
    const element = wrapper.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => (size.value = { width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Draw whenever anything drawn changes, at most once per animation frame.
  useEffect(() => {
    let frame = 0;
    const dispose = effect(() => {
      void revision.value;
      void analysisRevision.value;
      void lanes.value;
      void view.value;
      void size.value;
      void selectedConnectionId.value;
      void selectedMessage.value;
      void pointerTime.value;
      void findings.value;
      void theme.value; // the canvas's colours come from the CSS variables of the theme
      if (frame) return;
      const schedule = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb: () => void) => setTimeout(cb, 16) as unknown as number;
      frame = schedule(() => {
        frame = 0;
        if (canvas.current) draw(canvas.current, geometry(), pointerTime.peek());
      });
    });
    return dispose;
  }, []);

  const laneAt = (y: number): Lane | undefined => {
    const g = geometry();
    if (y < g.lanesTop) return undefined;
    return g.lanes[Math.floor((y - g.lanesTop) / LANE_PX)];
  };
  const timeAt = (x: number): number => {
    const g = geometry();
    const plot = Math.max(1, g.widthPx - LABEL_PX);
    return g.view.start + ((x - LABEL_PX) / plot) * (g.view.end - g.view.start);
  };
  const msPerPx = () => {
    const g = geometry();
    return (g.view.end - g.view.start) / Math.max(1, g.widthPx - LABEL_PX);
  };
  const local = (event: MouseEvent) => {
    const rect = canvas.current!.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const hitAt = (x: number, y: number) => {
    const lane = laneAt(y);
    if (!lane || x < LABEL_PX) return undefined;
    const g = geometry();
    const laneIndex = g.lanes.indexOf(lane);
    const center = g.lanesTop + laneIndex * LANE_PX + LANE_PX / 2;
    return hitTest(lane, timeAt(x), HIT_PX * msPerPx(), y < center ? 'send' : 'receive', Date.now());
  };

  const describe = (x: number, y: number): string[] | undefined => {
    const g = geometry();
    if (y < AXIS_PX) return undefined;
    if (y < g.lanesTop && g.periodFinding) {
      return [g.periodFinding.title, ...(g.periodFinding.suspects?.length ? [`Suspect: ${g.periodFinding.suspects.map((s) => `${s.name} (${s.knob})`).join(', ')}`] : [])];
    }
    const lane = laneAt(y);
    if (!lane) return undefined;
    if (x < LABEL_PX) return [lane.title];
    const time = timeAt(x);
    const event = pageEventNear(session.peek().pageEvents, time, HIT_PX * msPerPx());
    const hit = hitAt(x, y);
    const lines: string[] = [];
    if (hit?.message) {
      const m = hit.message;
      lines.push(
        `${m.direction === 'send' ? '↑ sent' : '↓ received'} #${m.index} · ${formatClock(m.time)} · ${formatBytes(m.size)}${m.heartbeat ? ` · heartbeat ${m.heartbeat}` : ''}`,
        m.opcode === 2 ? `binary ${formatBytes(m.size)}` : oneLine(m.preview, 120),
      );
    } else if (hit) {
      lines.push(...connectionLines(hit.connection, time));
    }
    if (event) lines.push(pageEventLine(event));
    return lines.length ? lines : undefined;
  };

  const drag = useRef<{ x: number; view: TimeRange; moved: boolean } | undefined>(undefined);
  const setView = (next: TimeRange) => (timelineView.value = next);

  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    canvas.current?.setPointerCapture?.(event.pointerId);
    drag.current = { x: event.clientX, view: view.peek(), moved: false };
  };
  const onPointerMove = (event: PointerEvent) => {
    const { x, y } = local(event);
    const current = drag.current;
    if (current) {
      const dx = event.clientX - current.x;
      if (Math.abs(dx) > 3) current.moved = true;
      if (current.moved) {
        setView(panRange(current.view, -dx * msPerPx()));
        hover.value = undefined;
        return;
      }
    }
    pointerTime.value = x >= LABEL_PX ? timeAt(x) : undefined;
    const lines = describe(x, y);
    hover.value = lines ? { x, y, lines } : undefined;
  };
  const onPointerUp = (event: PointerEvent) => {
    const current = drag.current;
    drag.current = undefined;
    if (!current || current.moved) return;
    const { x, y } = local(event);
    const hit = hitAt(x, y);
    if (hit) selectConnection(hit.connection.id, hit.message?.index);
  };
  const onWheel = (event: WheelEvent) => {
    const { x } = local(event);
    event.preventDefault();
    if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      setView(panRange(view.peek(), (event.deltaX || event.deltaY) * msPerPx()));
    } else {
      setView(zoomRange(view.peek(), Math.exp(event.deltaY * 0.002), x >= LABEL_PX ? timeAt(x) : view.peek().start));
    }
  };
  const center = () => (view.peek().start + view.peek().end) / 2;
  const zoom = (factor: number) => setView(zoomRange(view.peek(), factor, pointerTime.peek() ?? center()));
  const pan = (share: number) => setView(panRange(view.peek(), (view.peek().end - view.peek().start) * share));
  const onKeyDown = (event: KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      '+': () => zoom(0.7),
      '=': () => zoom(0.7),
      w: () => zoom(0.7),
      '-': () => zoom(1 / 0.7),
      s: () => zoom(1 / 0.7),
      ArrowLeft: () => pan(-0.15),
      a: () => pan(-0.15),
      ArrowRight: () => pan(0.15),
      d: () => pan(0.15),
      '0': () => (timelineView.value = undefined),
      Home: () => (timelineView.value = undefined),
    };
    const action = actions[event.key];
    if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    action();
  };

  // Wheel listeners must be non-passive to prevent the page from scrolling.
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  const periodic = periodicFinding(findings.value);
  const lanesHeight = (periodic ? PERIOD_PX : 0) + AXIS_PX + lanes.value.length * LANE_PX;
  return (
    <div class="timeline-pane">
      <div class="pane-header timeline-header">
        <span>Timeline</span>
        <div class="segmented" role="group" aria-label="Timeline lanes">
          {SCOPES.map((scope) => (
            <button
              key={scope.value}
              type="button"
              class="segment"
              aria-pressed={timelineScope.value === scope.value}
              title={scope.title}
              disabled={scope.value !== 'all' && selectedConnectionId.value === undefined}
              onClick={() => {
                timelineScope.value = scope.value;
                timelineView.value = undefined;
              }}
            >
              {scope.label}
            </button>
          ))}
        </div>
        <div class="segmented" role="group" aria-label="Zoom">
          <button type="button" class="segment" title="Zoom in (+ or W, or the mouse wheel)" aria-label="Zoom in" onClick={() => zoom(0.5)}>
            +
          </button>
          <button type="button" class="segment" title="Zoom out (- or S)" aria-label="Zoom out" onClick={() => zoom(2)}>
            −
          </button>
          <button type="button" class="segment" title="Fit everything and follow new traffic (0)" aria-pressed={timelineView.value === undefined} onClick={() => (timelineView.value = undefined)}>
            Fit
          </button>
        </div>
        <Legend />
        {periodic && (
          <span class="period-legend" title={periodic.detail}>
            <span class="period-swatch" aria-hidden="true" /> {periodLegend(periodic)}
          </span>
        )}
      </div>
      <div ref={wrapper} class="timeline-canvas-wrap">
        <canvas
          ref={canvas}
          class="timeline-canvas"
          tabIndex={0}
          role="img"
          aria-label={`Timeline of ${lanes.value.length} lanes. Drag or arrow keys to pan, wheel or plus and minus to zoom, 0 to fit.`}
          style={{ minHeight: `${lanesHeight}px` }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => {
            hover.value = undefined;
            pointerTime.value = undefined;
          }}
          onKeyDown={onKeyDown}
        />
        {hover.value && (
          <div
            class="timeline-tooltip"
            role="tooltip"
            style={{ left: `${Math.min(hover.value.x + 12, Math.max(0, size.value.width - 320))}px`, top: `${hover.value.y + 14}px` }}
          >
            {hover.value.lines.map((line, i) => (
              <div key={i} class={i === 0 ? 'tooltip-title' : ''}>
                {line}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

function periodLegend(finding: Finding): string {
  const period = formatPeriod(finding.periodMs ?? 0);
  const what = finding.kind === 'idle-timeout' ? `${period} silence before each drop` : `cut at age ${period}`;
  const names = (finding.suspects ?? []).map((s) => s.name.replace(/ \(.*\)$/, ''));
  if (!names.length) return what;
  const kind = finding.kind === 'idle-timeout' ? 'an idle timeout' : 'an absolute limit';
  return `${what} → ${kind} in ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}?`;
}

function Legend() {
  return (
    <span class="legend" aria-hidden="true">
      <span class="swatch swatch-send" />sent
      <span class="swatch swatch-receive" />received
      <span class="swatch swatch-ping" />ping
      <span class="swatch swatch-pong" />pong
      <span class="swatch swatch-silence" />silence
    </span>
  );
}

function connectionLines(connection: Connection, time: number): string[] {
  const lines = [connection.url];
  const opened = connection.openedAt;
  if (opened === undefined) lines.push(connection.errorAt !== undefined ? 'Handshake failed (error before open)' : 'Connecting…');
  else lines.push(`Opened ${formatClock(opened)} · ${connection.close ? `lived ${formatDuration(connection.close.time - opened)}` : `open for ${formatDuration(Date.now() - opened)}`}`);
  const close = connection.close;
  if (close) lines.push(`Closed ${close.code} ${explainCloseCode(close.code).name} by ${close.initiator === 'abnormal' ? 'nobody (no close frame)' : `the ${close.initiator}`} at ${formatClock(close.time)}`);
  const messages = connection.messages;
  let previous: number | undefined = opened;
  for (const message of messages) {
    if (message.time > time) {
      if (previous !== undefined && message.time - previous >= MIN_SILENCE_MS) lines.push(`Silence of ${formatDuration(message.time - previous)} here`);
      previous = undefined;
      break;
    }
    previous = message.time;
  }
  if (previous !== undefined && close && close.time - previous >= MIN_SILENCE_MS && time <= close.time) lines.push(`Silence of ${formatDuration(close.time - previous)} before the close`);
  return lines;
}

const PAGE_EVENT_WORDS: Record<PageEvent['type'], string> = {
  hidden: 'Tab hidden',
  visible: 'Tab visible',
  online: 'Back online',
  offline: 'Network offline',
  freeze: 'Page frozen',
  resume: 'Page resumed',
  pagehide: 'Page hidden (unload or bfcache)',
  pageshow: 'Page shown',
  navigation: 'Navigation',
  'timer-late': 'A timer fired late',
};

function pageEventLine(event: PageEvent): string {
  return `${PAGE_EVENT_WORDS[event.type]} at ${formatClock(event.time)}${event.detail ? ` · ${event.detail}` : ''}${event.lateMs ? ` · ${formatDuration(event.lateMs)} late` : ''}`;
}

function pageEventNear(events: PageEvent[], time: number, toleranceMs: number): PageEvent | undefined {
  let best: PageEvent | undefined;
  for (const event of events) if (Math.abs(event.time - time) <= toleranceMs && (!best || Math.abs(event.time - time) < Math.abs(best.time - time))) best = event;
  return best;
}

/** Bands between a start event and its end event (hidden → visible, offline → online, freeze → resume). */
function bands(events: PageEvent[], startType: PageEvent['type'], endType: PageEvent['type'], end: number): [number, number][] {
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

// ---- drawing ----

/** Grid lines drawn at most (a tick every 90 px needs far fewer). */
const MAX_TICKS = 1000;

function draw(canvas: HTMLCanvasElement, g: Geometry, pointerTime: number | undefined): void {
  const ctx = canvas.getContext?.('2d');
  if (!ctx) return;
  const dpr = globalThis.devicePixelRatio || 1;
  const width = g.widthPx;
  const height = Math.max(g.heightPx, g.lanesTop + g.lanes.length * LANE_PX);
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const colors = cssColors(canvas);
  const plotWidth = Math.max(1, width - LABEL_PX);
  const { view } = g;
  const pxPerMs = plotWidth / (view.end - view.start);
  const toX = (time: number) => LABEL_PX + (time - view.start) * pxPerMs;
  const current = session.peek();
  const nowMs = Date.now();

  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.font = FONT;
  // measureText is slow next to everything else here, and the same few labels
  // ("1000 page", lane names) come back for every close and every draw.
  const textWidth = (text: string) => measuredWidth(ctx, text);
  ctx.textBaseline = 'middle';

  // Lane backgrounds and the selected lane.
  const selectedId = selectedConnectionId.peek();
  g.lanes.forEach((lane, i) => {
    const top = g.lanesTop + i * LANE_PX;
    if (lane.connections.some((c) => c.id === selectedId)) {
      ctx.fillStyle = colors.selected;
      ctx.globalAlpha = 0.45;
      ctx.fillRect(0, top, width, LANE_PX);
      ctx.globalAlpha = 1;
    } else if (i % 2 === 1) {
      ctx.fillStyle = colors.bgAlt;
      ctx.globalAlpha = 0.5;
      ctx.fillRect(0, top, width, LANE_PX);
      ctx.globalAlpha = 1;
    }
  });

  // Grid and axis labels.
  const step = tickStepMs(view, plotWidth);
  const origin = firstCreatedAt(current.connections) ?? current.startedAt;
  ctx.fillStyle = colors.bgAlt;
  ctx.fillRect(0, 0, width, AXIS_PX);
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  ctx.fillStyle = colors.dim;
  ctx.textAlign = 'left';
  const firstTick = Math.ceil((view.start - origin) / step) * step + origin;
  // Finite by construction: at huge times (1e19 ms) `t += step` would not change t.
  const tickCount = step > 0 ? Math.min(MAX_TICKS, Math.floor((view.end - firstTick) / step) + 1) : 0;
  for (let i = 0; i < tickCount; i++) {
    const t = firstTick + i * step;
    const x = Math.round(toX(t)) + 0.5;
    if (x < LABEL_PX) continue;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX - 5);
    ctx.lineTo(x, height);
    ctx.stroke();
    ctx.fillText(formatAxis(t - origin, step), x + 3, AXIS_PX / 2);
  }
  ctx.fillText(`from ${formatClock(origin)}`, 6, AXIS_PX / 2);
  ctx.strokeStyle = colors.border;
  ctx.beginPath();
  ctx.moveTo(0, AXIS_PX - 0.5);
  ctx.lineTo(width, AXIS_PX - 0.5);
  ctx.stroke();

  // Page events: bands over the lanes, markers for instants.
  const lanesBottom = g.lanesTop + g.lanes.length * LANE_PX;
  const band = (ranges: [number, number][], color: string) => {
    ctx.fillStyle = color;
    for (const [from, to] of ranges) {
      const x0 = Math.max(LABEL_PX, toX(from));
      const x1 = Math.min(width, toX(to));
      if (x1 > x0) ctx.fillRect(x0, AXIS_PX, Math.max(1, x1 - x0), lanesBottom - AXIS_PX);
    }
  };
  band(bands(current.pageEvents, 'hidden', 'visible', nowMs), colors.hidden);
  band(bands(current.pageEvents, 'freeze', 'resume', nowMs), colors.hidden);
  band(bands(current.pageEvents, 'offline', 'online', nowMs), colors.offline);
  for (const event of current.pageEvents) {
    if (event.type !== 'navigation' && event.type !== 'timer-late') continue;
    const x = Math.round(toX(event.time)) + 0.5;
    if (x < LABEL_PX || x > width) continue;
    ctx.strokeStyle = event.type === 'navigation' ? colors.accent : colors.warn;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX);
    ctx.lineTo(x, lanesBottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = ctx.strokeStyle;
    if (event.type === 'navigation') ctx.fillText('nav', x + 2, AXIS_PX + 6);
  }
  for (const note of current.notes) {
    const x = toX(note.time);
    if (x < LABEL_PX || x > width) continue;
    ctx.fillStyle = colors.accent;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX - 10);
    ctx.lineTo(x + 7, AXIS_PX - 6);
    ctx.lineTo(x, AXIS_PX - 2);
    ctx.fill();
    ctx.fillRect(Math.round(x), AXIS_PX - 10, 1, lanesBottom - AXIS_PX + 10);
  }

  // The period a finding reports, bracketed under the axis at each of its drops.
  if (g.periodFinding?.periodMs) {
    const finding = g.periodFinding;
    const periodMs = g.periodFinding.periodMs;
    const top = AXIS_PX;
    ctx.fillStyle = colors.bgAlt;
    ctx.fillRect(0, top, width, PERIOD_PX);
    ctx.fillStyle = colors.warn;
    ctx.textAlign = 'left';
    ctx.fillText(finding.kind === 'idle-timeout' ? 'silence → drop' : 'age → drop', 6, top + PERIOD_PX / 2);
    const ids = new Set(finding.connections);
    let labelEnd = -Infinity;
    const closes = current.connections.filter((c) => ids.has(c.id) && c.close).sort((a, b) => a.close!.time - b.close!.time);
    for (const connection of closes) {
      if (!ids.has(connection.id) || !connection.close) continue;
      const end = connection.close.time;
      const start = finding.kind === 'max-lifetime' ? (connection.openedAt ?? end - periodMs) : end - periodMs;
      const x0 = Math.max(LABEL_PX, toX(start));
      const x1 = Math.min(width, toX(end));
      if (x1 < LABEL_PX || x0 > width) continue;
      ctx.fillStyle = colors.period;
      ctx.fillRect(x0, top + 3, Math.max(1, x1 - x0), PERIOD_PX - 6);
      ctx.strokeStyle = colors.warn;
      ctx.beginPath();
      ctx.moveTo(x0 + 0.5, top + 3);
      ctx.lineTo(x0 + 0.5, top + PERIOD_PX - 3);
      ctx.moveTo(x1 - 0.5, top + 3);
      ctx.lineTo(x1 - 0.5, top + PERIOD_PX - 3);
      ctx.stroke();
      const label = formatPeriod(periodMs);
      const labelWidth = textWidth(label);
      if (x1 - x0 > labelWidth + 6 && (x0 + x1) / 2 - labelWidth / 2 > labelEnd + 4) {
        ctx.fillStyle = colors.fg;
        ctx.textAlign = 'center';
        ctx.fillText(label, (x0 + x1) / 2, top + PERIOD_PX / 2);
        ctx.textAlign = 'left';
        labelEnd = (x0 + x1) / 2 + labelWidth / 2;
      }
    }
    ctx.strokeStyle = colors.border;
    ctx.beginPath();
    ctx.moveTo(0, top + PERIOD_PX - 0.5);
    ctx.lineTo(width, top + PERIOD_PX - 0.5);
    ctx.stroke();
  }

  // Lanes.
  const minSilenceMs = Math.max(MIN_SILENCE_MS, MIN_SILENCE_PX / pxPerMs);
  const selected = selectedMessage.peek();
  g.lanes.forEach((lane, i) => {
    const top = g.lanesTop + i * LANE_PX;
    const mid = top + LANE_PX / 2;
    // Label.
    ctx.fillStyle = colors.fg;
    ctx.textAlign = 'left';
    ctx.fillText(ellipsize(ctx, textWidth, lane.label, LABEL_PX - 12), 6, mid);

    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_PX, top, plotWidth, LANE_PX);
    ctx.clip();
    // Bars from open to close.
    for (const connection of lane.connections) {
      const end = connection.closedAt ?? connection.close?.time ?? nowMs;
      const x0 = toX(connection.openedAt ?? connection.createdAt);
      const x1 = toX(end);
      if (x1 < LABEL_PX || x0 > width) continue;
      const isSelected = connection.id === selectedId;
      if (connection.openedAt === undefined) {
        ctx.fillStyle = colors.bad;
        ctx.fillRect(toX(connection.createdAt), mid - 1, Math.max(2, x1 - toX(connection.createdAt)), 2);
      } else {
        ctx.fillStyle = connection.close ? colors.bar : colors.barOpen;
        ctx.globalAlpha = isSelected ? 0.9 : 0.55;
        ctx.fillRect(x0, mid - BAR_PX / 2, Math.max(1, x1 - x0), BAR_PX);
        ctx.globalAlpha = 1;
        // Connecting (created → open) as a thin line.
        const xc = toX(connection.createdAt);
        if (x0 - xc >= 1) {
          ctx.fillStyle = colors.bar;
          ctx.fillRect(xc, mid - 0.5, x0 - xc, 1);
        }
      }
      if (isSelected) {
        ctx.strokeStyle = colors.accent;
        ctx.lineWidth = 1;
        ctx.strokeRect(Math.max(LABEL_PX, x0) - 0.5, mid - BAR_PX / 2 - 0.5, Math.max(1, Math.min(width, x1) - Math.max(LABEL_PX, x0)) + 1, BAR_PX + 1);
      }
    }
    // Ticks and silences.
    const bins = aggregateLane(lane, view, plotWidth, minSilenceMs, nowMs);
    ctx.fillStyle = hatch(ctx, colors.dim);
    for (let k = 0; k < bins.silences.length; k += 2) {
      const x0 = LABEL_PX + bins.silences[k];
      const x1 = LABEL_PX + bins.silences[k + 1];
      if (x1 - x0 >= 1) ctx.fillRect(x0, mid - BAR_PX / 2, x1 - x0, BAR_PX);
    }
    const tickHeight = (count: number) => Math.min(TICK_MAX_PX, 3 + Math.log2(count) * 2);
    for (let column = 0; column < bins.send.length; column++) {
      const x = LABEL_PX + column;
      if (bins.send[column]) {
        ctx.fillStyle = colors.send;
        const h = tickHeight(bins.send[column]);
        ctx.fillRect(x, mid - BAR_PX / 2 - h, 1, h);
      }
      if (bins.receive[column]) {
        ctx.fillStyle = colors.receive;
        ctx.fillRect(x, mid + BAR_PX / 2, 1, tickHeight(bins.receive[column]));
      }
      const beats = bins.ping[column] + bins.pong[column];
      if (beats) {
        // Heartbeats: a small diamond on the side of their direction, coloured by role.
        ctx.fillStyle = bins.ping[column] >= bins.pong[column] ? colors.ping : colors.pong;
        const above = bins.heartbeatSend[column] * 2 >= beats;
        const y = above ? mid - BAR_PX / 2 - 5 : mid + BAR_PX / 2 + 5;
        ctx.beginPath();
        ctx.moveTo(x + 0.5, y - 3.5);
        ctx.lineTo(x + 3.5, y);
        ctx.lineTo(x + 0.5, y + 3.5);
        ctx.lineTo(x - 2.5, y);
        ctx.fill();
      }
    }
    // Closes: a marker with the code and who closed.
    for (let k = 0; k < lane.connections.length; k++) {
      const connection = lane.connections[k];
      const close = connection.close;
      if (!close) continue;
      const x = toX(close.time);
      if (x < LABEL_PX - 40 || x > width + 4) continue;
      const abnormal = close.initiator === 'abnormal' || (close.code !== 1000 && close.code !== 1001);
      ctx.strokeStyle = abnormal ? colors.bad : colors.dim;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, top + 4);
      ctx.lineTo(x, top + LANE_PX - 4);
      ctx.stroke();
      ctx.lineWidth = 1;
      const who = close.initiator === 'abnormal' ? '✕' : close.initiator === 'page' ? 'page' : 'server';
      const label = `${close.code} ${who}`;
      const next = lane.connections[k + 1];
      const room = (next ? toX(next.createdAt) : width) - x;
      if (room > textWidth(label) + 6) {
        ctx.fillStyle = abnormal ? colors.bad : colors.dim;
        ctx.textAlign = 'left';
        ctx.fillText(label, x + 3, top + 7);
      }
    }
    // The selected message.
    if (selected && lane.connections.some((c) => c.id === selectedId)) {
      const x = Math.round(toX(selected.time)) + 0.5;
      ctx.strokeStyle = colors.accent;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, top + 1);
      ctx.lineTo(x, top + LANE_PX - 1);
      ctx.stroke();
      ctx.lineWidth = 1;
    }
    ctx.restore();
  });

  // Label gutter border and the pointer's time.
  ctx.strokeStyle = colors.border;
  ctx.beginPath();
  ctx.moveTo(LABEL_PX - 0.5, 0);
  ctx.lineTo(LABEL_PX - 0.5, height);
  ctx.stroke();
  if (pointerTime !== undefined) {
    const x = Math.round(toX(pointerTime)) + 0.5;
    ctx.strokeStyle = colors.dim;
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX);
    ctx.lineTo(x, lanesBottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
}

function formatAxis(offsetMs: number, stepMs: number): string {
  if (stepMs < 1000) return `${(offsetMs / 1000).toFixed(stepMs < 10 ? 3 : stepMs < 100 ? 2 : 1)} s`;
  if (stepMs < 60_000) return `${Math.round(offsetMs / 1000)} s`;
  const minutes = Math.floor(offsetMs / 60_000);
  const seconds = Math.round((offsetMs % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Widths of texts drawn in FONT, per context; bounded, as labels carry times and codes. */
const widthCache = new WeakMap<CanvasRenderingContext2D, Map<string, number>>();
const WIDTH_CACHE_SIZE = 2000;
function measuredWidth(ctx: CanvasRenderingContext2D, text: string): number {
  let widths = widthCache.get(ctx);
  if (!widths) widthCache.set(ctx, (widths = new Map()));
  let width = widths.get(text);
  if (width === undefined) {
    if (widths.size >= WIDTH_CACHE_SIZE) widths.clear();
    width = ctx.measureText(text).width;
    widths.set(text, width);
  }
  return width;
}

function firstCreatedAt(connections: Connection[]): number | undefined {
  let first: number | undefined;
  for (const connection of connections) if (first === undefined || connection.createdAt < first) first = connection.createdAt;
  return first;
}

/** Lane labels shortened from the left, remembered: the binary search measures up to a dozen texts. */
const ellipsized = new Map<string, string>();
function ellipsize(ctx: CanvasRenderingContext2D, width: (text: string) => number, text: string, maxPx: number): string {
  const key = `${maxPx}\u0000${text}`;
  const cached = ellipsized.get(key);
  if (cached !== undefined) return cached;
  let result = text;
  if (width(text) > maxPx) {
    let low = 0;
    let high = text.length;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (ctx.measureText(`…${text.slice(text.length - mid)}`).width <= maxPx) low = mid;
      else high = mid - 1;
    }
    result = `…${text.slice(text.length - low)}`;
  }
  if (ellipsized.size >= WIDTH_CACHE_SIZE) ellipsized.clear();
  ellipsized.set(key, result);
  return result;
}

const hatchCache = new WeakMap<CanvasRenderingContext2D, { color: string; pattern: CanvasPattern | string }>();
function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  const cached = hatchCache.get(ctx);
  if (cached?.color === color) return cached.pattern;
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext('2d');
  let pattern: CanvasPattern | string = color;
  if (t) {
    t.strokeStyle = color;
    t.globalAlpha = 0.7;
    t.beginPath();
    t.moveTo(0, 6);
    t.lineTo(6, 0);
    t.stroke();
    pattern = ctx.createPattern(tile, 'repeat') ?? color;
  }
  hatchCache.set(ctx, { color, pattern });
  return pattern;
}
