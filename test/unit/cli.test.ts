import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyze, formatReport, main, MAX_DATE_MS, outOfRangeTime, USAGE } from '../../src/cli/main';
import { escapeTerminal, jsonForTerminal } from '../../src/cli/escape';
import { toHar, type HarLog } from '../../src/core/har';
import type { Session } from '../../src/core/model';
import { addConnection, closeAt, send, session, T0 } from './helpers/synth';

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...args: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

let dir: string;
let nginxHar: string;
let chromeHar: string;

beforeAll(() => {
  // Work on copies in a temp dir, as a user would on their own file.
  dir = mkdtempSync(join(tmpdir(), 'socketscope-cli-'));
  nginxHar = join(dir, 'nginx idle.har');
  chromeHar = join(dir, 'chrome.har');
  copyFileSync(fixturePath('nginx-idle-1006.har'), nginxHar);
  copyFileSync(fixturePath('chrome-export.har'), chromeHar);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('socketscope analyze', () => {
  it('prints a report per endpoint with the idle-timeout finding', async () => {
    const { code, stdout, stderr } = await run('analyze', nginxHar);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`SocketScope analysis of ${nginxHar}`);
    expect(stdout).toContain('wss://app.example.test/live?token=REDACTED');
    expect(stdout).toContain('Connections: 4 (a reconnect chain)');
    expect(stdout).toMatch(/Lifetimes: +min .* median .* max /);
    expect(stdout).toContain('4 x 1006 Abnormal Closure (4 no close frame)');
    expect(stdout).toMatch(/Silence before close: min 3\.00 s, median 3\.00 s, max 3\.01 s/);
    expect(stdout).toMatch(/\[idle-timeout, finding, confidence \d+%\]/);
    expect(stdout).toContain('Fix: ');
  });

  it('--json prints findings and connection summaries', async () => {
    const { code, stdout } = await run('analyze', '--json', nginxHar);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      source: string;
      findings: Array<{ kind: string; connections: string[]; periodMs?: number }>;
      connections: Array<{ id: string; close?: { code: number; initiator: string }; idleBeforeCloseMs?: number }>;
      endpoints: Array<{ connectionIds: string[]; findingIndices: number[] }>;
    };
    expect(report.source).toBe('socketscope-har');
    expect(report.connections.map((c) => c.id)).toEqual(['doc1-1', 'doc1-2', 'doc1-3', 'doc1-4']);
    expect(report.connections.every((c) => c.close?.code === 1006 && c.close.initiator === 'abnormal')).toBe(true);
    const idle = report.findings.find((finding) => finding.kind === 'idle-timeout');
    expect(idle).toBeDefined();
    expect(idle?.periodMs).toBeGreaterThan(2900);
    expect(idle?.periodMs).toBeLessThan(3100);
    expect(report.endpoints).toHaveLength(1);
    expect(report.endpoints[0].findingIndices).toContain(report.findings.indexOf(idle!));
  });

  it('reads a Chrome DevTools HAR and says close info is unknown', async () => {
    const { code, stdout } = await run('analyze', chromeHar);
    expect(code).toBe(0);
    expect(stdout).toContain('HAR from Chrome DevTools');
    expect(stdout).toMatch(/Note: .*no close codes/);
    expect(stdout).toContain('wss://chat.example.test/socket?room=42');
    expect(stdout).toContain('wss://stream.example.test/ticks');
    expect(stdout).toContain('closed, code unknown');
  });

  it('fails with one clear line for a missing file', async () => {
    const missing = join(dir, 'nope.har');
    const { code, stdout, stderr } = await run('analyze', missing);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`socketscope: cannot read ${missing}: no such file\n`);
  });

  it('fails with one clear line for invalid JSON, not a stack', async () => {
    const broken = join(dir, 'broken.har');
    writeFileSync(broken, '{"log": {"entries": [');
    const { code, stderr } = await run('analyze', broken);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^socketscope: .*broken\.har is not valid JSON, so it is not a HAR file \(.+\)\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('fails clearly for JSON that is not a HAR, an empty file, a HAR without sockets, and a directory', async () => {
    const notHar = join(dir, 'package.json');
    writeFileSync(notHar, '{"name": "x"}');
    expect(await run('analyze', notHar)).toMatchObject({ code: 1, stderr: `socketscope: ${notHar}: This file is not a HAR log: it has no "log" object.\n` });

    const empty = join(dir, 'empty.har');
    writeFileSync(empty, '');
    expect((await run('analyze', empty)).stderr).toBe(`socketscope: ${empty} is empty: it is not a HAR file\n`);

    const noSockets = join(dir, 'xhr-only.har');
    writeFileSync(noSockets, JSON.stringify({ log: { version: '1.2', entries: [{ _resourceType: 'xhr', request: { url: 'https://x.test/' } }] } }));
    const result = await run('analyze', noSockets);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No WebSocket entries in this HAR/);

    expect(await run('analyze', dir)).toMatchObject({ code: 1, stderr: `socketscope: ${dir} is a directory, not a HAR file\n` });
  });

  it('accepts a file with a UTF-8 byte order mark', async () => {
    const withBom = join(dir, 'bom.har');
    writeFileSync(withBom, '\uFEFF' + JSON.stringify({ log: { entries: [] } }));
    // It parses (the BOM is skipped); the complaint is about the content, not the JSON.
    expect((await run('analyze', withBom)).stderr).toMatch(/No WebSocket entries/);
  });
});

