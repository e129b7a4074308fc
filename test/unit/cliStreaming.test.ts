// The CLI reads a HAR in chunks (src/cli/main.ts readHar, src/core/har/importStream.ts) and keeps only the
// previews heartbeat recognition reads: the report must be the one reading the whole file gave, and the file
// must never be read whole (docs/decisions.md, 44).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { analyze, CHUNK_BYTES, formatReport, main, readHar } from '../../src/cli/main';
import { jsonForTerminal } from '../../src/cli/escape';
import { fromHar, toHar, type HarLog } from '../../src/core/har';
import type { Session } from '../../src/core/model';
import { addConnection, addMessage, beat, chatter, closeAt, createRng, receive, send, session, T0 } from './helpers/synth';

// Every read of a file, as the CLI does it: how many bytes each readSync asks for, and any whole-file read.
const io = vi.hoisted(() => ({ readSizes: [] as number[], wholeReads: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readSync = ((...args: unknown[]) => {
    const length = args[3];
    io.readSizes.push(typeof length === 'number' ? length : -1);
    return (fs.readSync as (...rest: unknown[]) => number)(...args);
  }) as typeof fs.readSync;
  const readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    io.wholeReads.push(String(args[0]));
    return fs.readFileSync(...args);
  }) as typeof fs.readFileSync;
  const readFile = ((...args: Parameters<typeof fs.readFile>) => {
    io.wholeReads.push(String(args[0]));
    return (fs.readFile as (...rest: unknown[]) => void)(...args);
  }) as typeof fs.readFile;
  return { ...fs, default: { ...fs, readSync, readFileSync, readFile }, readSync, readFileSync, readFile };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((...args: Parameters<typeof fs.readFile>) => {
    io.wholeReads.push(String(args[0]));
    return fs.readFile(...args);
  }) as typeof fs.readFile;
  return { ...fs, default: { ...fs, readFile }, readFile };
});

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** What the CLI printed before it streamed: the whole file decoded, JSON.parse, fromHar with every preview. */
function wholeFileReport(path: string): { text: string[]; json: string } {
  let text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const imported = fromHar(JSON.parse(text) as unknown);
  const report = analyze(imported);
  return { text: formatReport(path, imported.session, report), json: jsonForTerminal({ file: path, ...report }) };
}

function streamedReport(path: string, chunkBytes: number, maxStringLength?: number): { text: string[]; json: string } {
  const imported = readHar(path, { chunkBytes, maxStringLength });
  const report = analyze(imported);
  return { text: formatReport(path, imported.session, report), json: jsonForTerminal({ file: path, ...report }) };
}

