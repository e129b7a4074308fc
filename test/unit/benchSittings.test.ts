// A condition's sittings (bench/lib/sittings.mjs, docs/decisions.md 89): what `npm run bench:threads` keeps of each
// run and the verdict it prints over every run of the same condition and builds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDir, buildId, buildName, conditionsOf, conditionVerdict, figuresSummary, readSittings, sittingsOf, sittingsVerdict, type Sitting } from '../../bench/lib/sittings.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sittings-'));
  dirs.push(dir);
  return dir;
}

const base: Sitting = { workload: 'recv-text', network: false, busy: true, reader: false, collect: true, leaveMs: 1000, without: 'none', with: 'abc123def456' };

describe('buildId', () => {
  it('names a build by its files: the same bytes give the same id, one changed byte or name another', () => {
    const a = tempDir();
    mkdirSync(join(a, 'src', 'page'), { recursive: true });
    writeFileSync(join(a, 'manifest.json'), '{"name":"x"}');
    writeFileSync(join(a, 'src', 'page', 'hook.js'), 'hook();');
    const b = tempDir();
    mkdirSync(join(b, 'src', 'page'), { recursive: true });
    writeFileSync(join(b, 'src', 'page', 'hook.js'), 'hook();');
    writeFileSync(join(b, 'manifest.json'), '{"name":"x"}');
    expect(buildId(a)).toMatch(/^[0-9a-f]{12}$/);
    expect(buildId(b)).toBe(buildId(a));
    writeFileSync(join(b, 'src', 'page', 'hook.js'), 'hook(); ');
    expect(buildId(b)).not.toBe(buildId(a));
    const c = tempDir();
    mkdirSync(join(c, 'src', 'page'), { recursive: true });
    writeFileSync(join(c, 'manifest.json'), '{"name":"x"}');
    writeFileSync(join(c, 'src', 'page', 'hook2.js'), 'hook();');
    expect(buildId(c)).not.toBe(buildId(a));
  });

  it('is "none" without a build', () => {
    expect(buildId(undefined)).toBe('none');
  });
});

describe('sittingsOf', () => {
  it('keeps the sittings of the same condition and builds, oldest first, and skips lines that do not parse', () => {
    const lines = [
      { ...base, at: '1', cpu: 1 },
      { ...base, busy: false, at: '2' },
      { ...base, with: 'another00000', at: '3' },
      { ...base, network: true, at: '4' },
      { ...base, leaveMs: 5000, at: '5' },
      { ...base, at: '6', cpu: 2 },
    ].map((s) => JSON.stringify(s));
    const text = [lines[0], '{"workload": "recv-te', lines[1], lines[2], '', 'null', lines[3], lines[4], lines[5], ''].join('\n');
    expect(sittingsOf(text, base).map((s) => s.at)).toEqual(['1', '6']);
  });

  it('reads nothing from a file that does not exist', () => {
    expect(readSittings(join(tempDir(), 'sittings.jsonl'), base)).toEqual([]);
  });
});

describe('sittingsVerdict', () => {
  const over = { pass: false, clear: true };
  const overNoise = { pass: false, clear: false };
  const under = { pass: true, clear: true };
  const underNoise = { pass: true, clear: false };

  it('gives no verdict on no sitting or one, whatever it says', () => {
    expect(sittingsVerdict([]).verdict).toBe('none');
    expect(sittingsVerdict([over]).verdict).toBe('one sitting');
    expect(sittingsVerdict([under]).verdict).toBe('one sitting');
  });

  it('is a miss when two sittings missed beyond the noise, even beside one that passed', () => {
    expect(sittingsVerdict([over, over]).verdict).toBe('miss');
    expect(sittingsVerdict([under, over, overNoise, over])).toEqual({ verdict: 'miss', text: 'a miss: 2 of 4 over the limit beyond the noise, 1 under it' });
  });

  it('is met when two sittings came under the limit and none missed beyond the noise', () => {
    expect(sittingsVerdict([under, underNoise]).verdict).toBe('met');
    expect(sittingsVerdict([under, overNoise, underNoise]).verdict).toBe('met');
  });

  it('says the sittings disagree otherwise (the busy text flood of 2026-12-06: one clear miss, then passes)', () => {
    expect(sittingsVerdict([over, under])).toEqual({ verdict: 'undecided', text: 'the sittings disagree: 1 of 2 over the limit beyond the noise, 1 under it' });
    expect(sittingsVerdict([over, under, under]).verdict).toBe('undecided');
    expect(sittingsVerdict([overNoise, overNoise]).verdict).toBe('undecided');
  });
});

