// How SocketScope writes durations, sizes and times, in every view (panel,
// viewer, CLI, findings). One definition each: a drop described in the panel
// and in the CLI reads the same.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** A duration in prose, rounded as a person would say it: "800 ms", "2.5 s", "25 s", "2.5 min", "1.5 h". For findings and explanations. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < SECOND_MS) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND_MS) return `${Number((ms / SECOND_MS).toFixed(1))} s`;
  if (ms < 5 * MINUTE_MS) return `${Math.round(ms / SECOND_MS)} s`;
  if (ms < 2 * HOUR_MS) return `${Number((ms / MINUTE_MS).toFixed(1))} min`;
  return `${Number((ms / HOUR_MS).toFixed(1))} h`;
}

/**
 * A measured duration with enough digits to see whether closes repeat at the
 * same value (3.00 s vs 3.01 s): "850 ms", "3.00 s", "25.0 s", "2 min 5 s",
 * "2 h 3 min". For lists, tooltips and the CLI's statistics.
 */
export function formatMeasured(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const sign = ms < 0 ? '-' : '';
  const absMs = Math.abs(ms);
  if (absMs < SECOND_MS) return `${sign}${Math.round(absMs)} ms`;
  const seconds = absMs / SECOND_MS;
  if (seconds < 10) return `${sign}${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${sign}${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 120) {
    const rest = totalSeconds - minutes * 60;
    return `${sign}${minutes} min${rest ? ` ${rest} s` : ''}`;
  }
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes - hours * 60;
  return `${sign}${hours} h${restMinutes ? ` ${restMinutes} min` : ''}`;
}

/** Time relative to a connection's open, signed with fixed precision, for message rows: "+1.234 s". */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 10 * SECOND_MS) return `${sign}${(abs / SECOND_MS).toFixed(3)} s`;
  if (abs < 10 * MINUTE_MS) return `${sign}${(abs / SECOND_MS).toFixed(2)} s`;
  return `${sign}${formatMeasured(abs)}`;
}

/** "512 B", "1.5 KiB", "3.2 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown size';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

/** Local wall-clock time with milliseconds: "14:03:07.250". */
export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** ISO 8601 in UTC, or a plain statement when the time is outside what a Date can hold. */
export function formatIsoTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? 'an invalid time' : date.toISOString();
}

/** The message of anything thrown, for one line of text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ISO 8601 in UTC for a file's date fields, which must hold a date: a time outside what a Date can hold is written as the epoch. */
export function isoDateForFile(epochMs: number): string {
  const date = new Date(epochMs);
  // toISOString() throws on an invalid date; one bad time must not abort a whole export.
  return Number.isFinite(date.getTime()) ? date.toISOString() : new Date(0).toISOString();
}