/** A session with what the import reads: heartbeats (text and binary), long data beyond Latin-1, binary data, an event stream, truncation. */
function richSession(messagesPerConnection: number): Session {
  const s = session();
  s.name = 'streaming 😀 test';
  s.pageUrl = 'https://app.example/é';
  const rng = createRng(7);
  for (let c = 0; c < 4; c++) {
    const from = T0 + c * 600_000;
    const to = from + 400_000;
    const connection = addConnection(s, { createdAt: from, url: `wss://app.example/live?room=${c % 2}` });
    beat(connection, { from, to, intervalMs: 25_000, direction: 'send', ping: '{"type":"ping"}', pong: '{"type":"pong"}' });
    if (c === 1) beat(connection, { from, to, intervalMs: 30_000, direction: 'send', ping: 'wAA=', pong: '0AA=', opcode: 2 });
    const gap = (to - from) / messagesPerConnection;
    chatter(connection, from, to, gap * 0.5, gap * 1.5, rng);
    for (let i = 0; i < connection.messages.length; i += 7) connection.messages[i].preview += ` — données € 中文 ${'\ud83d\ude00'.repeat(i % 3)}`;
    send(connection, from + 10, 'EAwABE1RVFQEAgA8AAA=', 2);
    receive(connection, from + 20, 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==', 2);
    addMessage(connection, 'receive', from + 30, '{"type":"tick","text":"' + 'long '.repeat(300) + '"}');
    connection.messages[connection.messages.length - 1].truncated = true;
    closeAt(connection, to + 60_000);
  }
  const stream = addConnection(s, { createdAt: T0 + 3_000_000, url: 'https://app.example/events' });
  stream.kind = 'eventsource';
  for (let i = 0; i < 20; i++) {
    receive(stream, T0 + 3_000_000 + i * 15_000, i % 2 ? `{"update":${i},"text":"${'é'.repeat(80)}"}` : '');
    const message = stream.messages[stream.messages.length - 1];
    message.event = i % 2 ? 'update' : 'ping';
    message.lastEventId = String(i);
  }
  closeAt(stream, T0 + 3_400_000);
  return s;
}

let dir: string;
let richHar: string;
let chromeStyleHar: string;
let bigHar: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socketscope-stream-'));
  richHar = join(dir, 'rich.har');
  writeFileSync(richHar, JSON.stringify(toHar(richSession(300))));
  // The same, as another tool would write it: no `_socketscope` extras (the Chrome path of the import).
  const chrome = toHar(richSession(300)) as unknown as { log: Record<string, unknown> & { entries: Record<string, unknown>[] } };
  delete chrome.log._socketscope;
  for (const entry of chrome.log.entries) delete entry._socketscope;
  chromeStyleHar = join(dir, 'chrome-style.har');
  writeFileSync(chromeStyleHar, JSON.stringify(chrome, null, 1));
  // Larger than the CLI's read buffer, so reading it whole would show.
  bigHar = join(dir, 'big.har');
  writeFileSync(bigHar, '\ufeff' + JSON.stringify(toHar(richSession(6000))));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  io.readSizes.length = 0;
  io.wholeReads.length = 0;
});

describe('the CLI reads a HAR in chunks', () => {
  it('prints, byte for byte, the report reading the whole file printed: fixtures, our files, Chrome-style files, any chunk size', () => {
    const files = [fixturePath('nginx-idle-1006.har'), fixturePath('chrome-export.har'), fixturePath('chrome-export-reconnects.har'), richHar, chromeStyleHar];
    for (const file of files) {
      const expected = wholeFileReport(file);
      for (const chunkBytes of [1, 2, 3, 7, 4096, CHUNK_BYTES]) {
        expect(streamedReport(file, chunkBytes), `${file} in ${chunkBytes}-byte chunks`).toEqual(expected);
      }
    }
  });

  it('reads a file larger than its buffer in reads no larger than the buffer, and never reads it whole', async () => {
    const size = readFileSync(bigHar).length;
    expect(size).toBeGreaterThan(2 * CHUNK_BYTES);
    const expected = wholeFileReport(bigHar);
    io.readSizes.length = 0;
    io.wholeReads.length = 0;
    const { code, stdout, stderr } = await run('analyze', bigHar);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(expected.text.join('\n') + '\n');
    expect(io.wholeReads).toEqual([]);
    expect(io.readSizes.length).toBeGreaterThanOrEqual(Math.ceil(size / CHUNK_BYTES));
    expect(Math.max(...io.readSizes)).toBe(CHUNK_BYTES);

    io.readSizes.length = 0;
    expect(streamedReport(bigHar, 4096)).toEqual(expected);
    expect(Math.max(...io.readSizes)).toBe(4096);
    expect(io.wholeReads).toEqual([]);
  });

  it('reads a file far larger than the longest string it may hold (forced to 4 KiB here), as the real limit would be for a 600 MB file', () => {
    expect(readFileSync(bigHar).length).toBeGreaterThan(500 * 4096);
    expect(streamedReport(bigHar, 1000, 4096)).toEqual(wholeFileReport(bigHar));
    // A single string longer than the limit cannot be held: one clear line.
    expect(() => readHar(richHar, { maxStringLength: 1000 })).toThrow(
      new RegExp(`^cannot read ${richHar.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it holds a string longer than 1000 characters, the longest JavaScript can hold, at line 1, column \\d+ \\(byte \\d+\\)\\.$`),
    );
  });

  it('stops with one line, not a fatal error and a stack, when the heap is nearly full, or too small for the messages', () => {
    const full = () => ({ used_heap_size: 950 * 2 ** 20, heap_size_limit: 1000 * 2 ** 20 });
    expect(() => readHar(richHar, { chunkBytes: 4096, heapStatistics: full })).toThrow(
      /needs more memory than node may use here: after 4\.0 KiB of the file, its heap would hold 950\.0 MiB of its 1000\.0 MiB limit\. Give node more \(e\.g\. NODE_OPTIONS=--max-old-space-size=2000\), or export a shorter time range\.$/,
    );
    // The file reads within the heap, but its messages would not fit once built (as a 490 MB file with a 200 MB heap did).
    const messages = JSON.parse(readFileSync(richHar, 'utf8')).log.entries.reduce((sum: number, entry: HarLog['log']['entries'][number]) => sum + entry._webSocketMessages.length + (entry._eventSourceMessages?.length ?? 0), 0) as number;
    const small = () => ({ used_heap_size: 10 * 2 ** 20, heap_size_limit: 11.2 * 2 ** 20 });
    expect(() => readHar(richHar, { heapStatistics: small })).toThrow(
      new RegExp(`needs more memory than node may use here: to hold its ${messages.toLocaleString('en-US')} messages, its heap would hold`),
    );
  });
});

