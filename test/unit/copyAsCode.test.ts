import { afterAll, describe, expect, test } from 'vitest';
import { execFileSync, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { copyAsCode, shellWord, type CopyMessage } from '../../src/core/copyAsCode';

const HOSTILE = `it's "quoted" \`back\` \${globalThis.pwned = 1} $(touch PWNED) \`touch PWNED\` \\ \n second line\r\n \u2028 \u2029 </script> '; globalThis.pwned = 2; '`;
const BINARY = Uint8Array.from([0, 1, 2, 0xfe, 0xff, 0x27, 0x22]);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function text(index: number, preview: string, extra: Partial<CopyMessage> = {}): CopyMessage {
  return { index, opcode: 1, preview, truncated: false, ...extra };
}
function binary(index: number, bytes: Uint8Array): CopyMessage {
  return { index, opcode: 2, preview: base64(bytes), truncated: false };
}

const connection = { url: 'wss://chat.example.com/socket?room=1', protocols: ['chat.v2', 'json'], frameUrl: 'https://app.example.com/page?x=1' };
const messages = [text(0, 'hello'), binary(1, BINARY), text(2, HOSTILE), text(3, '{"a":1}')];

interface FakeSocket {
  url: string;
  protocols: string[];
  sent: unknown[];
  listeners: Record<string, ((event: unknown) => void)[]>;
  binaryType?: string;
}

/** Runs the browser snippet with a stand-in WebSocket; returns what it opened and sent. */
function runBrowserSnippet(code: string): FakeSocket {
  const sockets: FakeSocket[] = [];
  class FakeWebSocket implements FakeSocket {
    sent: unknown[] = [];
    listeners: Record<string, ((event: unknown) => void)[]> = {};
    binaryType?: string;
    constructor(
      public url: string,
      public protocols: string[],
    ) {
      sockets.push(this);
    }
    addEventListener(type: string, listener: (event: unknown) => void) {
      (this.listeners[type] ??= []).push(listener);
    }
    send(data: unknown) {
      this.sent.push(data);
    }
  }
  const quietConsole = { log: () => undefined };
  new Function('WebSocket', 'atob', 'console', code)(FakeWebSocket, atob, quietConsole);
  expect(sockets).toHaveLength(1);
  for (const listener of sockets[0].listeners.open ?? []) listener({});
  return sockets[0];
}

describe('browser JavaScript', () => {
  test('opens the URL with the sub-protocols and sends text and binary in order; a hostile payload stays a string', () => {
    const { code, skipped, redacted } = copyAsCode('browser', connection, messages);
    expect(skipped).toEqual([]);
    expect(redacted).toBe(false);
    const socket = runBrowserSnippet(code);
    expect(socket.url).toBe(connection.url);
    expect(socket.protocols).toEqual(connection.protocols);
    expect(socket.binaryType).toBe('arraybuffer');
    expect(socket.sent).toEqual(['hello', BINARY, HOSTILE, '{"a":1}']);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    // Page data never lands in a comment, where U+2028 would end the line.
    for (const line of code.split('\n').filter((l) => l.trim().startsWith('//'))) expect(line).not.toContain('example.com');
  });

  test('no sub-protocols, no messages', () => {
    const socket = runBrowserSnippet(copyAsCode('browser', { url: 'ws://localhost:1/x', protocols: [] }, []).code);
    expect(socket.protocols).toEqual([]);
    expect(socket.sent).toEqual([]);
  });
});

describe('websocat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketscope-websocat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the command line in bash with `websocat` replaced by a function that records its arguments and standard input. */
  function runWebsocat(command: string): { args: string[]; stdin: Buffer } {
    execFileSync('bash', ['-n', '-c', command]);
    const stub = `websocat() { printf '%s\\0' "$@" > args; cat > stdin; }\n`;
    execFileSync('bash', ['-c', stub + command], { cwd: dir });
    return { args: readFileSync(join(dir, 'args'), 'utf8').split('\0').slice(0, -1), stdin: readFileSync(join(dir, 'stdin')) };
  }

  test('one line per message, text and binary prefixed, NUL-separated when a text has a line break; nothing expands', () => {
    const { code } = copyAsCode('websocat', connection, messages);
    const command = code.split('\n').filter((line) => line && !line.startsWith('#')).join('\n');
    const { args, stdin } = runWebsocat(command);
    expect(args).toEqual(['-n', '-0', '--text-prefix', 'T:', '--binary-prefix', 'B:', '--base64', '--protocol', 'chat.v2, json', '--origin', 'https://app.example.com', connection.url]);
    expect(stdin.toString('utf8').split('\0')).toEqual(['T:hello', `B:${base64(BINARY)}`, `T:${HOSTILE}`, 'T:{"a":1}', '']);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });

  test('newline-separated lines when no text has a line break; a plain command without messages', () => {
    const { code } = copyAsCode('websocat', { url: "ws://h/it's", protocols: [] }, [text(0, 'a b'), text(1, "it's $HOME")]);
    const { args, stdin } = runWebsocat(code);
    expect(args).toEqual(['-n', '--text-prefix', 'T:', '--binary-prefix', 'B:', '--base64', "ws://h/it's"]);
    expect(stdin.toString('utf8')).toBe("T:a b\nT:it's $HOME\n");
    const bare = copyAsCode('websocat', { url: 'ws://h/', protocols: ['p'] }, []).code;
    expect(runWebsocat(bare).args).toEqual(['--protocol', 'p', 'ws://h/']);
  });

  test('shellWord quotes anything into one word', () => {
    for (const word of [HOSTILE, "'", "''", '', '-n', '$(id)', '!!', '\\']) {
      expect(execFileSync('bash', ['-c', `printf '%s' ${shellWord(word)}`]).toString('utf8')).toBe(word);
    }
  });

  test('a text with NUL cannot be a shell argument: left out and said', () => {
    const result = copyAsCode('websocat', connection, [text(7, 'a\0b'), text(8, 'ok')]);
    expect(result.code).toContain('# Left out: #7');
    expect(runWebsocat(result.code).stdin.toString('utf8')).toBe('T:ok\n');
  });
});

