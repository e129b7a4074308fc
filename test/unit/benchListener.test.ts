// bench/listener/: the floor plus one counting `message` listener on every socket (docs/performance.md, "What recording
// costs, apart from the listener"). `--baseline=bench/listener` stands for SocketScope's own recording only while it
// declares exactly what the floor declares, and its MAIN-world script adds that one listener and nothing else.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const read = (dir: string, name: string) => readFileSync(join(ROOT, 'bench', dir, name), 'utf8');
const manifest = (dir: string) => {
  const { name: _name, description: _description, ...rest } = JSON.parse(read(dir, 'manifest.json')) as Record<string, unknown>;
  return rest;
};
/** A script's code without its comments and blank lines. */
const code = (text: string) => text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('//')).join('\n');

describe('bench/listener', () => {
  it('declares what bench/floor declares: the same content scripts, worlds, frames, permissions and worker', () => {
    expect(manifest('listener')).toEqual(manifest('floor'));
  });
  it('runs the floor\'s own isolated-world script and worker', () => {
    expect(code(read('listener', 'isolated.js'))).toBe(code(read('floor', 'isolated.js')));
    expect(code(read('listener', 'worker.js'))).toBe(code(read('floor', 'worker.js')));
  });
  it('adds one message listener to every socket, keeps the native constructor\'s instances, and does nothing else', () => {
    const added: [string, unknown][] = [];
    class FakeSocket {
      constructor(readonly url: string) {}
      addEventListener(type: string, listener: unknown) {
        added.push([type, listener]);
      }
    }
    const win = { WebSocket: FakeSocket as unknown };
    new Function('window', read('listener', 'main.js'))(win);
    expect(win.WebSocket).not.toBe(FakeSocket);
    const Wrapped = win.WebSocket as typeof FakeSocket;
    const a = new Wrapped('ws://a');
    const b = new Wrapped('ws://b');
    expect(a).toBeInstanceOf(FakeSocket);
    expect(b.url).toBe('ws://b');
    expect(added.map(([type]) => type)).toEqual(['message', 'message']);
    expect(added[0][1]).toBe(added[1][1]);
    expect(() => (added[0][1] as () => void)()).not.toThrow();
  });
});

// `npm run bench -- --with-floor=bench/listener` runs it as the third browser; the options are checked before any browser starts.
describe('npm run bench --with-floor=DIR', () => {
  const bench = (...options: string[]) => spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), '--no-build', ...options], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  it('refuses a directory without an extension, saying so', () => {
    const run = bench('--with-floor=bench/no-such-extension');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--with-floor=bench/no-such-extension: no manifest.json there');
  });
  it('refuses it beside --floor or --baseline, whose ratios would not be against no extension', () => {
    for (const other of ['--floor', '--baseline=bench/floor']) {
      const run = bench('--with-floor=bench/listener', other);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('not with --floor or --baseline');
    }
  });
});