describe('files that are not what they seem, read in chunks as JSON.parse read them whole', () => {
  const write = (name: string, content: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('a truncated file: where it ends', async () => {
    const text = readFileSync(richHar, 'utf8');
    const cut = write('cut.har', text.slice(0, 5000));
    const { code, stdout, stderr } = await run('analyze', cut);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^socketscope: .*cut\.har is not valid JSON, so it is not a HAR file \(unexpected end of the file( inside a string)? at line 1, column \d+ \(byte \d+\)\)\n$/);
  });

  it('a file that is a JSON string holding a HAR is read, as fromHar always accepted (the same report)', async () => {
    const quoted = write('quoted.har', JSON.stringify(readFileSync(fixturePath('nginx-idle-1006.har'), 'utf8')));
    expect(JSON.parse(readFileSync(quoted, 'utf8'))).toEqual(expect.any(String));
    const { code, stdout } = await run('analyze', quoted);
    expect(code).toBe(0);
    expect(stdout).toBe(wholeFileReport(quoted).text.join('\n') + '\n');
  });

  it('nesting a million levels deep: no stack overflow, the plain verdict', async () => {
    const deep = write('deep.har', '['.repeat(1_000_000) + ']'.repeat(1_000_000));
    expect(await run('analyze', deep)).toEqual({
      code: 1,
      stdout: '',
      stderr: `socketscope: ${deep}: This file is not a HAR log: expected a JSON object with a "log" property.\n`,
    });
  });

  it('escapes, surrogate pairs, exponents and a byte order mark read as JSON.parse reads them', async () => {
    const har = JSON.parse(readFileSync(fixturePath('nginx-idle-1006.har'), 'utf8')) as HarLog;
    har.log._socketscope.name = 'caf\u00e9 \ud83d\ude00 \u20ac';
    const escaped = JSON.stringify(har)
      .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .replace(/"startedAt":(\d+)/, (_, ms: string) => `"startedAt":${Number(ms) / 1000}e3`);
    const path = write('escaped.har', '\ufeff' + escaped);
    const { code, stdout } = await run('analyze', path);
    expect(code).toBe(0);
    expect(stdout).toContain('session "café 😀 €"');
    expect(stdout).toBe(wholeFileReport(path).text.join('\n') + '\n');
  });

  it('bytes that are not UTF-8 inside strings become U+FFFD, as node decoding the whole file made them', async () => {
    const text = readFileSync(fixturePath('nginx-idle-1006.har'));
    // Inside the value of the first "name" (the creator's).
    const at = text.indexOf('"', text.indexOf('"name":') + 7) + 1;
    expect(at).toBeGreaterThan(10);
    const damaged = Buffer.concat([text.subarray(0, at), Buffer.from([0xff, 0xe2, 0x82]), text.subarray(at)]);
    const path = write('latin1.har', damaged);
    expect(streamedReport(path, 1)).toEqual(wholeFileReport(path));
    expect(JSON.parse(readFileSync(path, 'utf8')).log.creator.name).toBe('\ufffd\ufffdSocketScope');
  });
});
