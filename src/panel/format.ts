// Small formatting helpers shared by the panel's views.
import type { Connection } from '../core/model';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

export function connectionState(connection: Connection): ConnectionState {
  if (connection.close) return connection.openedAt === undefined ? 'failed' : 'closed';
  if (connection.closeRequestedAt !== undefined) return 'closing';
  return connection.openedAt === undefined ? 'connecting' : 'open';
}

/** One line of a payload for a list row: newlines shown as ⏎, capped. */
export function oneLine(text: string, maxChars = 300): string {
  const head = text.length > maxChars ? text.slice(0, maxChars) : text;
  return head.replace(/\r?\n/g, '⏎');
}

/** A few thousand rows share a few frame URLs and endpoints: parse each once. */
const shortUrls = new Map<string, string>();
const SHORT_URLS_KEPT = 1000;

/** host + path (+ query) of a URL, for narrow columns; the input when it is not a URL. */
export function shortUrl(url: string): string {
  let short = shortUrls.get(url);
  if (short === undefined) {
    if (shortUrls.size >= SHORT_URLS_KEPT) shortUrls.clear();
    short = parseShortUrl(url);
    shortUrls.set(url, short);
  }
  return short;
}

function parseShortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search}`;
    return `${parsed.host}${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/** Relative time with a sign and fixed precision, for message rows. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(3)} s`;
  if (abs < 600_000) return `${sign}${(abs / 1000).toFixed(2)} s`;
  return `${sign}${formatDuration(abs)}`;
}
