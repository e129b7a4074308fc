// npm run bench: what SocketScope costs a page, measured side by side.
//
// Builds the extension, starts local servers, launches Debian's Chromium
// twice (without and with dist/chrome), runs each workload several times
// alternating the two browsers (the first pair is a discarded warm-up),
// and prints medians, ratios (with ÷ without) of page time and of the
// browser's CPU, every target with the measured figure, the limit and
// PASS/FAIL, and a summary table of every condition. Writes
// bench/results/<timestamp>.json and bench/results/latest.json.
//
// Conditions: each workload runs with the Network domain off (no DevTools)
// and on (`+network`: attached to the page's target with Network enabled, as
// an open DevTools does), on a quiet machine and (--busy) beside a fixed CPU
// load of one core.
//
// Options: --runs=N (measured runs per browser and condition, default 5),
// --no-build, --network=off|only|both (default both),
// --busy[=only|both|off] (bare --busy: busy only; default off; `hook` runs in each selected load, judged in the
// first),
// --only=recv-text,recv-binary,recv-blob,recv-blob-small,recv-blob-16k,send-text,recv-one,steady-full,hook,panel (the workloads marked
// optIn in lib/workloads.mjs, e.g. recv-blob-16k, recv-blob-tiny, recv-binary-decode and recv-blob-small-read, only when
// named; a name with +network, e.g. recv-text+network, selects that condition alone),
// --baseline=DIR (A/B of two builds: the "without" browser loads the
// extension built in DIR, so the ratios read this build ÷ that one; not a
// measurement of the capture cost, and its targets do not apply),
// --floor (the "with" browser loads bench/floor instead of dist/chrome: an
// extension with SocketScope's declarations and none of its work, so the
// ratios read what the browser charges any extension built this way; with
// --baseline=bench/floor, what SocketScope adds on top of it),
// --extension=DIR (measure the build in DIR instead of dist/chrome, e.g. one
// made with another preview bound: docs/performance.md, Previews setting),
// --with-floor (a third browser loads bench/floor in the same alternating
// runs: each condition also reports floor ÷ without, the noise band its
// own ratios sit in, and SocketScope's CPU less the floor's, run by run, in ms),
// --with-floor=DIR (the third browser loads DIR instead: bench/listener, the
// floor plus one counting listener per socket, leaves SocketScope's own
// recording and fixed cost as that difference),
// --no-collect (no garbage collection forced in the page's renderer at the end
// of each run's CPU window, as before decision 79: information).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './lib/server.mjs';
import { cpuDelta, deltaSeconds, launch, requireChromium, storedSummary, CHROMIUM_PATH } from './lib/browser.mjs';
import { launchRaw } from './lib/raw.mjs';
import { startBusyLoad, stopBusyLoad } from './lib/busy.mjs';
import { againstLimit, median, pairedDifference, ratioInterval, sleep } from './lib/stats.mjs';
import { inlineSample, timeInlineScripts } from './lib/inline.mjs';
import { runPanelBench } from './panel.mjs';
import { pageLimitOf, pageMsOf, WORKLOADS, workloadUrl } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
/** --extension=DIR: measure another build (e.g. one made with a setting other than the default); implies --no-build. */
const EXTENSION_DIR = typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome');
if (typeof args.extension === 'string') {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`--extension=${EXTENSION_DIR}: no manifest.json there`);
  args['no-build'] = true;
}
const HOOK_PATH = join(EXTENSION_DIR, 'src', 'page', 'hook.js');
const RUNS = Number(args.runs ?? 5);
/** --baseline=DIR: compare against another build of the extension instead of none. */
const BASELINE_DIR = typeof args.baseline === 'string' ? args.baseline : undefined;
if (BASELINE_DIR && !existsSync(join(BASELINE_DIR, 'manifest.json'))) throw new Error(`--baseline=${BASELINE_DIR}: no manifest.json there (give a built extension directory, e.g. another checkout's dist/chrome)`);
/** --floor: measure bench/floor (SocketScope's declarations, none of its work) in place of dist/chrome. */
const FLOOR = args.floor === true;
const FLOOR_DIR = join(ROOT, 'bench', 'floor');
/** Navigations per browser for the hook's first-script view. */
const FIRST_SCRIPT_ROUNDS = 41;
/** --with-floor[=DIR]: the floor (or the extension in DIR, e.g. bench/listener) runs beside without and with, in the same rotation, as a third browser. */
const WITH_FLOOR = args['with-floor'] === true || typeof args['with-floor'] === 'string';
const THIRD_DIR = typeof args['with-floor'] === 'string' ? args['with-floor'] : FLOOR_DIR;
const THIRD_NAME = THIRD_DIR === FLOOR_DIR ? 'bench/floor' : THIRD_DIR;
if (WITH_FLOOR && !existsSync(join(THIRD_DIR, 'manifest.json'))) throw new Error(`--with-floor=${THIRD_DIR}: no manifest.json there (bench/floor, bench/listener or a built extension)`);
if (WITH_FLOOR && (FLOOR || BASELINE_DIR)) throw new Error('--with-floor measures SocketScope against no extension with the floor beside it: not with --floor or --baseline');
const isSocketScope = (dir) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).name === 'SocketScope';
/** --no-collect: each run's CPU window ends without the forced collection (docs/decisions.md, 79). */
const COLLECT = args['no-collect'] !== true;
const ONLY = args.only ? new Set(String(args.only).split(',')) : undefined;
const wanted = (name) => !ONLY || ONLY.has(name);
const choice = (name, value, allowed) => {
  if (!allowed.includes(value)) throw new Error(`--${name}=${value}: expected one of ${allowed.join(', ')}`);
  return value;
};
const NETWORK = choice('network', String(args.network ?? 'both'), ['off', 'only', 'both']);
const BUSY = choice('busy', args.busy === true ? 'only' : String(args.busy ?? 'off'), ['off', 'only', 'both']);
const NETWORK_MODES = { off: [false], only: [true], both: [false, true] }[NETWORK];
const LOADS = { off: ['quiet'], only: ['busy'], both: ['quiet', 'busy'] }[BUSY];
/** After the page's last message: time for the hook's timer, the relay and the background to finish, counted in CPU. */
const SETTLE_MS = 1000;

