import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { main, USAGE } from '../../src/cli/main';
import { escapeTerminal, jsonForTerminal } from '../../src/cli/escape';
import { toHar } from '../../src/core/har';
import type { Session } from '../../src/core/model';

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
