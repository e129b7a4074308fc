import { afterAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, listFiles, readZip, writeZip, zipDirectory } from '../../scripts/lib/zip.mjs';

// scripts/lib/zip.mjs writes the Chrome package where the `zip` command is missing, and reads back every package to check it.
describe('scripts/lib/zip.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketscope-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('CRC-32 of the check string', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('round trip, and Info-ZIP unzip reads the archive', () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const entries = [
      { name: 'manifest.json', data: new TextEncoder().encode('{"version":"1.2.3"}\n'.repeat(20)) },
      { name: 'assets/empty.txt', data: new Uint8Array() },
      { name: 'assets/random.bin', data: random },
      { name: 'src/é.html', data: new TextEncoder().encode('<p>é</p>') },
    ];
    const path = join(dir, 'round.zip');
    writeZip(path, entries);
    const archive = readZip(path);
    expect(archive.names).toEqual(entries.map((entry) => entry.name));
    for (const entry of entries) expect(new Uint8Array(archive.read(entry.name))).toEqual(entry.data);
    expect(execFileSync('unzip', ['-tq', path]).toString()).toMatch(/No errors detected/);
    expect(execFileSync('unzip', ['-p', path, 'manifest.json']).toString()).toBe('{"version":"1.2.3"}\n'.repeat(20));
  });

  test('a directory: hidden files left out, paths relative with forward slashes; a corrupt archive is refused', () => {
    const source = join(dir, 'ext');
    mkdirSync(join(source, 'assets'), { recursive: true });
    mkdirSync(join(source, '.vite'), { recursive: true });
    writeFileSync(join(source, 'manifest.json'), '{}');
    writeFileSync(join(source, 'assets', 'a.js'), 'x');
    writeFileSync(join(source, '.vite', 'manifest.json'), '{}');
    expect(listFiles(source)).toEqual(['assets/a.js', 'manifest.json']);
    const path = join(dir, 'ext.zip');
    zipDirectory(source, path);
    expect(readZip(path).names).toEqual(['assets/a.js', 'manifest.json']);
    writeFileSync(join(dir, 'bad.zip'), 'not a zip');
    expect(() => readZip(join(dir, 'bad.zip'))).toThrow(/not a ZIP file/);
  });
});
