// The bench's ratio intervals (bench/lib/stats.mjs): what `npm run bench` prints beside each median ratio.
import { describe, expect, it } from 'vitest';
import { addedText, againstLimit, median, pairedDifference, ratioInterval, ratioText, verdictText } from '../../bench/lib/stats.mjs';

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

describe('verdictText', () => {
  it('prints a ratio against its limit as both benches print it, and no verdict without a limit', () => {
    expect(verdictText('CPU', { ratio: 1.2, lo: 1.12, hi: 1.3 }, 1.1)).toBe('its CPU limit 1.10: FAIL');
    expect(verdictText('CPU', { ratio: 1.12, lo: 1.05, hi: 1.2 }, 1.05)).toBe('its CPU limit 1.05: FAIL (within the noise)');
    expect(verdictText('page', { ratio: 1.08, lo: 1.02, hi: 1.14 }, 1.1)).toBe('its page limit 1.10: PASS (within the noise)');
    expect(verdictText('page', { ratio: 1.02, lo: 0.98, hi: 1.06 }, 1.1)).toBe('its page limit 1.10: PASS');
    expect(verdictText('page', { ratio: 1.5, lo: 1.2, hi: 1.8 }, Infinity)).toBe('no page limit (information)');
  });
});

describe('pairedDifference', () => {
  it('is the median of the pairs\' differences, exactly when they all agree', () => {
    expect(pairedDifference([12, 15, 20], [10, 13, 18])).toEqual({ median: 2, lo: 2, hi: 2 });
    // Pairs, not medians: the sides' medians differ by 0 here, every pair by +5 or −20.
    expect(pairedDifference([15, 25, 10], [10, 20, 30]).median).toBe(5);
  });

  it('holds the median, is reproducible, and leaves out pairs with a missing side', () => {
    const withExt = [50, 58, 47, 61, 55, 52, 66, 49, 57];
    const without = [44, 50, 45, 52, 47, 46, 55, 44, 50];
    const d = pairedDifference(withExt, without);
    expect(d.lo).toBeLessThanOrEqual(d.median);
    expect(d.hi).toBeGreaterThanOrEqual(d.median);
    expect(d.lo).toBeGreaterThan(0);
    expect(pairedDifference(withExt, without)).toEqual(d);
    expect(pairedDifference([...withExt, NaN], [...without, 40])).toEqual(d);
    expect(pairedDifference([NaN], [1])).toEqual({ median: NaN, lo: NaN, hi: NaN });
  });

  it('reaches across zero when the pairs disagree', () => {
    const d = pairedDifference([10, 30, 12, 28, 11, 29], [20, 20, 20, 20, 20, 20]);
    expect(d.lo).toBeLessThan(0);
    expect(d.hi).toBeGreaterThan(0);
  });
});

describe('addedText', () => {
  it('signs a cost once: a plus for a cost or none, the minus of the number for a saving', () => {
    expect(addedText(12.46)).toBe('+12.5 ms');
    expect(addedText(0)).toBe('+0.0 ms');
    expect(addedText(-56.8)).toBe('-56.8 ms');
  });
});

describe('ratioText', () => {
  it('prints a ratio and its interval to three decimals', () => {
    expect(ratioText({ ratio: 1.0874, lo: 1.03, hi: 1.1376 })).toBe('1.087 [1.030–1.138]');
  });
});