describe('figuresSummary (npm run bench:sittings -- --markdown=summary)', () => {
  it('counts the sittings under the limit, over it within the noise and beyond it, with the median and range of their ratios', () => {
    const figures = [
      { ratio: 1.133, pass: false, clear: true },
      { ratio: 1.006, pass: true, clear: false },
      { ratio: 1.077, pass: false, clear: false },
      { ratio: 1.122, pass: false, clear: true },
      { ratio: 1.086, pass: false, clear: false },
    ];
    expect(figuresSummary(figures)).toEqual({ n: 5, median: 1.086, min: 1.006, max: 1.133, under: 1, overWithin: 2, overBeyond: 2 });
    expect(sittingsVerdict(figures).text).toBe('a miss: 2 of 5 over the limit beyond the noise, 1 under it');
  });

  it('takes the median of an even count as the mean of the middle two, and gives NaN figures with no sitting', () => {
    const under = (ratio: number) => ({ ratio, pass: true, clear: true });
    const even = figuresSummary([under(1.0), under(1.04), under(1.02), under(0.98)]);
    expect(even).toMatchObject({ n: 4, min: 0.98, max: 1.04, under: 4, overWithin: 0, overBeyond: 0 });
    expect(even.median).toBeCloseTo(1.01, 12);
    const none = figuresSummary([]);
    expect([none.n, none.under, none.overWithin, none.overBeyond]).toEqual([0, 0, 0, 0]);
    expect([none.median, none.min, none.max].every(Number.isNaN)).toBe(true);
  });

  it('counts a figure without a limit (an information workload) neither under nor over', () => {
    const summary = figuresSummary([{ ratio: 1.2 }, { ratio: 0.9 }, { ratio: 1.1, pass: false, clear: false }]);
    expect(summary).toEqual({ n: 3, median: 1.1, min: 0.9, max: 1.2, under: 0, overWithin: 1, overBeyond: 0 });
  });
});

describe('conditionsOf and conditionVerdict (npm run bench:sittings)', () => {
  const fig = (pass: boolean, clear: boolean, limit = 1.05) => ({ ratio: 1, lo: 1, hi: 1, limit, pass, clear });
  const sit = (at: string, cpu: [boolean, boolean], page: [boolean, boolean], extra: Partial<Sitting> = {}) => ({ ...base, at, pairs: 25, cpu: { ...fig(...cpu), addedMs: 1 }, page: fig(...page), ...extra });
  const pass: [boolean, boolean] = [true, true];
  const over: [boolean, boolean] = [false, true];
  const overNoise: [boolean, boolean] = [false, false];

  it('groups sittings by condition and builds, each condition oldest first, skipping lines without figures', () => {
    const text = [
      sit('2026-12-06T05:00', pass, pass),
      sit('2026-12-06T03:00', pass, pass, { network: true }),
      '{"workload":"recv-text","busy":true}',
      'not json',
      sit('2026-12-06T02:00', over, pass),
      sit('2026-12-06T04:00', pass, pass, { with: 'rebuilt00000' }),
    ]
      .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
      .join('\n');
    const conditions = conditionsOf(text);
    expect(conditions.map((c) => c.sittings.map((s) => s.at))).toEqual([['2026-12-06T02:00', '2026-12-06T05:00'], ['2026-12-06T03:00'], ['2026-12-06T04:00']]);
  });

  it('judges each limit by decision 89, and the condition missed when either limit is', () => {
    const v = conditionVerdict([sit('1', over, pass), sit('2', over, pass), sit('3', pass, pass)] as Sitting[]);
    expect(v.cpu?.verdict).toBe('miss');
    expect(v.page?.verdict).toBe('met');
    expect(v.overall).toBe('miss');
    expect(conditionVerdict([sit('1', pass, pass), sit('2', overNoise, pass), sit('3', pass, pass)] as Sitting[]).overall).toBe('met');
    expect(conditionVerdict([sit('1', over, pass), sit('2', pass, pass)] as Sitting[]).overall).toBe('undecided');
    expect(conditionVerdict([sit('1', pass, pass)] as Sitting[]).overall).toBe('one sitting');
  });

  it('does not count sittings under 9 pairs, and gives no verdict to a workload without limits', () => {
    const short = conditionVerdict([sit('1', over, pass), sit('2', over, pass, { pairs: 5 }), sit('3', pass, pass)] as Sitting[]);
    expect(short.counted).toBe(2);
    expect(short.cpu?.verdict).toBe('undecided');
    const none = conditionVerdict([sit('1', over, pass, { pairs: 5 })] as Sitting[]);
    expect(none.cpu?.text).toBe('no sitting to count yet');
    expect(none.overall).toBe('none');
    const info = { ...base, at: '1', pairs: 25, cpu: { ratio: 1.2, lo: 1.1, hi: 1.3, limit: null, addedMs: 30 }, page: { ratio: 1, lo: 1, hi: 1, limit: null } };
    expect(conditionVerdict([info, { ...info, at: '2' }] as Sitting[])).toEqual({ cpu: undefined, page: undefined, overall: 'none', counted: 2 });
  });
});

describe('buildDir and buildName', () => {
  it('records a build inside the repository by its relative path, any other by its absolute path, and none as null', () => {
    const root = tempDir();
    expect(buildDir(join(root, 'bench', 'floor'), root)).toBe(join('bench', 'floor'));
    expect(buildDir('/elsewhere/build', root)).toBe('/elsewhere/build');
    expect(buildDir(join(root, '..', 'sibling'), root)).toBe(join(root, '..', 'sibling'));
    expect(buildDir(undefined, root)).toBeNull();
  });

  it('names a side by the directory any of its sittings recorded, with the id; by the id alone when none did', () => {
    const old = { ...base, without: 'f100f100f100' };
    expect(buildName([old], 'without')).toBe('f100f100f100');
    expect(buildName([old, { ...old, withoutDir: 'bench/floor' }], 'without')).toBe('bench/floor (f100f100f100)');
    expect(buildName([{ ...old, withDir: 'dist/chrome' }], 'with')).toBe('dist/chrome (abc123def456)');
    expect(buildName([{ ...base, withoutDir: null }], 'without')).toBe('none');
  });
});
