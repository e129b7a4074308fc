// Debian's Chromium, with or without the built extension, the way the e2e
// tests launch it (test/e2e/support/chromium.ts), plus what the bench needs:
// the whole browser's CPU time (every process of that browser, from /proc)
// and a summary of what the background has stored, computed inside the
// service worker so megabytes of previews never cross to node.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { CHROMIUM_PATH, QUIET_FLAGS as SHARED_QUIET_FLAGS } from '../../scripts/lib/chromium.mjs';

export { CHROMIUM_PATH };

/** Quiet and offline, as the tests and the demo launch it; the bench runs as root, hence no sandbox. */
export const QUIET_FLAGS = ['--no-sandbox', ...SHARED_QUIET_FLAGS];

export function requireChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's Chromium with \`apt-get install chromium\`, or set CHROMIUM_PATH to a Chromium binary.`);
  }
}

export async function launch({ extensionDir, extraArgs = [] }) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'socketscope-bench-'));
  const args = [...QUIET_FLAGS, ...extraArgs];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args });
  const serviceWorker = async () => context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = extensionDir ? new URL((await serviceWorker()).url()).host : '';
  return {
    context,
    extensionId,
    userDataDir,
    serviceWorker,
    /** A reading of the browser's CPU, by process and thread (see browserCpu; cpuDelta compares two). */
    cpu: () => browserCpu(userDataDir),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/**
 * The browser's CPU: per live process, its kind (`browser`: the main process; `renderer`: the pages, where the hook and the relay run; `extension`:
 * extension renderers, where the service worker runs; `gpu`; `network`: the network service; `utility`: other
 * utilities; `other`), its seconds in 10 ms ticks (/proc/<pid>/stat), and `threads`: each live thread's CPU in nanoseconds
 * (/proc/<pid>/task/<tid>/schedstat); and `reaped`: processes already exited, counted in their parents in ticks
 * (mostly closed pages' renderers). cpuDelta() turns two of these into what each kind of process spent in
 * between, from the threads' nanoseconds (docs/decisions.md, 65).
 */
export function browserCpu(userDataDir) {
  const parents = new Map();
  const cpu = new Map();
  const reapedTicks = new Map();
  let root;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(name, fields[1]);
      // utime + stime; cutime + cstime: the CPU of children already reaped (renderers of closed pages).
      cpu.set(name, Number(fields[11]) + Number(fields[12]));
      reapedTicks.set(name, Number(fields[13]) + Number(fields[14]));
      if (root === undefined && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(`--user-data-dir=${userDataDir}`)) {
        const parent = fields[1];
        // The browser process is the one whose parent is not itself a process of this browser.
        if (!readFileSafe(`/proc/${parent}/cmdline`).includes(`--user-data-dir=${userDataDir}`)) root = name;
      }
    } catch {
      /* the process ended while we read */
    }
  }
  if (!root) return { processes: {}, reaped: NaN };
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p && p !== '0' && hops < 10; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  const processes = {};
  let reaped = 0;
  for (const [pid, ticks] of cpu) {
    if (!inTree(pid)) continue;
    processes[pid] = { type: processType(readFileSafe(`/proc/${pid}/cmdline`)), seconds: ticks / CLOCK_TICKS, threads: threadNanoseconds(pid) };
    reaped += reapedTicks.get(pid);
  }
  return { processes, reaped: reaped / CLOCK_TICKS };
}

/** Each live thread's CPU in nanoseconds (schedstat's first field: user and system time), by thread id. */
function threadNanoseconds(pid) {
  const threads = {};
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads; // ended meanwhile
  }
  for (const tid of tids) {
    const text = readFileSafe(`/proc/${pid}/task/${tid}/schedstat`);
    if (text) threads[tid] = Number(text.slice(0, text.indexOf(' ')));
  }
  return threads;
}

/**
 * CPU seconds spent between two browserCpu() readings, by kind of process. A live process's share is its
 * threads' nanoseconds: each thread's difference, all of a thread's time if it started in between; a thread
 * that ended in between loses its time since the first reading (Chromium keeps its pool's idle threads for
 * many seconds; `lostThreads` counts them). `exited`: processes that ended in between, from their parents'
 * ticks (their CPU after the first reading, or all of it if they also started in between), so it is as
 * coarse as before: 10 ms a process.
 */
export function cpuDelta(before, after) {
  const byType = {};
  let lostThreads = 0;
  const add = (type, seconds) => (byType[type] = (byType[type] ?? 0) + seconds);
  for (const [pid, p] of Object.entries(after.processes)) {
    const earlier = before.processes[pid]?.threads ?? {};
    let ns = 0;
    for (const [tid, time] of Object.entries(p.threads)) ns += time - (earlier[tid] ?? 0);
    for (const tid of Object.keys(earlier)) if (!(tid in p.threads)) lostThreads++;
    add(p.type, ns / 1e9);
  }
  let vanished = 0;
  for (const [pid, p] of Object.entries(before.processes)) if (!after.processes[pid]) vanished += p.seconds;
  add('exited', after.reaped - before.reaped - vanished);
  Object.defineProperty(byType, 'lostThreads', { value: lostThreads, enumerable: false });
  return byType;
}