describe('the summary reads the one analysis (src/core/facts.ts)', () => {
  // Where the CLI's own definitions disagreed with the facts, the facts win; each case below used to read differently.
  const report = (s: Session) => analyze({ session: s, source: 'socketscope-har', warnings: [] });

  it('a page giving up on a pending handshake is neither a failed handshake nor still open', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: null });
    closeAt(c, T0 + 30, 'page', 1000);
    const [summary] = report(s).connections;
    expect(summary).toMatchObject({ handshakeFailed: false, stillOpen: false });
    expect(report(s).endpoints[0]).toMatchObject({ handshakeFailures: 0, stillOpen: 0 });
  });

  it('an opened socket with an error event but no close event yet is still open (the CLI said closed)', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    send(c, T0 + 100, 'hi');
    c.errorAt = T0 + 5000;
    const result = report(s);
    expect(result.connections[0]).toMatchObject({ stillOpen: true, handshakeFailed: false });
    expect(result.connections[0].lifetimeMs).toBeUndefined();
    expect(formatReport('x.har', s, result).join('\n')).toContain('Closes:      1 open at the end of the recording');
  });

  it('a close record without a close event time ends the connection at the close time (the CLI said still open)', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    send(c, T0 + 1050, 'last');
    closeAt(c, T0 + 9050, 'server', 1001);
    delete c.closedAt;
    const result = report(s);
    expect(result.connections[0]).toMatchObject({ stillOpen: false, lifetimeMs: 9000, idleBeforeCloseMs: 8000 });
    expect(result.endpoints[0].stillOpen).toBe(0);
  });

  it('a failed handshake that only reported an error has a lifetime from creation to the error', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0, openDelayMs: null });
    c.errorAt = T0 + 70;
    const result = report(s);
    expect(result.connections[0]).toMatchObject({ handshakeFailed: true, stillOpen: false, lifetimeMs: 70 });
    expect(result.connections[0].idleBeforeCloseMs).toBeUndefined();
    expect(formatReport('x.har', s, result).join('\n')).toContain('Lifetimes:   70 ms');
  });

  it('counts "closed, code unknown" from the close severity', () => {
    const s = session();
    const c = addConnection(s, { createdAt: T0 });
    c.closedAt = T0 + 3000;
    expect(report(s).endpoints[0].closesUnknown).toBe(1);
  });
});

describe('limits', () => {
  it('refuses a time outside the Date range with one line naming the field and value (was "internal error")', async () => {
    const har = JSON.parse(readFileSync(nginxHar, 'utf8')) as HarLog;
    har.log.entries[1]._socketscope.createdAt = 1e20;
    const badConnection = join(dir, 'bad-created.har');
    writeFileSync(badConnection, JSON.stringify(har));
    expect(await run('analyze', badConnection)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `socketscope: ${badConnection}: connection "doc1-2": createdAt is 100000000000000000000 ms, outside the range of JavaScript dates ` +
        '(±8.64e15 ms around 1970): the file is damaged or was edited. Fix or remove that value.\n',
    });

    const again = JSON.parse(readFileSync(nginxHar, 'utf8')) as HarLog;
    again.log.entries[0]._socketscope.timesMs[2] = -9e15;
    const badMessage = join(dir, 'bad-message.har');
    writeFileSync(badMessage, JSON.stringify(again));
    const result = await run('analyze', '--json', badMessage);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^socketscope: .*bad-message\.har: connection "doc1-1": message \d+ time is -9000000000000000 ms, outside the range of JavaScript dates/);
  });

  it('accepts the extreme times a Date can still hold', () => {
    const s = session();
    s.startedAt = -MAX_DATE_MS;
    addConnection(s, { createdAt: MAX_DATE_MS - 100 });
    expect(outOfRangeTime(s)).toBeUndefined();
    s.connections[0].closedAt = MAX_DATE_MS + 1;
    expect(outOfRangeTime(s)).toEqual({ where: `connection "${s.connections[0].id}": `, field: 'closedAt', value: MAX_DATE_MS + 1 });
    s.connections[0].closedAt = NaN;
    expect(outOfRangeTime(s)?.field).toBe('closedAt');
  });

  it('no longer refuses a file for being larger than a string can hold: it is read in chunks, and judged by its content', async () => {
    // A sparse file: 600 MB by stat(), zero bytes inside, without writing them. It used to be refused for its size (512 MiB).
    const huge = join(dir, 'huge.har');
    writeFileSync(huge, '');
    truncateSync(huge, 600 * 1024 * 1024);
    const { code, stderr } = await run('analyze', huge);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `socketscope: ${huge} is not valid JSON, so it is not a HAR file (unexpected byte 0x00, expected a JSON value at line 1, column 1 (byte 0))\n`,
    );
    rmSync(huge);
  });
});

