// npm run bench:sittings: every condition `npm run bench:threads` has measured, with each of its sittings and what
// they say together (docs/decisions.md, 89: a verdict beyond the noise counts when two sittings agree).
//
// Reads bench/results/sittings.jsonl (--file=PATH for another), where each bench:threads run appends itself. A
// condition is a workload with its flags (quiet or beside the busy core, DevTools closed or open, a reader, the
// leaving's window, a forced collection or not) and the same two builds, named by a hash of their files: a rebuilt
// extension starts new conditions. Sittings under 9 run pairs are listed and not counted.
//
// Prints, per condition, its sittings (time, pairs, CPU of the traffic and page time with their 90% intervals and
// verdicts) and decision 89's verdict for each limit; then how many conditions are met, missed, undecided.
// --markdown: the same as one Markdown table, a row per condition listing each sitting (docs/performance.md).
// --markdown=summary: a row per condition with its sittings counted instead of listed: the median of their ratios, the
// lowest and highest, and how many came under each limit and over it (the README's table). A sitting's `source`, where
// a line has one, says where it came from other than a bench:threads run's own append (e.g. read from its printed output).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildName, conditionsOf, conditionVerdict, figuresSummary, MIN_SITTING_PAIRS } from './lib/sittings.mjs';
import { addedText, ratioText } from './lib/stats.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const file = typeof args.file === 'string' ? args.file : join(ROOT, 'bench', 'results', 'sittings.jsonl');
if (!existsSync(file)) {
  console.error(`${file}: no sittings yet. Each \`npm run bench:threads -- --workload=W --runs=25 --no-build\` adds one.`);
  process.exit(1);
}
const conditions = conditionsOf(readFileSync(file, 'utf8'));

/** Both builds of a condition, each named by its directory where a sitting recorded it. */
const pairOf = (sittings) => `${buildName(sittings, 'with')} ÷ ${buildName(sittings, 'without')}`;
const label = (sittings, s = sittings[0]) =>
  [
    s.workload,
    s.busy ? 'beside the busy core' : 'quiet',
    s.network ? 'DevTools open' : 'DevTools closed',
    s.reader ? `reader ${s.reader === true ? 'live' : s.reader}` : '',
    s.collect ? '' : 'no forced collection',
    s.leaveMs !== 1000 ? `leaving ${s.leaveMs} ms` : '',
    pairOf(sittings),
  ]
    .filter(Boolean)
    .join(', ');
const span = (f) => `×${ratioText(f)}`;
const mark = (f) => (typeof f.pass !== 'boolean' ? '' : f.pass ? (f.clear ? ' under' : ' under, within the noise') : f.clear ? ' OVER beyond the noise' : ' over, within the noise');
const time = (s) => String(s.at).slice(0, 16).replace('T', ' ');
const WORDS = { met: 'met', miss: 'MISS', undecided: 'the sittings disagree', 'one sitting': 'one sitting, no verdict yet', none: 'no verdict (no sitting of 9 pairs or more, or no limit)' };

// The Markdown table leaves out the builds of the rows measuring the file's most common pair of them, and says under it
// which pair that is; the other rows name theirs.
const pairKey = ([s]) => `${s.with} ÷ ${s.without}`;
const pairCounts = new Map();
for (const { sittings } of conditions) pairCounts.set(pairKey(sittings), (pairCounts.get(pairKey(sittings)) ?? 0) + 1);
const commonPair = [...pairCounts].sort((a, b) => b[1] - a[1])[0]?.[0];
const isCommon = (sittings) => pairKey(sittings) === commonPair;
const tally = { met: 0, miss: 0, undecided: 0, 'one sitting': 0, none: 0 };
const summary = args.markdown === 'summary';
if (summary) {
  console.log('| Condition | Sittings (UTC) | CPU of the traffic: median (lowest–highest) (limit): sittings under / over it | Page time: the same | Decision 89 |');
  console.log('|---|---|---|---|---|');
} else if (args.markdown) {
  console.log('| Condition | Sittings: CPU of the traffic [90%] (limit) | Page time [90%] (limit) | Decision 89 |');
  console.log('|---|---|---|---|');
}
/**
 * A limit's figures over the counted sittings, as the summary table gives them: "×1.086 (1.006–1.133) (1.05): 1 under,
 * 6 over within the noise, **3 over beyond the noise**"; the ratios alone for a figure without a limit.
 */
