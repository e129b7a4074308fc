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