// Limits, with ÷ without (each workload's pageLimit and cpuLimit, lib/workloads.mjs). Page time: ≤ 1.10 on every workload (≤ 1.05 kept for ArrayBuffer
// binary, the target it already had), ≤ 1.15 under --busy. Browser CPU: ≤ 1.15 for text,
// ≤ 1.05 for binary, whatever the condition (lib/workloads.mjs: pageLimitOf).

/** Every condition selected by the options: load × workload × Network domain off/on. */
function conditions() {
  const list = [];
  for (const load of LOADS) {
    for (const w of WORKLOADS) {
      for (const network of NETWORK_MODES) {
        const name = `${w.name}${network ? '+network' : ''}`;
        if (ONLY ? !ONLY.has(w.name) && !ONLY.has(name) : w.optIn) continue;
        list.push({ load, network, name, label: `${name}${load === 'busy' ? ' (busy)' : ''}`, w, pageLimit: pageLimitOf(w, load), cpuLimit: w.cpuLimit });
      }
    }
  }
  return list;
}

const log = (...parts) => console.log(...parts);

async function main() {
  const startedAt = new Date();
  requireChromium();
  if (!args['no-build'] || !existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    log('Building the extension (npm run build)...');
    try {
      execSync('npm run build', { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`\`npm run build\` failed, so there is no extension to measure. Fix the build (its errors are below) or pass --no-build to measure the dist/chrome already there.\n${String(error.stderr ?? '').slice(-3000)}`);
    }
  }
  const server = await startBenchServer(join(import.meta.dirname, 'pages'));
  const selected = conditions();
  for (const w of new Set(selected.map((c) => c.w))) if (w.kind === 'receive') server.prepare(w.count, w.size, w.binary);
  log(`Chromium: ${CHROMIUM_PATH}; ${cpus().length} CPUs; ${RUNS} measured runs per browser and condition, alternating, after one warm-up pair.`);
  log(`Conditions: ${selected.length} (load ${LOADS.join(' and ')}; Network domain ${NETWORK_MODES.map((n) => (n ? 'on' : 'off')).join(' and ')}).`);
  const report = {
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, node: process.version, chromium: execSync(`${CHROMIUM_PATH} --version 2>/dev/null`).toString().trim() },
    runs: RUNS,
    options: { network: NETWORK, busy: BUSY, only: ONLY ? [...ONLY] : undefined, collect: COLLECT },
    conditions: [],
    busyLoad: undefined,
    hook: {},
    panel: undefined,
    targets: [],
  };
  // The workloads run in browsers driven over a bare protocol connection that never attaches to their
  // pages (lib/raw.mjs), except in +network conditions, where it attaches to enable the Network domain.
  for (const load of LOADS) {
    const inLoad = selected.filter((c) => c.load === load);
    if (!inLoad.length) continue;
    let busy;
    if (load === 'busy') {
      busy = await startBusyLoad();
      log(`\n#### Busy: a node process (pid ${busy.pid}) spins one core at 100% from before the browsers start until after they quit.`);
    } else log('\n#### Quiet: no load added by the bench.');
    if (FLOOR) log(`#### Floor: "with" is bench/floor, an extension with SocketScope's content scripts, Port and service worker that does nothing; every ratio reads floor ÷ ${BASELINE_DIR ? 'that build' : 'no extension'} (targets do not apply, nothing is recorded).`);
    if (BASELINE_DIR) log(`#### A/B: "without" is the build in ${BASELINE_DIR}; every ratio reads this build ÷ that one (targets do not apply).`);
    try {
      const rawWithout = await launchRaw(BASELINE_DIR ? { extensionDir: BASELINE_DIR } : {});
      const rawWith = await launchRaw({ extensionDir: FLOOR ? FLOOR_DIR : EXTENSION_DIR });
      // Only SocketScope records sessions to check (not the floor).
      if (BASELINE_DIR && !isSocketScope(BASELINE_DIR)) rawWithout.extensionId = '';
      if (FLOOR) rawWith.extensionId = '';
      const rawFloor = WITH_FLOOR ? await launchRaw({ extensionDir: THIRD_DIR }) : undefined;
      if (rawFloor) rawFloor.extensionId = '';
      try {
        for (const c of inLoad) {
          let summary;
          try {
            summary = await runWorkload(server, rawWithout, rawWith, c, rawFloor);
          } catch (error) {
            summary = { error: String(error?.message ?? error) };
            log(`  FAILED: ${summary.error}`);
          }
          report.conditions.push({ name: c.name, info: Boolean(c.w.info), load: c.load, network: c.network, workload: c.w.name, title: c.w.title, kind: c.w.kind, binary: Boolean(c.w.binary), count: c.w.count, size: c.w.size, pageLimit: c.pageLimit, cpuLimit: c.cpuLimit, ...summary });
        }
      } finally {
        await rawWithout.quit();
        await rawWith.quit();
        await rawFloor?.quit();
      }
    } finally {
      if (busy) report.busyLoad = await stopBusyLoad(busy);
    }
  }
  // The hook and the panel in each selected load. The first load's figures are judged (quiet with --busy=both, beside
  // the load with --busy=only); the hook's beside the busy load, with --busy=both, are reported as report.hookBusy. The
  // panel runs in the first only. What the busy load got is kept with the figures measured beside it.
  for (const [index, load] of (wanted('hook') || wanted('panel') ? LOADS : []).entries()) {
    if (index > 0 && !wanted('hook')) break;
    const busy = load === 'busy' ? await startBusyLoad() : undefined;
    if (busy) log(`\n#### Busy: this section measured beside a node process (pid ${busy.pid}) spinning one core.`);
    const without = await launch({});
    const withExt = await launch({ extensionDir: EXTENSION_DIR });
    let measured;
    try {
      if (wanted('hook')) {
        measured = await measureHook(server, without, withExt, load);
        if (index === 0) report.hook = measured;
        else report.hookBusy = measured;
      }
      if (wanted('panel') && index === 0) {
        try {
          report.panel = await runPanelBench({ server, browser: withExt, log });
        } catch (error) {
          report.panel = { error: String(error?.stack ?? error) };
          log(`Panel bench failed: ${error}`);
        }
        measured ??= report.panel;
      }
    } finally {
      await without.close();
      await withExt.close();
      if (busy) {
        const ran = await stopBusyLoad(busy);
        if (measured) measured.busyLoad = ran;
      }
    }
  }
  await server.close();
  report.targets = targets(report);
  report.summary = summaryRows(report);
  report.finishedAt = new Date().toISOString();
  printTargets(report.targets);
  printSummary(report);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2));
  log(`\nReport: bench/results/${stamp}.json (and bench/results/latest.json); ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s in all.`);
  process.exitCode = report.targets.every((t) => t.pass) ? 0 : 1;
}

