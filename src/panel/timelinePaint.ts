// Paints a TimelineScene (./timelineScene.ts): one painter per layer, each
// `(ctx, scene) => void`, reading only the scene, so each can be tested
// against a recording fake context. paintTimeline runs them back to front.
import { AXIS_PX, BAR_PX, LABEL_PX, LANE_PX, PERIOD_PX, type TimelineScene } from './timelineScene';

export type Painter = (ctx: CanvasRenderingContext2D, scene: TimelineScene) => void;

export const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const TICK_MAX_PX = 10;

/** Lane backgrounds: the selected connection's lane highlighted, every other lane striped. */
export const paintBackground: Painter = (ctx, scene) => {
  const { palette, widthPx } = scene;
  ctx.fillStyle = palette.bg;
  ctx.fillRect(0, 0, widthPx, scene.heightPx);
  for (const lane of scene.lanes) {
    if (!lane.background) continue;
    ctx.fillStyle = lane.background === 'selected' ? palette.selected : palette.bgAlt;
    ctx.globalAlpha = lane.background === 'selected' ? 0.45 : 0.5;
    ctx.fillRect(0, lane.top, widthPx, LANE_PX);
    ctx.globalAlpha = 1;
  }
};

/** The time axis: its band, grid lines down the lanes, tick labels, and where time 0 is. */
export const paintAxis: Painter = (ctx, scene) => {
  const { palette, widthPx } = scene;
  ctx.fillStyle = palette.bgAlt;
  ctx.fillRect(0, 0, widthPx, AXIS_PX);
  ctx.strokeStyle = palette.grid;
  ctx.lineWidth = 1;
  ctx.fillStyle = palette.dim;
  ctx.textAlign = 'left';
  for (const tick of scene.axis.ticks) {
    ctx.beginPath();
    ctx.moveTo(tick.x, AXIS_PX - 5);
    ctx.lineTo(tick.x, scene.heightPx);
    ctx.stroke();
    ctx.fillText(tick.label, tick.x + 3, AXIS_PX / 2);
  }
  ctx.fillText(scene.axis.originLabel, 6, AXIS_PX / 2);
  ctx.strokeStyle = palette.border;
  ctx.beginPath();
  ctx.moveTo(0, AXIS_PX - 0.5);
  ctx.lineTo(widthPx, AXIS_PX - 0.5);
  ctx.stroke();
};

/** Page events: hidden/frozen and offline bands over the lanes, navigation and late-timer markers, notes. */
export const paintBands: Painter = (ctx, scene) => {
  const { palette } = scene;
  for (const band of scene.bands) {
    ctx.fillStyle = band.kind === 'offline' ? palette.offline : palette.hidden;
    ctx.fillRect(band.x0, AXIS_PX, Math.max(1, band.x1 - band.x0), scene.lanesBottom - AXIS_PX);
  }
  for (const marker of scene.markers) {
    ctx.strokeStyle = marker.kind === 'navigation' ? palette.accent : palette.warn;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(marker.x, AXIS_PX);
    ctx.lineTo(marker.x, scene.lanesBottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = ctx.strokeStyle;
    if (marker.kind === 'navigation') ctx.fillText('nav', marker.x + 2, AXIS_PX + 6);
  }
  for (const x of scene.notes) {
    ctx.fillStyle = palette.accent;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX - 10);
    ctx.lineTo(x + 7, AXIS_PX - 6);
    ctx.lineTo(x, AXIS_PX - 2);
    ctx.fill();
    ctx.fillRect(Math.round(x), AXIS_PX - 10, 1, scene.lanesBottom - AXIS_PX + 10);
  }
};

