// The CLI with handshakes: per endpoint the handshake's status line and the
// intermediaries its headers identify, above the suspects of each finding.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type AnalysisReport } from '../../src/cli/main';
import { toHar } from '../../src/core/har';
import { sanitizeHeaders } from '../../src/core/headers';
import type { Session } from '../../src/core/model';
import { addConnection, closeAt, failHandshake, send, session, T0 } from './helpers/synth';

const dir = mkdtempSync(join(tmpdir(), 'socketscope-cli-hs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function analyzeFile(s: Session, ...flags: string[]): Promise<string> {
  const file = join(dir, `${s.id}-${flags.join('')}.har`);
  writeFileSync(file, JSON.stringify(toHar(s)));
  let stdout = '';
  const code = await main(['analyze', ...flags, file], { stdout: (text) => void (stdout += text), stderr: () => undefined });
  expect(code).toBe(0);
  return stdout;
}

/** Four sockets cut after 3 s of silence by nginx, each handshake seen (101, Server: nginx/1.22.1), one with a cookie; one not seen; one refused with 404. */
function nginxSession(): Session {
  const s = session();
  for (let i = 0; i < 4; i++) {
    const createdAt = T0 + i * 10_000;
    const connection = addConnection(s, { url: 'ws://127.0.0.1:8080/ws', createdAt });
    send(connection, createdAt + 100, 'hello');
    closeAt(connection, createdAt + 3100 + i);
    connection.handshakeEvidence = 'matched';
    connection.handshake = {
      status: 101,
      statusText: 'Switching Protocols',
      httpVersion: 'HTTP/1.1',
      requestHeaders: sanitizeHeaders([{ name: 'Cookie', value: 'sid=SECRET-COOKIE' }, { name: 'Authorization', value: 'Basic SECRET-AUTH' }]),
      responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }],
      remoteIp: '127.0.0.1',
      startedAt: createdAt + 2,
    };
  }
  const unseen = addConnection(s, { url: 'ws://127.0.0.1:8080/other', createdAt: T0 + 50_000 });
  unseen.handshakeEvidence = 'unmatched';
  const missing = failHandshake(addConnection(s, { url: 'ws://127.0.0.1:8080/missing', createdAt: T0 + 60_000, openDelayMs: null }), T0 + 60_010);
  missing.handshakeEvidence = 'matched';
  missing.handshake = { status: 404, statusText: 'Not Found', httpVersion: 'HTTP/1.1', requestHeaders: [], responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }], startedAt: T0 + 60_001 };
  return s;
}

describe('socketscope analyze: handshakes', () => {
  it('prints the handshake status line and the identified intermediaries per endpoint, above the suspects', async () => {
    const stdout = await analyzeFile(nginxSession());
    const lines = stdout.split('\n');
    expect(lines).toContain('  Handshake:   4 x HTTP/1.1 101 Switching Protocols from 127.0.0.1');
    expect(lines).toContain('  Identified (seen in the handshake): nginx — `server: nginx/1.22.1`');
    expect(lines).toContain('  Handshake:   1 x not seen (webRequest reported no request that fits this socket, e.g. one opened in a worker)');
    expect(lines).toContain('  Handshake:   1 x HTTP/1.1 404 Not Found');
    // The idle-timeout finding: identified first, then what is only suspected.
    const identifiedAt = lines.indexOf('      Identified (seen in the handshake): nginx — `server: nginx/1.22.1`');
    expect(identifiedAt).toBeGreaterThan(0);
    expect(lines[identifiedAt + 1]).toMatch(/^ {8}- nginx: proxy_read_timeout.* \(default 60(\.0)? s\)$/);
    const suspectsAt = lines.findIndex((line) => /^ {6}(Suspected \(not seen in the handshake\)|Suspects):$/.test(line));
    if (suspectsAt >= 0) expect(suspectsAt).toBeGreaterThan(identifiedAt);
    expect(stdout).toMatch(/got HTTP 404 Not Found/);
    expect(stdout).not.toContain('SECRET');
  });

  it('--json carries the same: per connection the handshake line, per endpoint the counts and identified', async () => {
    const stdout = await analyzeFile(nginxSession(), '--json');
    expect(stdout).not.toContain('SECRET');
    const report = JSON.parse(stdout) as AnalysisReport;
    const endpoint = report.endpoints.find((e) => e.url.endsWith('/ws'))!;
    expect(endpoint.handshakes).toEqual([{ line: 'HTTP/1.1 101 Switching Protocols from 127.0.0.1', count: 4 }]);
    expect(endpoint.identified).toEqual([{ name: 'nginx', evidence: 'server: nginx/1.22.1' }]);
    expect(report.connections[0].handshake).toEqual({ evidence: 'matched', status: 101, line: 'HTTP/1.1 101 Switching Protocols from 127.0.0.1' });
    const idle = report.findings.find((f) => f.kind === 'idle-timeout')!;
    expect(idle.identified?.[0]).toMatchObject({ name: 'nginx', evidence: 'server: nginx/1.22.1', knob: expect.stringContaining('proxy_read_timeout') });
  });

  it('prints no handshake line for a file without handshakes', async () => {
    const s = nginxSession();
    for (const connection of s.connections) {
      delete connection.handshake;
      delete connection.handshakeEvidence;
    }
    expect(await analyzeFile(s)).not.toMatch(/Handshake:|Identified/);
  });
});