describe('usage', () => {
  it.each([[['--help']], [['-h']], [['help']], [['analyze', '--help']]])('%j prints the usage and exits 0', async (args) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(0);
    expect(stdout).toBe(USAGE);
    expect(stderr).toBe('');
  });

  it.each([
    [[], 'missing command'],
    [['analyse', 'x.har'], 'unknown command "analyse"'],
    [['analyze'], 'analyze needs a FILE'],
    [['analyze', 'a.har', 'b.har'], 'analyze takes one FILE, got 2'],
    [['analyze', '--yaml', 'a.har'], 'unknown option --yaml'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`socketscope: ${message}\n\n${USAGE}`);
  });
});

describe('terminal safety (control characters from the file)', () => {
  const OSC = '\x1b]0;pwned\x07';
  const FORGED = '\r\nFINDING: fake';
  const BIDI = '\u202egnp.exe\u2028';

  function craftedHar(): string {
    const T0 = 1_762_164_900_000;
    const url = `wss://evil.test/live${OSC}${FORGED}`;
    const session: Session = {
      id: 's',
      name: `name${OSC}${FORGED}`,
      pageUrl: `https://evil.test/${BIDI}${OSC}`,
      startedAt: T0,
      endedAt: T0 + 60_000,
      connections: [0, 1, 2].map((i) => ({
        id: `c${i}${OSC}`,
        frameUrl: 'https://evil.test/',
        url,
        protocols: [],
        createdAt: T0 + i * 10_000,
        openedAt: T0 + i * 10_000 + 5,
        closedAt: T0 + i * 10_000 + 3005,
        close: { time: T0 + i * 10_000 + 3005, code: 4000, reason: `reason${OSC}${FORGED}\x9b31m${BIDI}\x7f`, wasClean: true, initiator: 'server' as const },
        messages: [],
      })),
      pageEvents: [],
      notes: [],
      dropped: { messages: 0, previews: 0, rejected: 0 },
    };
    return JSON.stringify(toHar(session));
  }

  /** Nothing a terminal would act on: C0 except the line ends, DEL, C1, separators, bidi controls. */
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('escapes ESC/OSC/BEL, CR/LF, C1, DEL and bidi controls in the text report, so no line can be forged', async () => {
    const file = join(dir, 'crafted.har');
    writeFileSync(file, craftedHar());
    const { code, stdout, stderr } = await run('analyze', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toMatch(UNSAFE);
    expect(stdout).toContain('\\x1b]0;pwned\\x07');
    expect(stdout).toContain('\\r\\nFINDING: fake');
    // The forged text never starts a line of its own.
    expect(stdout.split('\n').filter((line) => line.startsWith('FINDING'))).toEqual([]);
    expect(stdout).toContain('\\u202egnp.exe\\u2028');
  });

  it('keeps --json parseable and free of raw separators and bidi controls, with the same values', async () => {
    const file = join(dir, 'crafted.har');
    writeFileSync(file, craftedHar());
    const { code, stdout } = await run('analyze', '--json', file);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(UNSAFE);
    const report = JSON.parse(stdout) as { connections: Array<{ url: string; close: { reason: string } }> };
    expect(report.connections[0].close.reason).toBe(`reason${OSC}${FORGED}\x9b31m${BIDI}\x7f`);
  });

  it('does not echo raw file bytes in a parse error', async () => {
    const file = join(dir, 'escape-bytes.har');
    writeFileSync(file, `\x1b]0;pwned\x07\r\nFINDING: fake \u202e`);
    const { code, stderr } = await run('analyze', file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is not valid JSON/);
    expect(stderr).not.toMatch(UNSAFE);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr.endsWith('\n')).toBe(true);
  });
});

describe('escapeTerminal', () => {
  it.each([
    ['\x1b[31mred', '\\x1b[31mred'],
    ['a\r\nb', 'a\\r\\nb'],
    ['tab\there', 'tab\\there'],
    ['\x00\x7f\x85\x9b', '\\x00\\x7f\\x85\\x9b'],
    ['\u2028\u2029', '\\u2028\\u2029'],
    ['\u202a\u202e\u2066\u2069\u200f\u061c', '\\u202a\\u202e\\u2066\\u2069\\u200f\\u061c'],
    ['plain é 日本 C:\\path', 'plain é 日本 C:\\path'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeTerminal(input)).toBe(expected);
  });

  it('jsonForTerminal keeps the value', () => {
    const value = { s: '\x1b\u2028\u202e\x7f\x85' };
    const json = jsonForTerminal(value);
    expect(json).not.toMatch(/[\u007f-\u009f\u2028\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
