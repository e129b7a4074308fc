// Bounded JSON for people-facing views. V8's JSON.parse is iterative and
// reads any depth, but everything after it that walks the value recursively
// (JSON.stringify, a tree of components, a summary) overflows the stack on
// a few thousand levels: `'['.repeat(1e5) + ']'.repeat(1e5)` is 200 KB, well
// within a preview. So views parse only texts up to MAX_JSON_DEPTH levels, and
// show deeper ones as text with a notice. Counting is a loop, never recursion.

/** Deepest nesting a view parses and shows as a tree. */
export const MAX_JSON_DEPTH = 200;

/**
 * The deepest nesting of `[` / `{` in a text, outside JSON strings. Works on
 * any text (a Socket.IO packet, a truncated preview): it only counts brackets.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return max;
}

export type BoundedParse = { ok: true; value: unknown } | { ok: false; tooDeep?: number };

/** JSON.parse, refusing texts nested deeper than `maxDepth` (then `tooDeep` says how deep). Never throws. */
export function parseJsonBounded(text: string, maxDepth = MAX_JSON_DEPTH): BoundedParse {
  const depth = jsonTextDepth(text);
  if (depth > maxDepth) return { ok: false, tooDeep: depth };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The notice a view shows instead of a tree. */
export function tooDeepNotice(levels: number): string {
  return `Too deep to show as a tree (${levels} levels; the limit is ${MAX_JSON_DEPTH}); showing the text.`;
}
