// The bench's ratio intervals (bench/lib/stats.mjs): what `npm run bench` prints beside each median ratio.
import { describe, expect, it } from 'vitest';
import { againstLimit, median, ratioInterval } from '../../bench/lib/stats.mjs';

describe('ratioInterval', () => {
  it('is exactly the ratio when every run gave the same figures', () => {
    expect(ratioInterval([620, 620, 620], [600, 600, 600])).toEqual({ lo: 620 / 600, hi: 620 / 600 });
    expect(ratioInterval([5, 7, 9, 11], [5, 7, 9, 11])).toEqual({ lo: 1, hi: 1 }); // paired: every resample takes both sides of its runs
  });

  it('holds the median ratio, and is the same for the same samples', () => {
    const withExt = [610, 640, 630, 620, 650, 640, 630, 600, 640];
    const without = [590, 600, 580, 610, 600, 590, 600, 620, 580];
    const interval = ratioInterval(withExt, without);
    const ratio = median(withExt) / median(without);
    expect(interval.lo).toBeLessThan(ratio);
    expect(interval.hi).toBeGreaterThan(ratio);
    expect(ratioInterval(withExt, without)).toEqual(interval);
    expect(ratioInterval(withExt, without, { seed: 7 })).not.toEqual(interval);
  });

  it('is narrow for a clear difference and wide for noisy runs', () => {
    const without = [600, 610, 590, 605, 595, 600, 615, 585, 600];
    const clear = ratioInterval(without.map((v) => v * 1.2), without);
    expect(clear.lo).toBeGreaterThan(1.15);
    expect(clear.hi).toBeLessThan(1.25);
    const noisy = ratioInterval([560, 700, 610, 660, 580, 690, 600, 640, 650], without);
    expect(noisy.hi - noisy.lo).toBeGreaterThan(0.05);
  });

  it('resamples unequal samples independently, and ignores what is not a number', () => {
    const interval = ratioInterval([100, 110, NaN], [100, 100, 100, 100]);
    expect(interval.lo).toBeGreaterThanOrEqual(1);
    expect(interval.hi).toBeLessThanOrEqual(1.1);
    expect(ratioInterval([], [1])).toEqual({ lo: NaN, hi: NaN });
  });

  it('widens with the level', () => {
    const withExt = [610, 640, 630, 620, 650, 640, 630, 600, 640];
    const without = [590, 600, 580, 610, 600, 590, 600, 620, 580];
    const narrow = ratioInterval(withExt, without, { level: 0.5 });
    const wide = ratioInterval(withExt, without, { level: 0.98 });
    expect(wide.lo).toBeLessThanOrEqual(narrow.lo);
    expect(wide.hi).toBeGreaterThanOrEqual(narrow.hi);
    expect(wide.hi - wide.lo).toBeGreaterThan(narrow.hi - narrow.lo);
  });
});

describe('againstLimit', () => {
  it('says whether a result is clear or within the noise', () => {
    expect(againstLimit(1.2, { lo: 1.12, hi: 1.3 }, 1.1)).toEqual({ pass: false, clear: true });
    expect(againstLimit(1.12, { lo: 1.05, hi: 1.2 }, 1.1)).toEqual({ pass: false, clear: false });
    expect(againstLimit(1.08, { lo: 1.02, hi: 1.14 }, 1.1)).toEqual({ pass: true, clear: false });
    expect(againstLimit(1.02, { lo: 0.98, hi: 1.06 }, 1.1)).toEqual({ pass: true, clear: true });
    expect(againstLimit(1.5, { lo: 1.2, hi: 1.8 }, Infinity)).toEqual({ pass: true, clear: true });
  });
});