/** The seconds in all of a cpuDelta(). */
export const deltaSeconds = (byType) => Object.values(byType).reduce((sum, seconds) => sum + seconds, 0);

export function processType(cmdline) {
  // Firefox's child processes: `-contentproc … <kind>` (`tab` for pages and extensions alike, `socket` its network).
  if (/(^|\s)-contentproc\s/.test(cmdline)) {
    const kind = cmdline.trim().split(/\s+/).at(-1);
    return kind === 'tab' ? 'content' : kind === 'socket' ? 'network' : kind === 'gpu' ? 'gpu' : 'utility';
  }
  // Chromium rewrites its processes' command lines (one string, spaces between arguments).
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser';
  if (type === 'renderer') return cmdline.includes('--extension-process') ? 'extension' : 'renderer';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'utility') return cmdline.includes('network.mojom.NetworkService') ? 'network' : 'utility';
  return 'other';
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * What the background holds for the tab whose page URL contains `urlPart`:
 * counts per connection, drops, previews, and the caps' own cost estimate
 * (same formula as sessionCost in src/core/caps.ts, MESSAGE_OVERHEAD_BYTES = 40).
 *
 * With the bare protocol driver (the bench), the storage is read by the browser itself
 * (`Extensions.getStorageItems`) and summarized here, in node: read in the service worker, the
 * tab's megabytes became garbage in the worker's heap, collected later, in the page's close window
 * (about 15 ms on `recv-text`, counted as SocketScope's CPU) and, for runs back to back, in the next
 * run's (about 25 ms): docs/performance.md. Only `getBytesInUse` (a number) still runs in the worker.
 * With Playwright (the end-to-end tests), the summary runs in the service worker.
 */
export async function storedSummary(browser, urlPart) {
  if (browser.storageItems) {
    const { items, bytesInUse } = await browser.storageItems();
    return summarizeStored(items, bytesInUse, urlPart);
  }
  const worker = await browser.serviceWorker();
  // An expression, evaluated by DevTools (the extension's CSP allows no eval of its own).
  return worker.evaluate(`(async () => (${summarizeStored})(await chrome.storage.session.get(null), await chrome.storage.session.getBytesInUse(null), ${JSON.stringify(urlPart)}))()`);
}

/** Pure (stringified for the service worker with Playwright): no closure over this module. */
const summarizeStored = (stored, bytesInUse, part) => {
    let found;
    let totalCost = 0;
    for (const [key, raw] of Object.entries(stored)) {
      if (!key.startsWith('tab:')) continue;
      // One JSON string per tab with messages in columns, the older ones in chunks under their own keys
      // (src/core/stored.ts), or the earlier plain object.
      const value = typeof raw === 'string' ? JSON.parse(raw) : raw;
      const session = value.session;
      let cost = 0;
      let storedChars = typeof raw === 'string' ? raw.length : undefined;
      const decode = (m) => Array.from(m.time, (time, i) => {
        const flags = m.flags.charCodeAt(i) - 48;
        return { index: m.index ? m.index[i] : m.first + i, direction: m.dir[i] === 's' ? 'send' : 'receive', preview: m.preview[i], truncated: (flags & 1) !== 0, evicted: (flags & 2) !== 0 };
      });
      const connections = session.connections.map((c) => {
        cost += 256 + c.url.length;
        const messages = c.messages ?? [...(c.k ?? []).flatMap(([chunkKey]) => {
          storedChars += stored[chunkKey].length;
          return decode(JSON.parse(stored[chunkKey]));
        }), ...decode(c.m)];
        let previewChars = 0, maxPreviewChars = 0, truncated = 0, evicted = 0, send = 0, receive = 0, lastIndex = -1, ordered = true;
        for (const m of messages) {
          cost += 40 + m.preview.length;
          previewChars += m.preview.length;
          if (m.preview.length > maxPreviewChars) maxPreviewChars = m.preview.length;
          if (m.truncated) truncated++;
          if (m.evicted) evicted++;
          if (m.direction === 'send') send++;
          else receive++;
          if (m.index !== lastIndex + 1 && lastIndex >= 0) ordered = false;
          lastIndex = m.index;
        }
        return { url: c.url, closed: c.close !== undefined, messages: messages.length, send, receive, droppedMessages: c.droppedMessages ?? 0, evictedPreviews: c.evictedPreviews ?? 0, evicted, truncated, previewChars, maxPreviewChars, lastIndex, ordered };
      });
      totalCost += cost;
      if (session.pageUrl && session.pageUrl.includes(part)) found = { key, pageUrl: session.pageUrl, dropped: session.dropped, connections, cost, storedChars };
    }
    return { found, totalCost, bytesInUse };
  };