function summaryCell(figures, limit) {
  const { n, median: mid, min, max, under, overWithin, overBeyond } = figuresSummary(figures);
  if (!n) return 'no sitting counted';
  const counts = [`${under} under`, overWithin ? `${overWithin} over within the noise` : '', overBeyond ? `**${overBeyond} over beyond the noise**` : ''].filter(Boolean).join(', ');
  return `×${mid.toFixed(3)} (${min.toFixed(3)}–${max.toFixed(3)})${Number.isFinite(limit) ? ` (${limit.toFixed(2)}): ${counts}` : ''}`;
}
for (const { sittings } of conditions) {
  const v = conditionVerdict(sittings);
  tally[v.overall]++;
  const first = sittings[0];
  if (args.markdown) {
    const counted = sittings.filter((s) => s.pairs >= MIN_SITTING_PAIRS);
    const verdict = v.overall === 'miss' ? `**${WORDS[v.overall]}** (${[['CPU', v.cpu], ['page', v.page]].filter(([, x]) => x?.verdict === 'miss').map(([w]) => w).join(', ')})` : WORDS[v.overall];
    const name = isCommon(sittings) ? label(sittings).replace(/, [^,]+ ÷ [^,]+$/, '') : label(sittings);
    if (summary) {
      const when = counted.length ? `${counted.length}: ${time(counted[0]).slice(11)}–${time(counted.at(-1)).slice(11)}` : '0';
      console.log(`| ${name} | ${when} | ${summaryCell(counted.map((s) => s.cpu), first.cpu.limit)} | ${summaryCell(counted.map((s) => s.page), first.page.limit)} | ${verdict} |`);
      continue;
    }
    const cpu = counted.map((s) => `${time(s).slice(11)} ${span(s.cpu)}${s.cpu.pass === false ? (s.cpu.clear ? ' **over**' : ' over') : ''}`).join('; ');
    const page = counted.map((s) => `${span(s.page)}${s.page.pass === false ? (s.page.clear ? ' **over**' : ' over') : ''}`).join('; ');
    const limits = (what) => (Number.isFinite(first[what].limit) ? ` (${first[what].limit.toFixed(2)})` : '');
    console.log(`| ${name} | ${cpu}${limits('cpu')} | ${page}${limits('page')} | ${verdict} |`);
    continue;
  }
  console.log(`\n${label(sittings)}`);
  for (const s of sittings) {
    const few = s.pairs < MIN_SITTING_PAIRS ? ' (too few to count)' : '';
    const load = s.busyShare ? `, the load ${Math.round(s.busyShare * 100)}% of a core` : '';
    const source = s.source ? ` [${s.source}]` : '';
    console.log(`  ${time(s)} UTC${source}, ${s.pairs} pairs${few}${load}: CPU ${span(s.cpu)} (${addedText(s.cpu.addedMs)})${mark(s.cpu)}; page ${span(s.page)}${mark(s.page)}`);
  }
  for (const [what, verdict] of [['CPU', v.cpu], ['page', v.page]]) if (verdict) console.log(`  ${what} limit ${first[what === 'CPU' ? 'cpu' : 'page'].limit.toFixed(2)}: ${verdict.text}`);
  console.log(`  the condition: ${WORDS[v.overall]}`);
}
if (args.markdown && pairCounts.size > 1) {
  const common = conditions.find(({ sittings }) => isCommon(sittings));
  console.log(`\nRows that name no builds: ${pairOf(common.sittings)}.`);
}
console.log(
  `\n${conditions.length} conditions in ${file.replace(`${ROOT}/`, '')}: ${tally.met} met, ${tally.miss} missed, ${tally.undecided} with sittings that disagree, ${tally['one sitting']} with one sitting only${tally.none ? `, ${tally.none} without a verdict` : ''} (docs/decisions.md, 89).`,
);