/** The period a finding reports, bracketed under the axis at each drop, labelled where the label fits without overlapping. */
export const paintPeriod: Painter = (ctx, scene) => {
  const period = scene.period;
  if (!period) return;
  const { palette, widthPx } = scene;
  const top = AXIS_PX;
  ctx.fillStyle = palette.bgAlt;
  ctx.fillRect(0, top, widthPx, PERIOD_PX);
  ctx.fillStyle = palette.warn;
  ctx.textAlign = 'left';
  ctx.fillText(period.caption, 6, top + PERIOD_PX / 2);
  const labelWidth = measuredWidth(ctx, period.label);
  let labelEnd = -Infinity;
  for (const { x0, x1 } of period.brackets) {
    ctx.fillStyle = palette.period;
    ctx.fillRect(x0, top + 3, Math.max(1, x1 - x0), PERIOD_PX - 6);
    ctx.strokeStyle = palette.warn;
    ctx.beginPath();
    ctx.moveTo(x0 + 0.5, top + 3);
    ctx.lineTo(x0 + 0.5, top + PERIOD_PX - 3);
    ctx.moveTo(x1 - 0.5, top + 3);
    ctx.lineTo(x1 - 0.5, top + PERIOD_PX - 3);
    ctx.stroke();
    const center = (x0 + x1) / 2;
    if (x1 - x0 > labelWidth + 6 && center - labelWidth / 2 > labelEnd + 4) {
      ctx.fillStyle = palette.fg;
      ctx.textAlign = 'center';
      ctx.fillText(period.label, center, top + PERIOD_PX / 2);
      ctx.textAlign = 'left';
      labelEnd = center + labelWidth / 2;
    }
  }
  ctx.strokeStyle = palette.border;
  ctx.beginPath();
  ctx.moveTo(0, top + PERIOD_PX - 0.5);
  ctx.lineTo(widthPx, top + PERIOD_PX - 0.5);
  ctx.stroke();
};

/** Lane names in the label gutter, shortened from the left to fit. */
export const paintLaneLabels: Painter = (ctx, scene) => {
  ctx.fillStyle = scene.palette.fg;
  ctx.textAlign = 'left';
  for (const lane of scene.lanes) ctx.fillText(ellipsize(ctx, lane.label, LABEL_PX - 12), 6, lane.mid);
};

/** Connections from open to end (a thin line while connecting, a red line for a handshake that never opened), the selected one outlined. */
export const paintBars: Painter = (ctx, scene) => {
  const { palette, widthPx } = scene;
  withPlotClip(ctx, scene, () => {
    for (const bar of scene.bars) {
      if (!bar.opened) {
        ctx.fillStyle = palette.bad;
        ctx.fillRect(bar.createdX, bar.mid - 1, Math.max(2, bar.x1 - bar.createdX), 2);
      } else {
        ctx.fillStyle = bar.ended ? palette.bar : palette.barOpen;
        ctx.globalAlpha = bar.selected ? 0.9 : 0.55;
        ctx.fillRect(bar.x0, bar.mid - BAR_PX / 2, Math.max(1, bar.x1 - bar.x0), BAR_PX);
        ctx.globalAlpha = 1;
        if (bar.x0 - bar.createdX >= 1) {
          ctx.fillStyle = palette.bar;
          ctx.fillRect(bar.createdX, bar.mid - 0.5, bar.x0 - bar.createdX, 1);
        }
      }
      if (bar.selected) {
        ctx.strokeStyle = palette.accent;
        ctx.lineWidth = 1;
        const left = Math.max(LABEL_PX, bar.x0);
        ctx.strokeRect(left - 0.5, bar.mid - BAR_PX / 2 - 0.5, Math.max(1, Math.min(widthPx, bar.x1) - left) + 1, BAR_PX + 1);
      }
    }
  });
};

/** Gaps of silence, hatched over the bar. */
export const paintSilences: Painter = (ctx, scene) => {
  if (!scene.silences.length) return;
  withPlotClip(ctx, scene, () => {
    ctx.fillStyle = hatch(ctx, scene.palette.dim);
    for (const silence of scene.silences) ctx.fillRect(silence.x0, silence.mid - BAR_PX / 2, silence.x1 - silence.x0, BAR_PX);
  });
};

/** Data messages per pixel column: sent above the bar, received below, taller for more. */
export const paintTicks: Painter = (ctx, scene) => {
  const { palette } = scene;
  const tickHeight = (count: number) => Math.min(TICK_MAX_PX, 3 + Math.log2(count) * 2);
  withPlotClip(ctx, scene, () => {
    for (const lane of scene.lanes) {
      const { send, receive } = lane.bins;
      for (let column = 0; column < send.length; column++) {
        const x = LABEL_PX + column;
        if (send[column]) {
          ctx.fillStyle = palette.send;
          const h = tickHeight(send[column]);
          ctx.fillRect(x, lane.mid - BAR_PX / 2 - h, 1, h);
        }
        if (receive[column]) {
          ctx.fillStyle = palette.receive;
          ctx.fillRect(x, lane.mid + BAR_PX / 2, 1, tickHeight(receive[column]));
        }
      }
    }
  });
};

