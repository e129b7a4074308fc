// The timeline: every connection as a bar from open to close on one shared
// time axis, lanes per reconnect chain (or per connection of the selected
// chain), message ticks by direction (sent above the bar, received below),
// heartbeats in their own colours, gaps of silence hatched, closes marked
// with their code and initiator, page events as bands and markers, and the
// period a finding reports bracketed under the axis. Drawn on a canvas with
// one rectangle per pixel column: the store and the analysis become a plain
// scene (./timelineScene.ts), painted one layer at a time (./timelinePaint.ts).
// Zoom with the wheel or + / -, pan by dragging or with the arrow keys, 0 to
// fit; click a tick to select it.
import { effect, useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Connection, PageEvent } from '../core/model';
import type { Finding } from '../core/finding';
import { explainCloseCode } from '../core/closeCodes';
import { CLOSED_BY, endedAt } from '../core/facts';
import { formatBytes, formatClock, formatDuration, formatMeasured } from '../core/format';
import { oneLine } from './format';
import { OPEN_AT_END_TEXT } from './clock';
import { theme, type Theme } from './theme';
import { analysis, analysisRevision, chains, clock, clockNow, findings, link, revision, selectConnection, selectedConnectionId, selectedMessage, session } from './store';
import { buildLanes, fitRange, hitTest, panRange, timelineScope, timelineView, zoomRange, type Lane, type TimeRange, type TimelineScope } from './timelineModel';
import {
  AXIS_PX,
  LABEL_PX,
  LANE_PX,
  MIN_SILENCE_MS,
  PERIOD_PX,
  buildTimelineScene,
  lanesTopPx,
  periodicFinding,
  readPalette,
  type TimelinePalette,
  type TimelineScene,
} from './timelineScene';
import { paintTimeline } from './timelinePaint';

export { AXIS_PX, LABEL_PX, LANE_PX, PERIOD_PX };
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

