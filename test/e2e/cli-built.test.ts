// The built command-line analyzer, run as a user runs it (`npx socketscope`).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, requireFile } from './support/chromium';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'socketscope.mjs');

describe('socketscope analyze (built)', () => {
  it('prints a report and the findings as JSON for a recorded nginx idle timeout', async () => {
    requireFile(join(ROOT, 'dist', 'cli', 'socketscope.mjs'), 'build it first with `npm run build`.');
    const fixture = join(ROOT, 'test', 'fixtures', 'nginx-idle-1006.har');
    const report = await run('npx', ['--no-install', 'socketscope', 'analyze', fixture], { cwd: ROOT });
    expect(report.stdout).toMatch(/idle-timeout/);
    const json = await run(process.execPath, [BIN, 'analyze', fixture, '--json'], { cwd: ROOT });
    const parsed = JSON.parse(json.stdout) as { findings: { kind: string; periodMs?: number }[] };
    const idle = parsed.findings.find((f) => f.kind === 'idle-timeout');
    expect(idle?.periodMs).toBeGreaterThan(2500);
    expect(idle?.periodMs).toBeLessThan(3500);
  });

  it('fails with one clear line for a missing file', async () => {
    const failure = await run(process.execPath, [BIN, 'analyze', join(ROOT, 'no-such-file.har')]).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(1);
    expect((failure as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
