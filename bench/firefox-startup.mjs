// npm run bench:firefox-startup: what SocketScope costs a page's start-up in Firefox, as `npm run bench -- --only=hook`
// measures it in Chromium (bench/run.mjs, measureHook; docs/decisions.md, 82).
//
// Three Debian Firefox ESR browsers: none (no extension), floor (bench/floor/, SocketScope's declarations doing nothing,
// in the form Firefox installs: lib/firefox.mjs) and SocketScope (dist/firefox, or --extension=DIR). One tab each is
// navigated again and again to bench/pages/empty.html, in rotating order, after a warm-up round; each navigation reads
// when the page's first inline <head> script ran (performance.now()), from navigation start and from the response's
// end, and when its load event ended. The differences are taken pair by pair, round by round, with 90% intervals.
// Shown, not judged (as in Chromium: their run-to-run spread is wider than any limit worth setting).
//
// Then the hook's evaluation, cold: the built Firefox hook run as an inline script in a fresh page of the browser
// without extension, less an empty inline script of the same length (a unique comment defeats the script cache).
// And a check that SocketScope's content scripts run in its browser: the extension opens its panel for a tab when
// asked by URL (automation only).
//
// The browsers run with `privacy.reduceTimerPrecision` off: Firefox otherwise rounds performance.now() to 1 ms on a page
// that is not cross-origin isolated (MDN); with it off, the samples come in steps of 20 µs. The same in every browser.
//
// Options: --rounds=N (default 41), --extension=DIR, --floor=DIR (a floor of Chromium's form, default bench/floor),
// --baseline=DIR (a fourth browser with another build, e.g. the one before a change: an A/B in the same rounds),
// --no-check (for an extension without SocketScope's relay, e.g. a throwaway variant), --no-build, --busy (one core
// spinning beside the browsers from before they start until after they quit, as in the other benches: lib/busy.mjs).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startBusyLoad, stopBusyLoad } from './lib/busy.mjs';
import { firefoxFloor, launchFirefox, openPanelOn, requireFirefox } from './lib/firefox.mjs';
import { inlineSample, timeInlineScripts } from './lib/inline.mjs';
import { startBenchServer } from './lib/server.mjs';
import { median, pairedDifference } from './lib/stats.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
for (const key of Object.keys(args)) if (!['rounds', 'extension', 'floor', 'baseline', 'no-build', 'no-check', 'busy'].includes(key)) throw new Error(`--${key}: expected --rounds=N, --extension=DIR, --floor=DIR, --baseline=DIR, --busy, --no-check or --no-build`);
const BUSY = args.busy === true;
const ROUNDS = Number(args.rounds ?? 41);
if (!(ROUNDS >= 3 && ROUNDS % 1 === 0)) throw new Error(`--rounds=${args.rounds}: expected a whole number of rounds, 3 or more`);
const EXTENSION_DIR = typeof args.extension === 'string' ? resolve(args.extension) : join(ROOT, 'dist', 'firefox');
const BASELINE_DIR = typeof args.baseline === 'string' ? resolve(args.baseline) : undefined;
if (args.baseline !== undefined && !BASELINE_DIR) throw new Error('--baseline takes a directory: --baseline=DIR');
const FLOOR_DIR = typeof args.floor === 'string' ? resolve(args.floor) : join(ROOT, 'bench', 'floor');
const EVAL_SAMPLES = 16;
const PREFS = { 'privacy.reduceTimerPrecision': false };

requireFirefox();
if (!args['no-build'] && !args.extension) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
const HOOK_PATH = join(EXTENSION_DIR, 'src', 'page', 'hook.js');
if (!existsSync(HOOK_PATH)) throw new Error(`${HOOK_PATH} is missing (npm run build)`);
const source = readFileSync(HOOK_PATH, 'utf8');