describe('Node (ws)', () => {
  test('the snippet runs under node against a real ws server: same path, sub-protocol, origin, messages and types', async () => {
    const received: { data: string; isBinary: boolean }[] = [];
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => [...protocols][0] ?? false });
    let request: { url?: string; protocol?: string; origin?: string } = {};
    server.on('connection', (socket, upgrade) => {
      request = { url: upgrade.url, protocol: upgrade.headers['sec-websocket-protocol'], origin: upgrade.headers.origin };
      socket.on('message', (data, isBinary) => {
        received.push({ data: isBinary ? base64(new Uint8Array(data as Buffer)) : (data as Buffer).toString('utf8'), isBinary });
        if (received.length === messages.length) socket.close(1000, 'done');
      });
    });
    await new Promise<void>((done) => server.once('listening', () => done()));
    const { port } = server.address() as AddressInfo;
    try {
      const { code } = copyAsCode('node', { ...connection, url: `ws://127.0.0.1:${port}/socket?room=1` }, messages);
      // Inside the repository, so that `import "ws"` resolves from its node_modules.
      const dir = resolve('test-results', `copy-as-code-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'snippet.mjs');
      writeFileSync(file, code);
      const output = await new Promise<string>((done, fail) =>
        execFile(process.execPath, [file], { timeout: 20_000 }, (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout))),
      ).finally(() => rmSync(dir, { recursive: true, force: true }));
      expect(output).toContain('closed 1000 done');
    } finally {
      server.close();
    }
    expect(request).toEqual({ url: '/socket?room=1', protocol: 'chat.v2,json', origin: 'https://app.example.com' });
    expect(received).toEqual([
      { data: 'hello', isBinary: false },
      { data: base64(BINARY), isBinary: true },
      { data: HOSTILE, isBinary: false },
      { data: '{"a":1}', isBinary: false },
    ]);
  });
});

describe('redaction and what cannot be replayed', () => {
  const secretConnection = {
    url: 'wss://api.example.com/ws?token=abc123secret&room=7',
    protocols: ['access_token', 'tok_9f8e7d6c5b4a39281726354433221100'],
  };
  const secretMessages = [text(0, '{"type":"auth","password":"hunter2","room":7}'), text(1, 'Authorization: Bearer abcdefghijkl123'), binary(2, BINARY)];

  test.each(['browser', 'node', 'websocat'] as const)('%s: secrets in the URL, sub-protocols and text payloads are redacted; binary is kept', (flavor) => {
    const result = copyAsCode(flavor, secretConnection, secretMessages, { redact: { keys: ['room'] } });
    expect(result.redacted).toBe(true);
    for (const secret of ['abc123secret', 'tok_9f8e7d6c5b4a39281726354433221100', 'hunter2', 'abcdefghijkl123']) expect(result.code).not.toContain(secret);
    expect(result.code).toContain('[REDACTED]');
    expect(result.code).toContain('Secrets were replaced by [REDACTED]');
    expect(result.code).toContain(base64(BINARY));
    // The user's own key (`room`) is redacted too.
    expect(result.code).not.toContain('"room":7');
    const plain = copyAsCode(flavor, secretConnection, secretMessages);
    expect(plain.redacted).toBe(false);
    expect(plain.code).toContain('hunter2');
  });

  test('redact: true uses the default rules', () => {
    const socket = runBrowserSnippet(copyAsCode('browser', secretConnection, secretMessages, { redact: true }).code);
    expect(socket.url).toBe('wss://api.example.com/ws?token=[REDACTED]&room=7');
    expect(socket.protocols).toEqual(['access_token', '[REDACTED]']);
    expect(socket.sent[0]).toBe('{"type":"auth","password":"[REDACTED]","room":7}');
  });

  test('truncated and evicted previews are left out and listed', () => {
    const result = copyAsCode('browser', connection, [text(0, 'a'), text(1, 'partial', { truncated: true }), text(2, '', { evicted: true }), text(3, 'b')]);
    expect(result.skipped.map((skip) => skip.index)).toEqual([1, 2]);
    expect(result.code).toContain('// Left out: #1, #2');
    expect(runBrowserSnippet(result.code).sent).toEqual(['a', 'b']);
  });
});