// ---- capture workloads ----

async function runWorkload(server, without, withExt, c, floor) {
  const { w } = c;
  log(`\n== ${c.label}: ${w.title}${c.network ? ', Network domain enabled on the page' : ''}${c.load === 'busy' ? ', beside the busy load' : ''} ==`);
  const samples = floor ? { without: [], with: [], floor: [] } : { without: [], with: [] };
  for (let i = 0; i <= RUNS; i++) {
    // Alternate which browser goes first, so drift on a shared machine hits both alike
    // (with the floor, rotate the three: each goes first, second and last in turn).
    const browsers = floor ? [['without', without], ['with', withExt], ['floor', floor]] : [['without', without], ['with', withExt]];
    const order = floor ? [...browsers.slice(i % 3), ...browsers.slice(0, i % 3)] : i % 2 ? [browsers[1], browsers[0]] : browsers;
    for (const [label, browser] of order) {
      const runId = `${w.name}-${label}-${i}-${Date.now()}`;
      const sample = w.kind === 'receive' ? await receiveRun(server, browser, c, runId) : await sendRun(server, browser, c, runId);
      const recorded = sample.recorded ? ` recorded ${sample.recorded.accounted}/${sample.recorded.expected}` + (sample.recorded.droppedMessages ? ` (${sample.recorded.droppedMessages} dropped)` : '') + (sample.recorded.evictedPreviews ? ` (${sample.recorded.evictedPreviews} previews evicted)` : '') : '';
      const frames = c.network ? ` ${sample.networkFrames} frame events` : '';
      log(`  ${i === 0 ? 'warm-up' : `run ${i}`.padEnd(7)} ${label.padEnd(7)} ${sample.pageMs.toFixed(1).padStart(8)} ms page   ${(sample.cpuMs ?? NaN).toFixed(0).padStart(6)} ms browser CPU (whole run ${(sample.wholeCpuMs ?? NaN).toFixed(0).padStart(5)})${frames}${recorded}${sample.lostThreads ? ` (${sample.lostThreads} threads ended mid-run: their CPU since the run's start is not counted)` : ''}`);
      if (i > 0) samples[label].push(sample);
    }
  }
  const stat = (label, key) => median(samples[label].map((s) => s[key]));
  const summary = {
    pageMs: { without: stat('without', 'pageMs'), with: stat('with', 'pageMs') },
    cpuMs: { without: stat('without', 'cpuMs'), with: stat('with', 'cpuMs') },
    wholeCpuMs: { without: stat('without', 'wholeCpuMs'), with: stat('with', 'wholeCpuMs') },
    samples,
  };
  summary.ratio = summary.pageMs.with / summary.pageMs.without;
  summary.cpuRatio = summary.cpuMs.with / summary.cpuMs.without;
  summary.wholeCpuRatio = summary.wholeCpuMs.with / summary.wholeCpuMs.without;
  // How far each ratio could move with other runs of the same kind (90% bootstrap interval, runs resampled in pairs).
  const interval = (label, key) => ratioInterval(samples[label].map((s) => s[key]), samples.without.map((s) => s[key]));
  summary.interval = { page: interval('with', 'pageMs'), cpu: interval('with', 'cpuMs'), wholeCpu: interval('with', 'wholeCpuMs') };
  if (floor) {
    summary.floor = { pageMs: stat('floor', 'pageMs'), cpuMs: stat('floor', 'cpuMs'), wholeCpuMs: stat('floor', 'wholeCpuMs') };
    summary.floor.ratio = summary.floor.pageMs / summary.pageMs.without;
    summary.floor.cpuRatio = summary.floor.cpuMs / summary.cpuMs.without;
    summary.floor.wholeCpuRatio = summary.floor.wholeCpuMs / summary.wholeCpuMs.without;
    summary.floor.interval = { page: interval('floor', 'pageMs'), cpu: interval('floor', 'cpuMs'), wholeCpu: interval('floor', 'wholeCpuMs') };
    // SocketScope's CPU of the traffic less the third browser's, run by run (the same round of the rotation), in ms.
    summary.floor.extension = THIRD_NAME;
    summary.floor.addedCpuMs = pairedDifference(samples.with.map((s) => s.cpuMs), samples.floor.map((s) => s.cpuMs));
  }
  // Where the browser's CPU went: median ms per kind of process, without and with.
  const types = [...new Set([...samples.without, ...samples.with, ...(samples.floor ?? [])].flatMap((s) => Object.keys(s.cpuByType)))];
  summary.cpuByType = Object.fromEntries(types.map((type) => [type, { without: median(samples.without.map((s) => s.cpuByType[type] ?? 0)), with: median(samples.with.map((s) => s.cpuByType[type] ?? 0)) }]));
  if (w.kind === 'send') summary.loopMs = { without: stat('without', 'loopMs'), with: stat('with', 'loopMs') };
  if (c.network) {
    const all = [...samples.without, ...samples.with, ...(samples.floor ?? [])].map((s) => s.networkFrames);
    summary.networkFrames = { expected: w.count + (w.then ?? 0) + 1, min: Math.min(...all), max: Math.max(...all) };
  }
  const records = samples.with.map((s) => s.recorded);
  summary.recorded = FLOOR ? { skipped: true } : {
    allAccounted: records.every((r) => r && r.accounted === r.expected && r.ordered),
    expected: records[0]?.expected,
    stored: records.map((r) => r?.stored),
    droppedMessages: records.map((r) => r?.droppedMessages),
    evictedPreviews: records.map((r) => r?.evictedPreviews),
    maxPreviewChars: Math.max(...records.map((r) => r?.maxPreviewChars ?? 0)),
    tabCostBytes: Math.max(...records.map((r) => r?.cost ?? 0)),
    storageBytesInUse: Math.max(...records.map((r) => r?.bytesInUse ?? 0)),
    sessionDropped: records.map((r) => r?.sessionDropped),
  };
  const spent = Object.entries(summary.cpuByType).filter(([, v]) => v.with >= 5 || v.without >= 5).sort((a, b) => b[1].with - a[1].with);
  log(`  browser CPU of the traffic by process, median ms without → with: ${spent.map(([type, v]) => `${type} ${v.without.toFixed(0)} → ${v.with.toFixed(0)}`).join(', ')}`);
  log(`  median page time: without ${summary.pageMs.without.toFixed(1)} ms, with ${summary.pageMs.with.toFixed(1)} ms, ratio ${summary.ratio.toFixed(3)} ${span(summary.interval.page)}${c.w.info ? '' : ` (≤ ${c.pageLimit.toFixed(2)})`}; median browser CPU: without ${summary.cpuMs.without.toFixed(0)} ms, with ${summary.cpuMs.with.toFixed(0)} ms, ratio ${summary.cpuRatio.toFixed(3)} ${span(summary.interval.cpu)}${c.w.info ? ' (information)' : ` (≤ ${c.cpuLimit.toFixed(2)})`}`);
  log(`  median browser CPU of the whole run (the page's load, the traffic, the page's close): without ${summary.wholeCpuMs.without.toFixed(0)} ms, with ${summary.wholeCpuMs.with.toFixed(0)} ms, ratio ${summary.wholeCpuRatio.toFixed(3)} ${span(summary.interval.wholeCpu)} (information: +${(summary.wholeCpuMs.with - summary.wholeCpuMs.without).toFixed(0)} ms)`);
  if (summary.floor) {
    log(`  floor (${THIRD_NAME}, same runs): page ${summary.floor.pageMs.toFixed(1)} ms, ratio ${summary.floor.ratio.toFixed(3)} ${span(summary.floor.interval.page)}; browser CPU of the traffic ${summary.floor.cpuMs.toFixed(0)} ms, ratio ${summary.floor.cpuRatio.toFixed(3)} ${span(summary.floor.interval.cpu)}, of the whole run ${summary.floor.wholeCpuRatio.toFixed(3)} ${span(summary.floor.interval.wholeCpu)}${THIRD_DIR === FLOOR_DIR ? ' (an extension doing nothing: the noise band of this condition)' : ''}`);
    log(`  SocketScope's CPU of the traffic less ${THIRD_NAME}'s, run by run: ${signedMs(summary.floor.addedCpuMs)}`);
  }
  return summary;
}

/** A ratio's 90% interval, as printed: [lo–hi], rounded outwards (a ratio printed as 1.085 is inside [1.03–1.09], not [1.03–1.08]). */
const span = (interval) => `[${(Math.floor(interval.lo * 100 + 1e-9) / 100).toFixed(2)}–${(Math.ceil(interval.hi * 100 - 1e-9) / 100).toFixed(2)}]`;

/**
 * Opens the workload page (which runs by itself), waits for its report, and counts the browser's CPU meanwhile
 * (and, with the Network domain on, the frame events the browser sent over the protocol connection).
 */
async function autorunPage(server, browser, url, runId, network) {
  browser.takeEventCounts();
  // The page posts /mark once its socket is open, just before its traffic: the CPU read there splits the run.
  server.atMark(runId, () => browser.cpu());
  const cpu0 = browser.cpu();
  const target = await browser.open(url, { network });
  const result = await server.waitReport(runId);
  await sleep(SETTLE_MS);
  // The user leaves the page (a same-site page, the same renderer): what SocketScope does then is the traffic's cost
  // too, counted here: a page nothing read hands over its compact record at pagehide (docs/decisions.md, 73).
  await browser.navigate(target, `${server.origin}/empty.html?left`);
  await sleep(SETTLE_MS);
  // The page's garbage collected inside the window, in every browser: when the collector would have run is its
  // heuristics' choice, and the hook moved an ArrayBuffer flood's collection out of the window (docs/decisions.md, 79).
  if (COLLECT) await browser.collectGarbage(target);
  const cpu1 = browser.cpu();
  const mark = server.takeMark(runId);
  if (!mark) throw new Error(`the page of run ${runId} never posted its /mark`);
  const whole = cpuDelta(cpu0, cpu1);
  const ofTraffic = cpuDelta(mark, cpu1);
  const inMs = (byType) => Object.fromEntries(Object.entries(byType).map(([type, seconds]) => [type, seconds * 1000]));
  const cpuMs = deltaSeconds(whole) * 1000;
  const cpuByType = inMs(whole);
  const traffic = { cpuMs: deltaSeconds(ofTraffic) * 1000, cpuByType: inMs(ofTraffic) };
  const lostThreads = whole.lostThreads;
  const events = browser.takeEventCounts();
  const networkFrames = network ? (events['Network.webSocketFrameReceived'] ?? 0) + (events['Network.webSocketFrameSent'] ?? 0) : undefined;
  // The page's renderer: the renderer that worked most during the run (the browser also starts an idle spare
  // renderer for the next page, which does not exit when this page closes).
  let pagePid;
  let most = -1;
  for (const [pid, p] of Object.entries(cpu1.processes)) {
    if (p.type !== 'renderer') continue;
    const spent = p.seconds - (cpu0.processes[pid]?.seconds ?? 0);
    if (spent > most) [pagePid, most] = [pid, spent];
  }
  return { target, result, cpuMs, cpuByType, traffic, networkFrames, pagePid, lostThreads };
}

/** Whether a process is still running (a zombie waiting to be reaped has ended). */
function running(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Closes the run's page and counts its teardown in the run: until the page's renderer has exited, and the
 * background has handled the closed tab. Without this, a page that took longer to close (with the extension:
 * the waitRecorded before it) ended during the next run's window, and its teardown was counted there, in one
 * browser only (10–20 ms per run, as "exited", with the extension and never without it).
 */
async function closeCounted(browser, run) {
  const cpu0 = browser.cpu();
  await browser.close(run.target);
  // At most 2 s: a renderer the browser keeps for another page of the same site does not exit.
  for (let i = 0; i < 100 && run.pagePid && running(run.pagePid); i++) await sleep(20);
  await sleep(200);
  const cpu1 = browser.cpu();
  const spent = cpuDelta(cpu0, cpu1);
  run.cpuMs += deltaSeconds(spent) * 1000;
  run.lostThreads += spent.lostThreads;
  for (const [type, seconds] of Object.entries(spent)) run.cpuByType[type] = (run.cpuByType[type] ?? 0) + seconds * 1000;
}

/**
 * A run's two CPU figures (docs/decisions.md, 63): `cpuMs`, the traffic's (from the page's mark, its socket open,
 * to the settle after its last message, then the page left and a second settle: the span its page time measures, and
 * what SocketScope does when the user leaves a page nothing read, docs/decisions.md 73), which the limits judge; and
 * `wholeCpuMs`, the whole run's (the page's load and the socket's open, the traffic, the page's close), whose
 * difference is mostly what any extension with content scripts costs a page load (bench/floor).
 */
function cpuFigures(run) {
  return { cpuMs: run.traffic.cpuMs, cpuByType: run.traffic.cpuByType, wholeCpuMs: run.cpuMs, wholeCpuByType: run.cpuByType, lostThreads: run.lostThreads };
}

async function receiveRun(server, browser, c, runId) {
  const { w } = c;
  const total = w.count + (w.then ?? 0);
  const run = await autorunPage(server, browser, workloadUrl(server, w, runId), runId, c.network);
  const { result } = run;
  if (result.count !== total) throw new Error(`the page received ${result.count} of ${total} messages`);
  if (w.binary) {
    if (result.bytes !== total * w.size) throw new Error(`the page received ${result.bytes} of ${total * w.size} bytes`);
    const type = { blob: 'Blob', arraybuffer: 'ArrayBuffer' }[w.binaryType];
    if (result.dataType !== type) throw new Error(`the page received ${result.dataType}s, not ${type}s (binaryType ${result.binaryType})`);
  }
  // The page sent "go" and received count messages.
  const recorded = browser.extensionId ? await waitRecorded(browser, runId, total + 1) : undefined;
  await closeCounted(browser, run);
  return { pageMs: pageMsOf(w, result), firstToLastMs: result.firstToLastMs, ...cpuFigures(run), networkFrames: run.networkFrames, recorded };
}

async function sendRun(server, browser, c, runId) {
  const { w } = c;
  const run = await autorunPage(server, browser, workloadUrl(server, w, runId), runId, c.network);
  const { result } = run;
  if (result.count !== w.count) throw new Error(`the server received ${result.count} of ${w.count} messages`);
  // The page sent count messages and received "got N".
  const recorded = browser.extensionId ? await waitRecorded(browser, runId, w.count + 1) : undefined;
  await closeCounted(browser, run);
  return { pageMs: pageMsOf(w, result), loopMs: result.loopMs, ...cpuFigures(run), networkFrames: run.networkFrames, recorded };
}

/** Waits until the background has stored the closed connection with every message accounted for (kept or dropped by the cap). */
async function waitRecorded(browser, runId, expected) {
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    const { found, bytesInUse, totalCost } = await storedSummary(browser, runId);
    const connection = found?.connections[0];
    if (connection) {
      last = {
        expected,
        stored: connection.messages,
        droppedMessages: connection.droppedMessages,
        accounted: connection.messages + connection.droppedMessages,
        evictedPreviews: connection.evictedPreviews,
        truncated: connection.truncated,
        maxPreviewChars: connection.maxPreviewChars,
        ordered: connection.ordered && connection.lastIndex === expected - 1,
        sessionDropped: found.dropped,
        cost: found.cost,
        totalCost,
        bytesInUse,
        closed: connection.closed,
      };
      if (connection.closed && last.accounted >= expected) return last;
    }
    await sleep(200);
  }
  return { ...last, timedOut: true };
}

// ---- the hook on pages without sockets ----

async function measureHook(server, without, withExt, load) {
  log(`\n== hook on a page that opens no WebSocket${load === 'busy' ? ', beside the busy load' : ''} ==`);
  const source = readFileSync(HOOK_PATH, 'utf8');
  const size = { bytes: Buffer.byteLength(source), gzipBytes: gzipSync(source, { level: 9 }).length };
  log(`  dist/chrome/src/page/hook.js: ${size.bytes} B minified, ${size.gzipBytes} B gzip`);
  // Evaluation time: the built hook run as a classic inline script in a fresh
  // page of a browser without the extension, timed around appendChild (which
  // parses, compiles and runs it synchronously). A unique comment defeats V8's
  // in-memory compilation cache, so every sample is a cold compile, as on a
  // user's first page: the worst case.
  // The DOM's own cost of inserting and running an inline script is not the hook's (the
  // browser injects content scripts directly): an empty script of the same size, inserted
  // the same way in the same page just before, is measured and subtracted.
  const evalSamples = [];
  const rawSamples = [];
  for (let i = 0; i < 16; i++) {
    const page = await without.context.newPage();
    // Cross-origin isolated (server.mjs, ?isolated): the clock is precise to 5 µs, not 100 µs.
    await page.goto(`${server.origin}/empty.html?eval=${i}&isolated`);
    const { hookMs, emptyMs, isolated } = await page.evaluate(timeInlineScripts, inlineSample(source, i));
    if (!isolated) throw new Error('the evaluation page is not cross-origin isolated (bench/lib/server.mjs sends COOP and COEP for ?isolated): its clock would count the hook in tenths of a millisecond');
    rawSamples.push(hookMs);
    evalSamples.push(Math.max(0, hookMs - emptyMs));
    await page.close();
  }
  const evalMs = median(evalSamples.slice(1));
  const rawEvalMs = median(rawSamples.slice(1));
  log(`  evaluation (parse + compile + run, cold), less an empty inline script's cost: median ${evalMs.toFixed(3)} ms over ${evalSamples.length - 1} fresh pages (samples ${evalSamples.map((s) => s.toFixed(3)).join(', ')}); without subtracting: ${rawEvalMs.toFixed(3)} ms`);
  // Second view, what a page sees: when its first inline <head> script runs, without an extension, with
  // bench/floor (SocketScope's declarations: both content scripts in every frame, the permissions, a worker,
  // doing nothing) and with SocketScope. One tab per browser navigated again and again (a new tab per sample
  // added about ±10 ms of noise), in rotating order; the differences are taken pair by pair (same round).
  // Two figures: from navigation start (the user's wait, network included: webRequest listeners act there),
  // and from the response's end (the document's start: the content scripts' own part). Shown, not judged.
  const floor = await launch({ extensionDir: FLOOR_DIR });
  const browsers = { without, floor, with: withExt };
  const labels = Object.keys(browsers);
  const firstScript = { without: [], floor: [], with: [] };
  const afterResponse = { without: [], floor: [], with: [] };
  try {
    const pages = {};
    for (const label of labels) pages[label] = await browsers[label].context.newPage();
    for (let i = 0; i <= FIRST_SCRIPT_ROUNDS; i++) {
      for (let k = 0; k < labels.length; k++) {
        const label = labels[(i + k) % labels.length];
        await pages[label].goto(`${server.origin}/empty.html?first=${i}`);
        const [at, responseEnd] = await pages[label].evaluate(() => [window.firstScriptAt, performance.getEntriesByType('navigation')[0]?.responseEnd ?? NaN]);
        if (i > 0) {
          firstScript[label].push(at);
          afterResponse[label].push(at - responseEnd);
        }
      }
    }
  } finally {
    await floor.close();
  }
  const firstScriptMs = Object.fromEntries(labels.map((label) => [label, median(firstScript[label])]));
  const added = (samples) => ({
    withVsWithout: pairedDifference(samples.with, samples.without),
    floorVsWithout: pairedDifference(samples.floor, samples.without),
    withVsFloor: pairedDifference(samples.with, samples.floor),
  });
  const firstScriptAdded = added(firstScript);
  const afterResponseAdded = added(afterResponse);
  log(`  a page's first inline script (medians of ${FIRST_SCRIPT_ROUNDS} navigations of one tab each): at ${firstScriptMs.without.toFixed(1)} ms after navigation start without an extension, ${firstScriptMs.floor.toFixed(1)} with bench/floor, ${firstScriptMs.with.toFixed(1)} with SocketScope`);
  for (const [what, d] of [['after navigation start', firstScriptAdded], ["after the response's end", afterResponseAdded]]) {
    log(`    ${what}, pair by pair [90%]: SocketScope ${signedMs(d.withVsWithout)} against none; the floor ${signedMs(d.floorVsWithout)}; SocketScope against the floor ${signedMs(d.withVsFloor)}`);
  }
  return { size, evalMs, rawEvalMs, evalSamples, rawSamples, firstScriptMs, firstScript, afterResponse, firstScriptAdded, afterResponseAdded };
}

/** A paired difference in ms: `+12.3 ms [4.5 to 20.1]`. */
function signedMs(d) {
  return `${d.median >= 0 ? '+' : ''}${d.median.toFixed(1)} ms [${d.lo.toFixed(1)} to ${d.hi.toFixed(1)}]`;
}

// ---- targets ----

/** Said of a result whose 90% interval reaches across its limit: other runs of the same kind could have given the other result. */
function noiseNote(ratio, interval, limit) {
  return againstLimit(ratio, interval, limit).clear ? undefined : 'within noise: the interval reaches across the limit';
}

function targets(report) {
  const rows = [];
  const add = (target, measured, limit, pass, note) => rows.push({ target, measured, limit, pass: Boolean(pass), note });
  const ok = report.conditions.filter((s) => !s.error);
  for (const s of report.conditions) {
    const label = `${s.name}${s.load === 'busy' ? ' (busy)' : ''}`;
    if (s.error) {
      add(`${label}: the workload ran`, `failed: ${s.error}`, 'ran', false);
      continue;
    }
    if (!s.info) {
      add(`${label}: page time with ÷ without`, `${s.ratio.toFixed(3)} ${span(s.interval.page)} (${s.pageMs.with.toFixed(1)} / ${s.pageMs.without.toFixed(1)} ms)`, `≤ ${s.pageLimit.toFixed(2)}`, s.ratio <= s.pageLimit, noiseNote(s.ratio, s.interval.page, s.pageLimit));
      add(`${label}: browser CPU of the traffic with ÷ without`, `${s.cpuRatio.toFixed(3)} ${span(s.interval.cpu)} (${(s.cpuMs.with / 1000).toFixed(2)} / ${(s.cpuMs.without / 1000).toFixed(2)} s)`, `≤ ${s.cpuLimit.toFixed(2)}`, s.cpuRatio <= s.cpuLimit, noiseNote(s.cpuRatio, s.interval.cpu, s.cpuLimit));
    }
    const r = s.recorded;
    // --floor records nothing: nothing to check.
    if (!r.skipped) {
      const evicted = r.evictedPreviews.reduce((a, b) => Math.max(a, b ?? 0), 0);
      const dropped = r.droppedMessages.reduce((a, b) => Math.max(a, b ?? 0), 0);
      add(
        `${label}: every message recorded or counted`,
        `${r.allAccounted ? 'all' : 'NOT all'} ${r.expected} accounted; stored ${Math.min(...r.stored)}–${Math.max(...r.stored)}, dropped ≤ ${dropped}, previews evicted ≤ ${evicted}`,
        'exact',
        r.allAccounted,
      );
      if (s.binary) add(`${label}: previews bounded`, `longest preview ${r.maxPreviewChars} chars`, '≤ 87,384 (base64 of 64 KiB)', r.maxPreviewChars <= 87_384);
    }
    // The condition is what it claims: the Network domain reported every frame of the page's socket, in both browsers.
    if (s.network) add(`${label}: Network domain saw every frame`, `${s.networkFrames.min}–${s.networkFrames.max} frame events per run`, `≥ ${s.networkFrames.expected}`, s.networkFrames.min >= s.networkFrames.expected);
  }
  const recordedOk = ok.filter((s) => !s.recorded.skipped);
  if (recordedOk.length) {
    const ok = recordedOk;
    const maxCost = Math.max(...ok.map((s) => s.recorded.tabCostBytes));
    const inUse = Math.max(...ok.map((s) => s.recorded.storageBytesInUse));
    add('background: per-tab cap holds (default 4 MiB)', `${(maxCost / 1048576).toFixed(2)} MiB largest tab; storage.session ${(inUse / 1048576).toFixed(2)} MiB`, '≤ 4.00 MiB; ≤ 10 MiB quota', maxCost <= 4 * 1048576 && inUse <= 10 * 1048576);
  }
  if (report.hook.size) {
    add('hook: evaluation time on a page without sockets', `${report.hook.evalMs.toFixed(3)} ms`, '< 1 ms', report.hook.evalMs < 1);
    add('hook: size minified', `${(report.hook.size.bytes / 1024).toFixed(2)} KiB (${report.hook.size.gzipBytes} B gzip)`, '< 8 KiB', report.hook.size.bytes < 8192);
  }
  if (report.panel && !report.panel.error) for (const row of report.panel.targets ?? []) rows.push(row);
  else if (report.panel?.error) add('panel', 'benchmark failed: see the log', '', false);
  return rows;
}

function printTargets(rows) {
  const width = (key, min) => Math.max(min, ...rows.map((r) => String(r[key]).length));
  const wt = width('target', 6);
  const wm = width('measured', 8);
  const wl = width('limit', 5);
  log(`\n${'TARGET'.padEnd(wt)}  ${'MEASURED'.padEnd(wm)}  ${'LIMIT'.padEnd(wl)}  RESULT`);
  for (const r of rows) log(`${r.target.padEnd(wt)}  ${String(r.measured).padEnd(wm)}  ${String(r.limit).padEnd(wl)}  ${r.pass ? 'PASS' : 'FAIL'}${r.note ? `  (${r.note})` : ''}`);
  log(`\n${rows.filter((r) => r.pass).length}/${rows.length} targets met.`);
}

/** One row per condition run: load × Network domain × workload, with both ratios, their limits and what missed. */
function summaryRows(report) {
  return report.conditions.map((s) => {
    const row = { load: s.load, network: s.network ? 'on' : 'off', workload: s.workload, info: s.info, pageLimit: s.pageLimit, cpuLimit: s.cpuLimit };
    if (s.error) return { ...row, misses: ['error'], error: s.error, pass: false };
    const misses = [];
    // A result whose interval reaches across its limit is marked '?' (within this machine's noise): a miss among the
    // misses, a pass in `uncertain`. Infinite limits (information rows) always pass clearly.
    const uncertain = [];
    for (const [what, ratio, interval, limit] of [['page', s.ratio, s.interval.page, s.pageLimit], ['CPU', s.cpuRatio, s.interval.cpu, s.cpuLimit]]) {
      const { pass, clear } = againstLimit(ratio, interval, limit);
      if (!pass) misses.push(clear ? what : `${what}?`);
      else if (!clear) uncertain.push(what);
    }
    if (!s.recorded.skipped && !s.recorded.allAccounted) misses.push('recorded');
    if (s.binary && !s.recorded.skipped && !(s.recorded.maxPreviewChars <= 87_384)) misses.push('previews');
    if (s.network && !(s.networkFrames.min >= s.networkFrames.expected)) misses.push('network frames');
    return { ...row, ratio: s.ratio, pageMs: s.pageMs, cpuRatio: s.cpuRatio, cpuMs: s.cpuMs, wholeCpuRatio: s.wholeCpuRatio, wholeCpuMs: s.wholeCpuMs, interval: s.interval, uncertain, ...(s.floor ? { floorRatio: s.floor.ratio, floorCpuRatio: s.floor.cpuRatio, floorWholeCpuRatio: s.floor.wholeCpuRatio, floorAddedCpuMs: s.floor.addedCpuMs } : {}), recorded: s.recorded.skipped ? 'n/a' : s.recorded.allAccounted, misses, pass: misses.length === 0 };
  });
}

function printSummary(report) {
  const rows = report.summary;
  if (!rows.length) return;
  const notRun = [];
  if (!LOADS.includes('busy')) notRun.push('busy (--busy or --busy=both)');
  if (!LOADS.includes('quiet')) notRun.push('quiet (--busy=both)');
  if (!NETWORK_MODES.includes(true)) notRun.push('Network on (--network=both)');
  if (!NETWORK_MODES.includes(false)) notRun.push('Network off (--network=both)');
  if (ONLY) notRun.push(`workloads not in --only=${[...ONLY].join(',')}`);
  const withFloor = rows.some((r) => r.floorRatio !== undefined);
  const table = [['LOAD', 'NETWORK', 'WORKLOAD', 'PAGE RATIO', 'PAGE MS with / without', 'LIMIT', 'CPU RATIO', 'CPU S with / without', 'LIMIT', 'WHOLE-RUN CPU', 'RECORDED', 'RESULT']];
  if (withFloor) table[0].splice(11, 0, 'FLOOR PAGE / CPU / WHOLE', 'CPU MS OVER FLOOR');
  for (const r of rows) {
    const result = r.pass ? (r.info ? `INFO: +${(r.wholeCpuMs.with - r.wholeCpuMs.without).toFixed(0)} ms CPU, whole run` : r.uncertain?.length ? `PASS (${r.uncertain.map((what) => `${what}?`).join(', ')})` : 'PASS') : `FAIL (${r.misses.join(', ')})`;
    const limit = (value) => (Number.isFinite(value) ? `≤ ${value.toFixed(2)}` : '—');
    if (r.error) table.push([r.load, r.network, r.workload, '—', '—', limit(r.pageLimit), '—', '—', limit(r.cpuLimit), '—', '—', `${result}: ${r.error}`]);
    else table.push([r.load, r.network, r.workload, `${r.ratio.toFixed(3)} ${span(r.interval.page)}`, `${r.pageMs.with.toFixed(0)} / ${r.pageMs.without.toFixed(0)}`, limit(r.pageLimit), `${r.cpuRatio.toFixed(3)} ${span(r.interval.cpu)}`, `${(r.cpuMs.with / 1000).toFixed(2)} / ${(r.cpuMs.without / 1000).toFixed(2)}`, limit(r.cpuLimit), `${r.wholeCpuRatio.toFixed(3)} ${span(r.interval.wholeCpu)}`, r.recorded === 'n/a' ? 'n/a' : r.recorded ? 'all' : 'NOT all', result]);
    if (withFloor) table[table.length - 1].splice(11, 0, r.floorRatio === undefined ? '—' : `${r.floorRatio.toFixed(3)} / ${r.floorCpuRatio.toFixed(3)} / ${r.floorWholeCpuRatio.toFixed(3)}`, r.floorAddedCpuMs === undefined ? '—' : signedMs(r.floorAddedCpuMs));
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  log(`\nSUMMARY: every condition run (medians of ${RUNS} runs per browser; ratios with ÷ without; page = the page's own time, CPU = the whole browser's CPU over the traffic (from the page's mark, its socket open, to 1 s after its last message, then the page left and 1 s more: docs/decisions.md 73${COLLECT ? ', ending with a garbage collection forced in the page\'s renderer: 79' : ', no collection forced (--no-collect)'}), WHOLE-RUN CPU = over the page's load, traffic and close (information)${withFloor ? `; FLOOR = ${THIRD_NAME} ÷ without in the same runs${THIRD_DIR === FLOOR_DIR ? ', an extension doing nothing: how far from 1.00 noise alone goes' : ''}; CPU MS OVER FLOOR = SocketScope's CPU of the traffic less ${THIRD_NAME}'s, the median of the runs' differences [90% interval]` : ''})`);
  if (report.busyLoad) log(`Busy conditions ran beside a process spinning one core (pid ${report.busyLoad.pid}: ${report.busyLoad.cpuSeconds.toFixed(1)} s CPU over ${report.busyLoad.wallSeconds.toFixed(1)} s, ${(report.busyLoad.coreShare * 100).toFixed(0)}% of a core).`);
  for (const row of table) log(row.map((cell, i) => String(cell).padEnd(i === row.length - 1 ? 0 : widths[i])).join('  '));
  const measured = rows.filter((r) => !r.info);
  const clearMisses = measured.filter((r) => !r.pass && r.misses.some((what) => !what.endsWith('?')));
  const uncertain = measured.filter((r) => r.misses.some((what) => what.endsWith('?')) || r.uncertain?.length);
  log(`${measured.filter((r) => r.pass).length}/${measured.length} conditions met every limit (information rows not counted); ${clearMisses.length} missed a limit beyond the noise; ${uncertain.length} had a ratio within the noise of its limit (marked ?).${notRun.length ? ` Not run: ${notRun.join('; ')}.` : ''}`);
  log(`[lo–hi]: the ratio's 90% bootstrap interval over the ${RUNS} runs, resampled in pairs. A '?' marks a ratio whose interval reaches across its limit: other runs of the same kind could have given the other result.`);
}

main().catch((error) => {
  console.error(`\nBench failed: ${error?.message ?? error}`);
  process.exit(2);
});
