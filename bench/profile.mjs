// node bench/profile.mjs [--workload=recv-text|recv-binary|recv-blob|recv-blob-small|send-text] [--interval=200] [--extension=DIR] [--without] [--network] [--reader|--reader=watch]
//
// Where the extension's CPU goes, from V8's sampling profiler: one run of a
// workload in Chromium with dist/chrome (build it first; --extension=DIR
// profiles another build, e.g. one built with `npx vite build --mode chrome
// --minify false --outDir DIR` for readable names), profiling
// the page (hook and relay) and the extension's service worker at once over
// the bare protocol connection (Profiler domain). Attaching to the page is
// itself a change, so this is a diagnosis, not a measurement. Prints the top
// functions by self time in each, and writes both .cpuprofile files (open
// them in DevTools' Performance panel) to bench/results/. --network: the Network domain enabled on the
// page first, as an open DevTools does (the bench's +network conditions). --reader: a SocketScope panel open
// first (the live path: documents hand their batches over as they come). --reader=watch: a panel watching the page's own tab,
// in a window of its own, profiled too (its deltas, analysis and drawing: the live path as a user debugging has it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchServer } from './lib/server.mjs';
import { requireChromium } from './lib/browser.mjs';
import { launchRaw, openReaders, watchTab } from './lib/raw.mjs';
import { sleep } from './lib/stats.mjs';
import { WORKLOADS } from './lib/workloads.mjs';

const ROOT = join(import.meta.dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const name = String(args.workload ?? 'recv-text');
const PROFILED = ['recv-text', 'recv-binary', 'recv-blob', 'recv-blob-small', 'send-text'];
const w = PROFILED.includes(name) && WORKLOADS.find((candidate) => candidate.name === name);
if (!w) throw new Error(`--workload=${name}: expected one of ${PROFILED.join(', ')}`);
const send = w.kind === 'send';

/** Self time per function (name, script, line), in ms, highest first. */
function topSelf(profile, limit = 15) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const f = byNode.get(profile.samples[i]).callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url ? `${f.url.replace(/^.*\/\/[^/]+/, '')}:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit) };
}

async function main() {
  requireChromium();
  const server = await startBenchServer(join(import.meta.dirname, 'pages'));
  if (!send) server.prepare(w.count, w.size, w.binary);
  // --without: the same run in a browser without the extension (the page alone), to compare against.
  const without = Boolean(args.without);
  const browser = await launchRaw(without ? {} : { extensionDir: typeof args.extension === 'string' ? args.extension : join(ROOT, 'dist', 'chrome') });
  try {
    // --reader: as threads.mjs --reader (lib/raw.mjs openReaders): every batch is handed over as it comes.
    if (args.reader === true && browser.extensionId) await openReaders([browser]);
    const socketUrl = send ? `${server.wsOrigin}/sink?expect=${w.count}` : `${server.wsOrigin}/blast?count=${w.count}&size=${w.size}&binary=${w.binary ? 1 : 0}`;
    const targetId = await browser.open(send ? `${server.origin}/send.html?ws=${encodeURIComponent(socketUrl)}` : `${server.origin}/recv.html?ws=${encodeURIComponent(socketUrl)}&binaryType=${w.binaryType ?? 'arraybuffer'}`, { network: args.network === true });
    await sleep(1000);
    const { targetInfos } = await browser.send('Target.getTargets');
    const worker = without ? undefined : targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
    // --reader=watch: the panel on the page's tab (the page's URL holds its socket's, unique to this run).
    const panel = args.reader === 'watch' ? await watchTab(browser, encodeURIComponent(socketUrl)) : undefined;
    const sessions = {};
    for (const [label, id] of [['page', targetId], ...(worker ? [['service-worker', worker.targetId]] : []), ...(panel ? [['panel', panel]] : [])]) {
      const { sessionId } = await browser.send('Target.attachToTarget', { targetId: id, flatten: true });
      await browser.send('Profiler.enable', {}, sessionId);
      await browser.send('Profiler.setSamplingInterval', { interval: Number(args.interval ?? 200) }, sessionId);
      sessions[label] = sessionId;
    }
    await browser.send('Runtime.evaluate', { expression: 'window.ready', awaitPromise: true }, sessions.page);
    for (const sessionId of Object.values(sessions)) await browser.send('Profiler.start', {}, sessionId);
    const { result } = await browser.send('Runtime.evaluate', { expression: `window.run(${w.count}, ${w.size})`, awaitPromise: true, returnByValue: true }, sessions.page);
    await browser.send('Runtime.evaluate', { expression: 'window.finishSocket()', awaitPromise: true }, sessions.page);
    await sleep(1500); // the hook's timer, the relay, the background's persist
    console.log(`${name}: ${result.value.count} messages, ${(result.value.goToLastMs ?? result.value.startToConfirmMs).toFixed(0)} ms page time (profiled, attached: not a measurement)`);
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    for (const [label, sessionId] of Object.entries(sessions)) {
      const { profile } = await browser.send('Profiler.stop', {}, sessionId);
      const file = join(dir, `profile-${name}${without ? '-without' : ''}-${label}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const { total, top } = topSelf(profile);
      console.log(`\n${label}: ${total.toFixed(0)} ms sampled (idle included); top self time (${file.replace(`${ROOT}/`, '')}):`);
      for (const [key, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
    }
  } finally {
    await browser.quit();
    await server.close();
  }
}

main().catch((error) => {
  console.error(`Profile failed: ${error?.stack ?? error}`);
  process.exit(2);
});
