#!/usr/bin/env node
// Writes a large, realistic HAR for measuring the CLI (docs/cli.md, Large files):
// a reconnect chain to one endpoint, each connection a stream of price ticks with
// a JSON ping/pong every 25 s, dropped (1006) after 60 s of silence. The entries
// are written by the project's own export (toHar, src/core/har/export.ts), one
// connection at a time, so the format is the real one and the generator's memory
// stays small whatever the size.
//
//   node scripts/gen-har.mjs --mb 100 [--non-latin1] [--chrome] [--out FILE]
//
//   --mb N         stop once the file reaches N MB (10^6 bytes); default 100
//   --non-latin1   one character beyond Latin-1 ('€') in every tick, so V8 holds the text two bytes per character
//   --chrome       write a Chrome DevTools-style HAR: no `_socketscope` extras (close information unknown)
//   --out FILE     default test-results/har/socketscope-<mb>mb[-nonlatin1][-chrome].har
//
// Deterministic: the same options give the same bytes.
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const targetMb = Number(option('--mb', '100'));
const nonLatin1 = args.includes('--non-latin1');
const chrome = args.includes('--chrome');
const out = option('--out', join(ROOT, 'test-results', 'har', `socketscope-${targetMb}mb${nonLatin1 ? '-nonlatin1' : ''}${chrome ? '-chrome' : ''}.har`));
if (!(targetMb > 0)) {
  console.error('gen-har: --mb needs a positive number');
  process.exit(2);
}

// The project's own TypeScript, loaded through vite (as the build does), with the build-time constant it needs.
const vite = await createServer({ configFile: false, root: ROOT, logLevel: 'error', server: { middlewareMode: true, hmr: false }, define: { __VERSION__: '"gen-har"' } });
const { toHar } = await vite.ssrLoadModule('/src/core/har/export.ts');
// The tests' seeded generator (mulberry32), so both make the same kind of data from a seed.
const { createRng } = await vite.ssrLoadModule('/test/unit/helpers/synth.ts');
await vite.close();

const T0 = 1_762_164_900_000;
const MESSAGES_PER_CONNECTION = 20_000;
const TICK_MS = 100;
const HEARTBEAT_MS = 25_000;
const IDLE_TIMEOUT_MS = 60_000;
const SYMBOLS = ['EURUSD', 'GBPUSD', 'USDJPY', 'AUDUSD', 'USDCHF', 'NZDUSD'];

const random = createRng(42);
const utf8Bytes = (text) => Buffer.byteLength(text, 'utf8');

function makeConnection(n, createdAt, messageLimit) {
  const openedAt = createdAt + 40 + Math.floor(random() * 20);
  const messages = [];
  let time = openedAt + 5;
  let nextBeat = openedAt + HEARTBEAT_MS;
  let seq = 0;
  const push = (direction, at, preview) => messages.push({ index: messages.length, direction, time: at, opcode: 1, size: utf8Bytes(preview), preview, truncated: false });
  while (messages.length < messageLimit) {
    if (time >= nextBeat) {
      push('send', nextBeat, '{"type":"ping"}');
      push('receive', nextBeat + 12.5, '{"type":"pong"}');
      nextBeat += HEARTBEAT_MS;
      continue;
    }
    const symbol = SYMBOLS[seq % SYMBOLS.length];
    const price = (1 + random()).toFixed(5);
    const note = nonLatin1 ? 'spread 0.2 € per lot' : 'spread 0.2 EUR per lot';
    push('receive', time, `{"type":"tick","seq":${seq},"symbol":"${symbol}","bid":${price},"ask":${price},"volume":${Math.floor(random() * 1e6)},"note":"${note}"}`);
    seq++;
    time += TICK_MS * (0.5 + random());
  }
  // The server stops sending; the proxy cuts the silent socket.
  const lastAt = messages[messages.length - 1].time;
  const closedAt = lastAt + IDLE_TIMEOUT_MS + random() * 5;
  return {
    id: `doc1-${n}`,
    frameUrl: 'https://app.example.test/',
    url: 'wss://app.example.test/live',
    protocols: [],
    protocol: '',
    extensions: 'permessage-deflate',
    createdAt,
    openedAt,
    closedAt,
    close: { time: closedAt, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
    messages,
  };
}

const session = {
  id: 'gen-har',
  name: `generated ${targetMb} MB`,
  pageUrl: 'https://app.example.test/',
  startedAt: T0,
  connections: [],
  pageEvents: [],
  notes: [],
  dropped: { messages: 0, previews: 0, rejected: 0 },
  source: 'live',
};

const stripExtras = (value) => {
  if (chrome) delete value._socketscope;
  return value;
};

mkdirSync(dirname(out), { recursive: true });
const fd = openSync(out, 'w');
const write = (text) => writeSync(fd, text);
let createdAt = T0 + 1000;
let n = 0;
let messageCount = 0;
// Every entry first, to a temporary file (the session's end depends on the last connection), then the log around them.
const connectionsEnds = [];
const entryFile = `${out}.entries.tmp`;
const entryFd = openSync(entryFile, 'w');
let entryBytes = 0;
while (entryBytes < targetMb * 1e6 - 2000) {
  n++;
  // The last connection is cut to what the size still needs (from the bytes per message so far).
  const bytesPerMessage = messageCount > 0 ? entryBytes / messageCount : 250;
  const limit = Math.max(10, Math.min(MESSAGES_PER_CONNECTION, Math.ceil((targetMb * 1e6 - entryBytes) / bytesPerMessage)));
  const connection = makeConnection(n, createdAt, limit);
  const { log } = toHar({ ...session, connections: [connection] });
  const text = (n > 1 ? ',' : '') + JSON.stringify(stripExtras(log.entries[0]));
  entryBytes += writeSync(entryFd, text);
  messageCount += connection.messages.length;
  connectionsEnds.push(connection.closedAt);
  // The page reconnects a second after the drop.
  createdAt = connection.closedAt + 1000;
}
closeSync(entryFd);
session.endedAt = connectionsEnds[connectionsEnds.length - 1] + 10;
const head = JSON.stringify(stripExtras(toHar(session).log));
const marker = '"entries":[]';
const at = head.indexOf(marker);
write(`{"log":${head.slice(0, at)}"entries":[`);
// Copy the entries in 16 MB slices.
const inFd = openSync(entryFile, 'r');
const buffer = Buffer.alloc(16 * 1024 * 1024);
for (;;) {
  const read = readSync(inFd, buffer, 0, buffer.length, null);
  if (read === 0) break;
  writeSync(fd, buffer, 0, read);
}
closeSync(inFd);
rmSync(entryFile);
write(`]${head.slice(at + marker.length)}}`);
closeSync(fd);
console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB, ${n} connections, ${messageCount} messages${nonLatin1 ? ', non-Latin-1' : ''}${chrome ? ', Chrome-style (no extras)' : ''}`);