const server = await startBenchServer(join(ROOT, 'bench', 'pages'));
const busy = BUSY ? await startBusyLoad() : undefined;
const floorDir = firefoxFloor(FLOOR_DIR);
const browsers = {};
const labels = BASELINE_DIR ? ['without', 'floor', 'baseline', 'with'] : ['without', 'floor', 'with'];
const series = () => Object.fromEntries(labels.map((label) => [label, []]));
const firstScript = series();
const afterResponse = series();
const loaded = series();
const evalSamples = [];
const rawSamples = [];
let version;
try {
  browsers.without = await launchFirefox(undefined, PREFS);
  browsers.floor = await launchFirefox(floorDir, PREFS);
  if (BASELINE_DIR) browsers.baseline = await launchFirefox(BASELINE_DIR, PREFS);
  browsers.with = await launchFirefox(EXTENSION_DIR, PREFS);
  version = await browsers.with.browser.version();
  console.log(`start-up in ${version}${busy ? `, beside a node process (pid ${busy.pid}) spinning one core` : ''}: ${ROUNDS} rounds of one navigation per browser (none, the floor from ${FLOOR_DIR}${BASELINE_DIR ? `, a baseline build at ${BASELINE_DIR}` : ''}, SocketScope at ${EXTENSION_DIR}), rotating, after a warm-up round`);

  const pages = {};
  for (const label of labels) pages[label] = await browsers[label].browser.newPage();
  for (let i = 0; i <= ROUNDS; i++) {
    for (let k = 0; k < labels.length; k++) {
      const label = labels[(i + k) % labels.length];
      await pages[label].goto(`${server.origin}/empty.html?first=${i}`, { waitUntil: 'load' });
      // The load event's end is set once its listeners have run, which may be after the driver heard of the load.
      const [at, responseEnd, loadEnd] = await pages[label].evaluate(async () => {
        const entry = () => performance.getEntriesByType('navigation')[0];
        for (let i = 0; i < 100 && !(entry()?.loadEventEnd > 0); i++) await new Promise((resolve) => setTimeout(resolve, 10));
        return [window.firstScriptAt, entry()?.responseEnd ?? NaN, entry()?.loadEventEnd || NaN];
      });
      if (typeof at !== 'number') throw new Error(`the page's first script did not run in the ${label} browser (firstScriptAt: ${at})`);
      if (i > 0) {
        firstScript[label].push(at);
        afterResponse[label].push(at - responseEnd);
        loaded[label].push(loadEnd);
      }
    }
  }

  // The hook's evaluation, cold, in the browser without extension (see the top).
  for (let i = 0; i <= EVAL_SAMPLES; i++) {
    const page = await browsers.without.browser.newPage();
    await page.goto(`${server.origin}/empty.html?eval=${i}`, { waitUntil: 'load' });
    const { hookMs, emptyMs } = await page.evaluate(timeInlineScripts, inlineSample(source, i));
    await page.close();
    if (i === 0) continue; // the first: the process's own warm-up
    rawSamples.push(hookMs);
    evalSamples.push(Math.max(0, hookMs - emptyMs));
  }

  // SocketScope's content scripts ran in its browser: its relay opens the panel when the URL asks.
  if (args['no-check'] !== true) {
    const panel = await openPanelOn(browsers.with.browser, pages.with, server.origin);
    await panel.close();
    console.log("SocketScope's content scripts ran in its browser: its relay opened the panel for the tab when the URL asked");
  }
} finally {
  for (const { browser } of Object.values(browsers)) await browser.close().catch(() => undefined);
  await server.close();
  rmSync(floorDir, { recursive: true, force: true });
}
const busyRan = await stopBusyLoad(busy);

const size = { bytes: Buffer.byteLength(source), gzipBytes: gzipSync(source, { level: 9 }).length };
const added = (samples) => ({
  withVsWithout: pairedDifference(samples.with, samples.without),
  floorVsWithout: pairedDifference(samples.floor, samples.without),
  withVsFloor: pairedDifference(samples.with, samples.floor),
  ...(BASELINE_DIR ? { withVsBaseline: pairedDifference(samples.with, samples.baseline) } : {}),
});
const firstScriptMs = Object.fromEntries(labels.map((label) => [label, median(firstScript[label])]));
const firstScriptAdded = added(firstScript);
const afterResponseAdded = added(afterResponse);
const loadedAdded = added(loaded);
const ms = (d) => `${d.median >= 0 ? '+' : ''}${d.median.toFixed(1)} ms [${d.lo.toFixed(1)} to ${d.hi.toFixed(1)}]`;
console.log(`\nthe hook (${HOOK_PATH.replace(`${ROOT}/`, '')}): ${size.bytes} B minified, ${size.gzipBytes} B gzip`);
console.log(`  evaluation (parse + compile + run, cold), less an empty inline script's cost: median ${median(evalSamples).toFixed(3)} ms over ${evalSamples.length} fresh pages (samples ${evalSamples.map((s) => s.toFixed(3)).join(', ')}); without subtracting: ${median(rawSamples).toFixed(3)} ms`);
console.log(`a page's first inline script (medians of ${ROUNDS} navigations of one tab each): at ${firstScriptMs.without.toFixed(1)} ms after navigation start without an extension, ${firstScriptMs.floor.toFixed(1)} with bench/floor, ${firstScriptMs.with.toFixed(1)} with SocketScope`);
for (const [what, d] of [['after navigation start', firstScriptAdded], ["after the response's end", afterResponseAdded], ["the load event's end, after navigation start", loadedAdded]]) {
  console.log(`  ${what}, pair by pair [90%]: SocketScope ${ms(d.withVsWithout)} against none; the floor ${ms(d.floorVsWithout)}; SocketScope against the floor ${ms(d.withVsFloor)}${d.withVsBaseline ? `; against the baseline ${ms(d.withVsBaseline)}` : ''}`);
}

const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `firefox-startup${BUSY ? '+busy' : ''}.json`);
writeFileSync(file, JSON.stringify({ browser: version, rounds: ROUNDS, busyLoad: busyRan, with: EXTENSION_DIR, baseline: BASELINE_DIR, size, evalMs: median(evalSamples), rawEvalMs: median(rawSamples), evalSamples, rawSamples, firstScriptMs, firstScriptAdded, afterResponseAdded, loadedAdded, firstScript, afterResponse, loaded }, null, 1));
console.log(`samples: ${file.replace(`${ROOT}/`, '')}`);
