// One CSV cell, safe to open in a spreadsheet.
//
// RFC 4180 quoting (fields with , " CR LF are quoted, quotes doubled), plus
// formula-injection neutralisation as OWASP's "CSV Injection" guidance says:
// a text cell starting with = + - @ TAB or CR (and LF, which some programs
// treat like CR) is prefixed with a single quote, so Excel, LibreOffice and
// Google Sheets show it as text instead of evaluating `=HYPERLINK(...)` or
// `+cmd|' /C calc'!A0`. The quote is visible in the cell: the payload's
// first character stays readable, and the original is in the HAR/JSON export.
//
// Only strings are neutralised: a number (a message index, a size, a time
// offset) is written as the number it is, even when negative.

const FORMULA_START = /^[=+\-@\t\r\n]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The text with a leading `'` when a spreadsheet would read it as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting only. */
export function quoteCsv(text: string): string {
  return NEEDS_QUOTES.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** A CSV cell: numbers as numbers, strings neutralised then quoted. */
export function csvCell(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quoteCsv(neutraliseFormula(value));
}
