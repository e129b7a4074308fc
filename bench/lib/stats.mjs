export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A small seeded generator (mulberry32): the same samples always give the same interval (the unit tests' synthetic data uses it too). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How far the ratio median(withValues) ÷ median(withoutValues) could move with other runs of the same kind:
 * a percentile bootstrap interval (`level`, 0.9 by default: the 5th to the 95th percentile of the ratio over
 * `resamples` resamplings). The runs are resampled in pairs (run i of each browser, taken in the same few
 * seconds), so drift on the machine moves both sides of a pair alike; samples of unequal length are resampled
 * independently. With 9 runs it is coarse, and says what one condition's ratio can tell apart on this machine.
 */
export function ratioInterval(withValues, withoutValues, { resamples = 2000, level = 0.9, seed = 1 } = {}) {
  const a = withValues.filter((v) => Number.isFinite(v));
  const b = withoutValues.filter((v) => Number.isFinite(v));
  if (!a.length || !b.length) return { lo: NaN, hi: NaN };
  const paired = a.length === b.length;
  const random = seededRandom(seed);
  const pick = (n) => Math.floor(random() * n);
  const ratios = [];
  const x = new Array(a.length);
  const y = new Array(b.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < a.length; i++) {
      const j = pick(a.length);
      x[i] = a[j];
      if (paired) y[i] = b[j];
    }
    if (!paired) for (let i = 0; i < b.length; i++) y[i] = b[pick(b.length)];
    ratios.push(median(x) / median(y));
  }
  return bootstrapBounds(ratios, level);
}

/**
 * Paired samples (run i of each side taken together): the median of the differences `with[i] − without[i]`,
 * and its bootstrap interval (the pairs resampled). For figures measured in milliseconds, where a ratio of two
 * small times says less than what was added. Pairs with a side that is not a number are left out.
 */
export function pairedDifference(withValues, withoutValues, { resamples = 2000, level = 0.9, seed = 1 } = {}) {
  const n = Math.min(withValues.length, withoutValues.length);
  const differences = [];
  for (let i = 0; i < n; i++) {
    const d = withValues[i] - withoutValues[i];
    if (Number.isFinite(d)) differences.push(d);
  }
  if (!differences.length) return { median: NaN, lo: NaN, hi: NaN };
  const random = seededRandom(seed);
  const resampled = [];
  const x = new Array(differences.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < x.length; i++) x[i] = differences[Math.floor(random() * x.length)];
    resampled.push(median(x));
  }
  return { median: median(differences), ...bootstrapBounds(resampled, level) };
}

/** The central `level` of a bootstrap's resampled statistics (sorted here): its lower and upper bounds. */
export function bootstrapBounds(values, level) {
  const sorted = [...values].sort((p, q) => p - q);
  const tail = (1 - level) / 2;
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
  return { lo: at(tail), hi: at(1 - tail) };
}

/** Where a median ratio stands against its limit, given its interval: 'clear' (the whole interval on that side) or 'within noise'. */
export function againstLimit(ratio, interval, limit) {
  const pass = ratio <= limit;
  const clear = pass ? interval.hi <= limit : interval.lo > limit;
  return { pass, clear };
}

/** A ratio against its limit, with its interval, as the benches print it: "its CPU limit 1.05: FAIL (within the noise)". */
export function verdictText(what, r, limit) {
  if (!Number.isFinite(limit)) return `no ${what} limit (information)`;
  const { pass, clear } = againstLimit(r.ratio, r, limit);
  return `its ${what} limit ${limit.toFixed(2)}: ${pass ? 'PASS' : 'FAIL'}${clear ? '' : ' (within the noise)'}`;
}

/** Milliseconds added, signed: "+12.5 ms", "-56.8 ms", as the benches print a cost beside its ratio. */
export function addedText(ms) {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`;
}

/** A ratio with its 90% interval, as the benches print it: "1.087 [1.030–1.138]". */
export function ratioText({ ratio, lo, hi }) {
  return `${ratio.toFixed(3)} [${lo.toFixed(3)}–${hi.toFixed(3)}]`;
}
