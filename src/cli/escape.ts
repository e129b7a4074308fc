// Terminal-safe output for the CLI.
//
// Everything the CLI prints can come from the analysed file (URLs, session
// and page names, close reasons, findings quoting them, the JSON parser's
// error quoting the file's bytes). Printed raw, a crafted file could move the
// cursor, retitle or rewrite the terminal (ESC / OSC / CSI sequences, C1
// controls), forge report lines (CR, LF, U+2028/2029) or reorder what is shown
// (bidi controls). So every line goes through `escapeTerminal`, at the one
// place the CLI writes (`lineWriter`), and control characters become visible
// escapes: `\x1b`, `\r`, `\n`, `\u202e`.
//
// Escaped: C0 (U+0000-U+001F, tab and LF included: a line is one line), DEL,
// C1 (U+0080-U+009F), the line and paragraph separators U+2028/U+2029, and the
// Unicode Bidi_Control characters (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069). A backslash is printed as it is (Windows paths stay
// readable): the text report is for people; --json is for programs.

/** Characters that are never printed raw. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** UNSAFE without C0, which JSON.stringify escapes in strings itself (and uses raw '\n' between lines). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One line, with every control character as a visible escape. */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 in strings; this also
 * escapes DEL, C1, U+2028/2029 and the bidi controls as \uXXXX (the parsed
 * value is the same), so no line of it contains a character escapeTerminal
 * would change.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface TextSink {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Writes lines, never raw text: each line escaped, each ended with '\n'. */
export interface LineWriter {
  stdout: (lines: readonly string[]) => void;
  stderr: (lines: readonly string[]) => void;
}

export function lineWriter(sink: TextSink): LineWriter {
  const render = (lines: readonly string[]): string => lines.map(escapeTerminal).join('\n') + '\n';
  return {
    stdout: (lines) => sink.stdout(render(lines)),
    stderr: (lines) => sink.stderr(render(lines)),
  };
}

/** A text made of lines (the usage text): its lines, without the final empty one. */
export function textLines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