/** Heartbeats: a small diamond per column, coloured by role. */
export const paintHeartbeats: Painter = (ctx, scene) => {
  withPlotClip(ctx, scene, () => {
    for (const { x, y, role } of scene.heartbeats) {
      ctx.fillStyle = role === 'ping' ? scene.palette.ping : scene.palette.pong;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, y - 3.5);
      ctx.lineTo(x + 3.5, y);
      ctx.lineTo(x + 0.5, y + 3.5);
      ctx.lineTo(x - 2.5, y);
      ctx.fill();
    }
  });
};

/** Closes: a mark at the end, red for a drop, with the code and who closed where there is room. */
export const paintCloses: Painter = (ctx, scene) => {
  const { palette } = scene;
  withPlotClip(ctx, scene, () => {
    for (const close of scene.closes) {
      const color = close.bad ? palette.bad : palette.dim;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(close.x, close.top + 4);
      ctx.lineTo(close.x, close.top + LANE_PX - 4);
      ctx.stroke();
      ctx.lineWidth = 1;
      if (close.roomPx > measuredWidth(ctx, close.label) + 6) {
        ctx.fillStyle = color;
        ctx.textAlign = 'left';
        ctx.fillText(close.label, close.x + 3, close.top + 7);
      }
    }
  });
};

/** The selected message's line, the label gutter's border, and the pointer's time. */
export const paintOverlay: Painter = (ctx, scene) => {
  const { palette } = scene;
  const selected = scene.selectedMessage;
  if (selected) {
    withPlotClip(ctx, scene, () => {
      ctx.strokeStyle = palette.accent;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(selected.x, selected.top + 1);
      ctx.lineTo(selected.x, selected.top + LANE_PX - 1);
      ctx.stroke();
      ctx.lineWidth = 1;
    });
  }
  ctx.strokeStyle = palette.border;
  ctx.beginPath();
  ctx.moveTo(LABEL_PX - 0.5, 0);
  ctx.lineTo(LABEL_PX - 0.5, scene.heightPx);
  ctx.stroke();
  if (scene.pointerX !== undefined) {
    ctx.strokeStyle = palette.dim;
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    ctx.moveTo(scene.pointerX, AXIS_PX);
    ctx.lineTo(scene.pointerX, scene.lanesBottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
};

/** Back to front. */
export const PAINTERS: readonly Painter[] = [
  paintBackground,
  paintAxis,
  paintBands,
  paintPeriod,
  paintLaneLabels,
  paintBars,
  paintSilences,
  paintTicks,
  paintHeartbeats,
  paintCloses,
  paintOverlay,
];

export function paintTimeline(ctx: CanvasRenderingContext2D, scene: TimelineScene): void {
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  for (const paint of PAINTERS) paint(ctx, scene);
}

/** Lanes' contents stay right of the label gutter. */
function withPlotClip(ctx: CanvasRenderingContext2D, scene: TimelineScene, paint: () => void): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_PX, scene.lanesTop, scene.plotWidthPx, scene.lanesBottom - scene.lanesTop);
  ctx.clip();
  paint();
  ctx.restore();
}

// measureText is slow next to everything else here, and the same few labels
// ("1000 page", lane names) come back for every close and every draw.

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

/** Lane labels shortened from the left, remembered: the binary search measures up to a dozen texts. */
const ellipsized = new Map<string, string>();
function ellipsize(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
  const key = `${maxPx}\u0000${text}`;
  const cached = ellipsized.get(key);
  if (cached !== undefined) return cached;
  let result = text;
  if (measuredWidth(ctx, text) > maxPx) {
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

/** A diagonal hatch in `color`; the plain colour where patterns are not available (no DOM). */
const hatchCache = new WeakMap<CanvasRenderingContext2D, { color: string; pattern: CanvasPattern | string }>();
function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  const cached = hatchCache.get(ctx);
  if (cached?.color === color) return cached.pattern;
  let pattern: CanvasPattern | string = color;
  const tile = typeof document === 'undefined' ? undefined : document.createElement('canvas');
  const t = tile?.getContext?.('2d');
  if (tile && t && typeof ctx.createPattern === 'function') {
    tile.width = 6;
    tile.height = 6;
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
