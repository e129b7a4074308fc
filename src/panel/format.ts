// View helpers for the panel's narrow columns. Durations, sizes and times are
// written by src/core/format.ts (one definition for the panel, the viewer
// and the CLI); nothing here re-exports it.

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

/**
 * A URL cut before its last path segment: `head` (scheme, host, the path up
 * to the last "/") may be elided, `tail` (the last segment, query and hash)
 * is what tells sockets to the same host apart. head + tail === url.
 */
export function splitUrl(url: string): { head: string; tail: string } {
  const schemeEnd = url.indexOf('//');
  const pathStart = url.indexOf('/', schemeEnd < 0 ? 0 : schemeEnd + 2);
  if (pathStart < 0) return { head: url, tail: '' };
  const queryStart = url.search(/[?#]/);
  const pathEnd = queryStart < 0 || queryStart < pathStart ? url.length : queryStart;
  const lastSlash = url.lastIndexOf('/', pathEnd - 1);
  const cut = lastSlash >= pathStart ? lastSlash : pathStart;
  return { head: url.slice(0, cut), tail: url.slice(cut) };
}
