// The floor extension as Firefox installs it (bench/lib/firefox.mjs), for `npm run bench:firefox-startup`: the same
// declarations as the Chromium floor, so that Firefox's floor stands for SocketScope's as Chromium's does.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firefoxFloor, firefoxManifestOf } from '../../bench/lib/firefox.mjs';

const ROOT = join(__dirname, '..', '..');
const floor = JSON.parse(readFileSync(join(ROOT, 'bench', 'floor', 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('firefoxManifestOf', () => {
  it('keeps the content scripts and permissions, and runs the worker as an event page with an add-on id', () => {
    const manifest = firefoxManifestOf(floor);
    expect(manifest.content_scripts).toEqual(floor.content_scripts);
    expect(manifest.permissions).toEqual(floor.permissions);
    expect(manifest.host_permissions).toEqual(floor.host_permissions);
    expect(manifest.background).toEqual({ scripts: ['worker.js'] });
    expect((manifest.browser_specific_settings as { gecko: { id: string } }).gecko.id).toMatch(/@/);
  });
  it('declares what SocketScope declares (one manifest.json for both browsers): its two content scripts, the same worlds and frames', () => {
    const ours = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as { content_scripts: Record<string, unknown>[]; permissions: string[] };
    const shape = (scripts: Record<string, unknown>[]) => scripts.map(({ js: _js, ...rest }) => rest);
    expect(shape(firefoxManifestOf(floor).content_scripts as Record<string, unknown>[])).toEqual(shape(ours.content_scripts));
  });
  it('refuses a manifest without a worker to carry over', () => {
    expect(() => firefoxManifestOf({ manifest_version: 3 })).toThrow(/service_worker/);
  });
  it('writes a copy Firefox can install: the manifest and every script it names', () => {
    const dir = firefoxFloor(join(ROOT, 'bench', 'floor'));
    try {
      const written = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { background: { scripts: string[] }; content_scripts: { js: string[] }[] };
      for (const name of [...written.background.scripts, ...written.content_scripts.flatMap((s) => s.js)]) {
        expect(readFileSync(join(dir, name), 'utf8')).toBe(readFileSync(join(ROOT, 'bench', 'floor', name), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