export function Timeline() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const size = useSignal({ width: 600, height: 200 });
  const hover = useSignal<HoverInfo | undefined>(undefined);
  const pointerTime = useSignal<number | undefined>(undefined);

  const lanes = useComputed(() => {
    void revision.value;
    void link.value;
    // Packing only needs a rough end for open sockets: not worth a repack on every tick.
    return buildLanes(chains.value, timelineScope.value, selectedConnectionId.value, clock.peek());
  });
  const view = useComputed<TimeRange>(() => {
    void revision.value;
    return timelineView.value ?? fitRange(lanes.value, session.value, clock.value);
  });

  const geometry = (): Geometry => {
    const current = findings.peek();
    return {
      lanes: lanes.peek(),
      view: view.peek(),
      widthPx: size.peek().width,
      heightPx: size.peek().height,
      periodFinding: periodicFinding(current),
      lanesTop: lanesTopPx(current),
    };
  };

  // The canvas's colours: panel.css's variables, read again only when the theme changes.
  const palette = useRef<{ theme: Theme; palette: TimelinePalette } | undefined>(undefined);
  const paletteOf = (element: Element): TimelinePalette => {
    const current = theme.peek();
    if (palette.current?.theme !== current) palette.current = { theme: current, palette: readPalette(getComputedStyle(element)) };
    return palette.current.palette;
  };

  /** Everything drawn, from the store and the analysis, as plain data. */
  const scene = (element: Element): TimelineScene => {
    const g = geometry();
    return buildTimelineScene({
      session: session.peek(),
      lanes: g.lanes,
      view: g.view,
      widthPx: g.widthPx,
      heightPx: g.heightPx,
      analysis: analysis.peek(),
      selectedConnectionId: selectedConnectionId.peek(),
      selectedMessage: selectedMessage.peek(),
      pointerTime: pointerTime.peek(),
      nowMs: clockNow(),
      palette: paletteOf(element),
    });
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
      void analysis.value;
      void theme.value; // the canvas's colours come from the CSS variables of the theme
      if (frame) return;
      const schedule = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb: () => void) => setTimeout(cb, 16) as unknown as number;
      frame = schedule(() => {
        frame = 0;
        if (canvas.current) draw(canvas.current, scene(canvas.current));
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
    return hitTest(lane, timeAt(x), HIT_PX * msPerPx(), y < center ? 'send' : 'receive', clockNow());
  };

  const describe = (x: number, y: number): string[] | undefined => {
    const g = geometry();
    if (y < AXIS_PX) return undefined;
    if (y < g.lanesTop && g.periodFinding) {
      return [
        g.periodFinding.title,
        ...(g.periodFinding.identified?.length ? [`Identified: ${g.periodFinding.identified.map((item) => `${item.name} (${item.evidence})`).join(', ')}`] : []),
        ...(g.periodFinding.suspects?.length ? [`Suspect: ${g.periodFinding.suspects.map((s) => `${s.name} (${s.knob})`).join(', ')}`] : []),
      ];
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
  const period = formatDuration(finding.periodMs ?? 0);
  const what = finding.kind === 'idle-timeout' ? `${period} silence before each drop` : `cut at age ${period}`;
  const kind = finding.kind === 'idle-timeout' ? 'an idle timeout' : 'an absolute limit';
  // Seen in the handshake first (a statement), else the suspects (a question).
  const identified = (finding.identified ?? []).map((item) => item.name);
  if (identified.length) return `${what} → ${kind} in ${identified.slice(0, 3).join(', ')} (identified)`;
  const names = (finding.suspects ?? []).map((s) => s.name.replace(/ \(.*\)$/, ''));
  if (!names.length) return what;
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

/** An open socket's age: against the wall clock live, or at the end of an imported recording (src/panel/clock.ts). */
function openLine(openedAt: number): string {
  const ageMs = formatMeasured(clockNow() - openedAt);
  return link.peek() === 'imported' ? `${OPEN_AT_END_TEXT} (${ageMs} old)` : `open for ${ageMs}`;
}

function connectionLines(connection: Connection, time: number): string[] {
  const lines = [connection.url];
  const opened = connection.openedAt;
  const end = endedAt(connection);
  if (opened === undefined) lines.push(connection.errorAt !== undefined ? 'Handshake failed (error before open)' : 'Connecting…');
  else lines.push(`Opened ${formatClock(opened)} · ${end !== undefined ? `lived ${formatMeasured(end - opened)}` : openLine(opened)}`);
  const close = connection.close;
  if (close) lines.push(`Closed ${close.code} ${explainCloseCode(close.code).name} by ${close.simulated ? 'a simulation (not real)' : CLOSED_BY[close.initiator]} at ${formatClock(end ?? close.time)}`);
  const messages = connection.messages;
  let previous: number | undefined = opened;
  for (const message of messages) {
    if (message.time > time) {
      if (previous !== undefined && message.time - previous >= MIN_SILENCE_MS) lines.push(`Silence of ${formatMeasured(message.time - previous)} here`);
      previous = undefined;
      break;
    }
    previous = message.time;
  }
  if (previous !== undefined && close && end !== undefined && end - previous >= MIN_SILENCE_MS && time <= end) lines.push(`Silence of ${formatMeasured(end - previous)} before the close`);
  return lines;
}

const PAGE_EVENT_WORDS: Record<PageEvent['type'], string> = {
  hidden: 'Tab hidden',
  visible: 'Tab visible',
  online: 'Back online',
  offline: 'Network offline',
  freeze: 'Page frozen',
  resume: 'Page resumed',
  beforeunload: 'Page leaving (navigation started)',
  pagehide: 'Page hidden (unload or bfcache)',
  pageshow: 'Page shown',
  navigation: 'Navigation',
  'timer-late': 'A timer fired late',
  'timer-throttled': 'Timers throttled (hidden tab)',
  worker: 'Worker started (its sockets are not captured)',
  simulation: 'Simulation (by you, not the network)',
};

function pageEventLine(event: PageEvent): string {
  return `${PAGE_EVENT_WORDS[event.type]} at ${formatClock(event.time)}${event.detail ? ` · ${event.detail}` : ''}${event.lateMs ? ` · ${formatMeasured(event.lateMs)} late` : ''}`;
}

function pageEventNear(events: PageEvent[], time: number, toleranceMs: number): PageEvent | undefined {
  let best: PageEvent | undefined;
  for (const event of events) if (Math.abs(event.time - time) <= toleranceMs && (!best || Math.abs(event.time - time) < Math.abs(best.time - time))) best = event;
  return best;
}

/** Sizes the canvas for the device's pixels and paints the scene. */
function draw(canvas: HTMLCanvasElement, scene: TimelineScene): void {
  const ctx = canvas.getContext?.('2d');
  if (!ctx) return;
  const dpr = globalThis.devicePixelRatio || 1;
  const { widthPx: width, heightPx: height } = scene;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  paintTimeline(ctx, scene);
}
