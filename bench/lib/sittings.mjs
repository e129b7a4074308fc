// A condition's sittings (docs/decisions.md, 89): each `bench:threads` run of a condition is one sitting, kept as one
// line of bench/results/sittings.jsonl; a verdict beyond the noise counts when two sittings agree.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { median } from './stats.mjs';

/** Every file under `dir`, sorted, as paths relative to it. */
function filesUnder(dir, root = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, root));
    else out.push(relative(root, path));
  }
  return out;
}

/** An extension build's identity: 12 hex digits of a hash of its files' paths and bytes; `none` without a build. */
export function buildId(dir) {
  if (!dir) return 'none';
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) {
    hash.update(file);
    hash.update('\0');
    hash.update(readFileSync(join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

/** Where a build was read from, as a sitting records it beside its id: relative to `root` when inside it. */
export function buildDir(dir, root) {
  if (!dir) return null;
  const path = relative(root, resolve(dir));
  return path && !path.startsWith('..') && !isAbsolute(path) ? path : resolve(dir);
}

/**
 * A side's build as a listing names it: its id, after the directory a sitting of the condition recorded it from
 * (`withDir` / `withoutDir`; lines written before those fields have only the id).
 */
export function buildName(sittings, side) {
  const id = sittings[0][side];
  const dir = sittings.map((s) => s[`${side}Dir`]).find((d) => typeof d === 'string');
  return id === 'none' || !dir ? id : `${dir} (${id})`;
}

/** The fields two sittings must share to be sittings of one condition with the same two builds. */
const KEY_FIELDS = ['workload', 'network', 'busy', 'reader', 'collect', 'leaveMs', 'without', 'with'];

export function sameCondition(a, b) {
  return KEY_FIELDS.every((field) => a[field] === b[field]);
}

/** The objects of a sittings.jsonl text, one a line; blank lines, lines that do not parse and other values skipped. */
function linesOf(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed === 'object') out.push(parsed);
    } catch {
      /* not a sitting */
    }
  }
  return out;
}

/** The sittings of `sitting`'s condition in a sittings.jsonl text, oldest first; lines that do not parse are skipped. */
export function sittingsOf(text, sitting) {
  const out = [];
  for (const parsed of linesOf(text)) if (sameCondition(parsed, sitting)) out.push(parsed);
  return out;
}

export function readSittings(file, sitting) {
  return existsSync(file) ? sittingsOf(readFileSync(file, 'utf8'), sitting) : [];
}

/**
 * One limit's figures over a condition's sittings, each `{ ratio, pass, clear }` as againstLimit gives it: how many,
 * the median and range of their ratios, and how many came under the limit, over it within the noise, over it beyond
 * (a figure without a limit, whose `pass` is not a boolean, is in none of the three).
 */
export function figuresSummary(figures) {
  const ratios = figures.map((f) => f.ratio).filter((r) => Number.isFinite(r));
  return {
    n: figures.length,
    median: median(ratios),
    min: ratios.length ? Math.min(...ratios) : NaN,
    max: ratios.length ? Math.max(...ratios) : NaN,
    under: figures.filter((f) => f.pass === true).length,
    overWithin: figures.filter((f) => f.pass === false && !f.clear).length,
    overBeyond: figures.filter((f) => f.pass === false && f.clear).length,
  };
}

/**
 * Decision 89 over one limit's figures, each `{ pass, clear }` as againstLimit gives it: a miss when two sittings or
 * more missed beyond the noise; met when two or more came under the limit and none missed beyond the noise.
 */
export function sittingsVerdict(figures) {
  const { n, overBeyond: over, under } = figuresSummary(figures);
  const counts = `${over} of ${n} over the limit beyond the noise, ${under} under it`;
  if (n === 0) return { verdict: 'none', text: 'no sitting to count yet' };
  if (n === 1) return { verdict: 'one sitting', text: 'one sitting: not yet a verdict (decision 89: two sittings must agree)' };
  if (over >= 2) return { verdict: 'miss', text: `a miss: ${counts}` };
  if (over === 0 && under >= 2) return { verdict: 'met', text: `met: ${counts}` };
  return { verdict: 'undecided', text: `the sittings disagree: ${counts}` };
}

/** A sitting counts toward a verdict with at least the 9 run pairs (the tables quote 25). */
export const MIN_SITTING_PAIRS = 9;

/** Every condition in a sittings.jsonl text, in the order first seen, each with its sittings oldest first (by `at`). */
export function conditionsOf(text) {
  const conditions = [];
  for (const parsed of linesOf(text)) {
    if (typeof parsed.workload !== 'string' || !parsed.cpu || !parsed.page) continue;
    let condition = conditions.find((c) => sameCondition(c.sittings[0], parsed));
    if (!condition) conditions.push((condition = { sittings: [] }));
    condition.sittings.push(parsed);
  }
  for (const condition of conditions) condition.sittings.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return conditions;
}

/**
 * Decision 89 over a condition's sittings, each limit apart (sittings under MIN_SITTING_PAIRS not counted), and the
 * condition's: a miss when either limit is, met when both are, else the limit's own ('undecided', 'one sitting').
 * A figure without a limit (an information workload) has no verdict; one with a limit but no sitting counted, 'none'.
 */
export function conditionVerdict(sittings) {
  const counted = sittings.filter((s) => s.pairs >= MIN_SITTING_PAIRS);
  const limitVerdict = (what) => (sittings.some((s) => typeof s[what].pass === 'boolean') ? sittingsVerdict(counted.map((s) => s[what])) : undefined);
  const cpu = limitVerdict('cpu');
  const page = limitVerdict('page');
  const judged = [cpu, page].filter(Boolean);
  let overall = 'none';
  if (judged.some((v) => v.verdict === 'miss')) overall = 'miss';
  else if (judged.length && judged.every((v) => v.verdict === 'met')) overall = 'met';
  else if (judged.some((v) => v.verdict === 'undecided')) overall = 'undecided';
  else if (judged.some((v) => v.verdict === 'one sitting')) overall = 'one sitting';
  return { cpu, page, overall, counted: counted.length };
}
