// The QA workflow's files: buildExport (HAR / JSON / CSV with options) read
// back by fromHar, and Chrome DevTools' own HAR exports read by the viewer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { buildExport, exportFileName, findingsFor, sliceSession } from '../../src/core/exportFile';
import { CHROME_HAR_WARNING, fromHar, type HarLog } from '../../src/core/har';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { diagnose } from '../../src/core/diagnosis';
import { connectionAgeMs, connectionState } from '../../src/core/facts';
import type { Session } from '../../src/core/model';
import { buildNginxIdleSession, NGINX_IDLE_START_MS } from '../fixtures/nginxIdleSession';

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** The nginx fixture as a tester would record it: named, with a note and a reload in the middle. */
function recordedSession(): Session {
  const session = annotateHeartbeats(buildNginxIdleSession());
  session.name = 'Dashboard drops';
  session.notes.push({ id: 'qa-note', time: session.connections[1].createdAt + 100, text: 'clicked "Refresh", saw the spinner' });
  session.notes.sort((a, b) => a.time - b.time);
  session.pageEvents.push({ type: 'navigation', time: NGINX_IDLE_START_MS + 6000, detail: 'https://app.example.test/dashboard', frameId: 0 });
  session.pageEvents.sort((a, b) => a.time - b.time);
  return session;
}

describe('HAR round trip through buildExport → fromHar', () => {
  it('gives back the same session and the same findings', () => {
    const session = recordedSession();
    const findings = findingsFor(session);
    expect(findings[0].kind).toBe('idle-timeout');
    const file = buildExport(session, { format: 'har', creator: { name: 'SocketScope', version: 'test' } });
    const imported = fromHar(file.text);
    expect(imported.source).toBe('socketscope-har');
    expect(imported.warnings).toEqual([]);
    expect(imported.session).toEqual({ ...session, source: 'socketscope-har' });
    // The findings saved in the file, and the findings of the imported session, are those of the original.
    expect(imported.findings).toEqual(findings);
    expect(diagnose(annotateHeartbeats(imported.session))).toEqual(findings);
    expect(imported.session.notes.find((n) => n.id === 'qa-note')?.text).toBe('clicked "Refresh", saw the spinner');
  });

  it('limits the export to the recorded range and says so', () => {
    const session = recordedSession();
    const from = session.connections[1].createdAt - 10;
    const to = session.connections[2].closedAt! + 10;
    const file = buildExport(session, { format: 'har', from, to });
    const har = JSON.parse(file.text) as HarLog;
    expect(har.log.entries.map((e) => e._socketscope.id)).toEqual([session.connections[1].id, session.connections[2].id]);
    expect(har.log._socketscope.range).toEqual({ fromMs: from, toMs: to });
    const imported = fromHar(file.text);
    expect(imported.session.connections).toEqual(sliceSession(session, { from, to }).connections);
    expect(imported.session.notes).toEqual(session.notes.filter((n) => n.time >= from && n.time <= to));
    expect(imported.session.notes.map((n) => n.id)).toContain('qa-note');
  });

  it('can leave heartbeats out', () => {
    const session = recordedSession();
    session.connections[0].messages[1].heartbeat = 'pong';
    const har = JSON.parse(buildExport(session, { format: 'har', includeHeartbeats: false }).text) as HarLog;
    expect(har.log._socketscope.heartbeatsIncluded).toBe(false);
  });
});

describe('JSON and CSV exports', () => {
  it('writes the session JSON with findings', () => {
    const session = recordedSession();
    const file = buildExport(session, { format: 'json' }, new Date(Date.UTC(2025, 10, 3, 10, 0, 0)));
    expect(file.fileName).toBe('socketscope-app.example.test-Dashboard_drops-2025-11-03T10-00-00.json');
    const document = JSON.parse(file.text) as { format: string; session: Session; findings: unknown[] };
    expect(document.format).toBe('socketscope-session');
    expect(document.session.connections.length).toBe(4);
    expect(document.findings.length).toBeGreaterThan(0);
  });

  it('writes an RFC 4180 CSV with a UTF-8 BOM for spreadsheets', () => {
    const session = recordedSession();
    const message = session.connections[0].messages[0];
    message.preview = 'a,"quoted"\r\nnext line ✓';
    const file = buildExport(session, { format: 'csv' });
    expect(file.mimeType).toMatch(/^text\/csv/);
    expect(file.text.startsWith('\uFEFFconnection id,url,index,direction,time,opcode,size,heartbeat,truncated,preview\r\n')).toBe(true);
    expect(file.text).toContain(',"a,""quoted""\r\nnext line ✓"\r\n');
    const rows = file.text.split('\r\n').filter((line) => line.startsWith(session.connections[0].id));
    // One row per message; the quoted CRLF continues a row instead of starting one.
    expect(rows.length).toBe(session.connections[0].messages.length);
    expect(file.text.split('\r\n')).toContain('next line ✓"');
  });

  it('names files after the page host and session name', () => {
    expect(exportFileName({ ...recordedSession(), name: '  QA: login / logout  ' }, 'har', { now: new Date(0) })).toBe(
      'socketscope-app.example.test-QA_login_logout-1970-01-01T00-00-00.har',
    );
  });
});

describe('Chrome DevTools HAR exports', () => {
  it('reads a reconnecting ticker with binary frames (Chrome has no close information)', () => {
    const imported = fromHar(readFileSync(fixturePath('chrome-export-reconnects.har'), 'utf8'));
    expect(imported.source).toBe('chrome-har');
    expect(imported.warnings).toContain(CHROME_HAR_WARNING);
    const { connections } = imported.session;
    expect(connections.map((c) => c.url)).toEqual(Array(3).fill('wss://ticker.example.test/stream'));
    for (const [n, connection] of connections.entries()) {
      expect(connection.close).toBeUndefined();
      expect(connection.openedAt).toBeGreaterThan(connection.createdAt);
      expect(connection.extensions).toBe('permessage-deflate');
      const binary = connection.messages[2];
      expect(binary).toMatchObject({ opcode: 2, size: 6, direction: 'receive' });
      expect(Buffer.from(binary.preview, 'base64')).toEqual(Buffer.from([0x01, 0x00, 0xff, 0x10, 0x80, n]));
      // Lifetimes come from the entry duration: the last message plus ~3 s of silence.
      expect(connection.closedAt! - binary.time).toBeGreaterThan(2900);
      expect(connection.closedAt! - binary.time).toBeLessThan(3100);
    }
    // No close codes: no drop cause can be claimed, and none is invented.
    expect(findingsFor(imported.session)).toEqual([]);
  });

  it('survives a re-export by SocketScope and still says its close information is unknown', () => {
    const first = fromHar(readFileSync(fixturePath('chrome-export.har'), 'utf8'));
    const again = fromHar(buildExport(first.session, { format: 'har' }).text);
    expect(again.session.source).toBe('chrome-har');
    expect(again.warnings).toContain(CHROME_HAR_WARNING);
    expect(again.session.connections).toEqual(first.session.connections);
  });
});

describe('heartbeat roles in a range export', () => {
  it("writes the whole session's roles, though the range alone would recognise another pattern", () => {
    // 'a' beats for 20 s, 'b' from 15 s to 25 s: the whole session's heartbeat is 'a' (more of them);
    // the range [19.5 s, 25 s] alone holds one 'a' and six 'b'.
    const t0 = NGINX_IDLE_START_MS;
    const session: Session = { id: 's', startedAt: t0, connections: [], pageEvents: [], notes: [], dropped: { messages: 0, previews: 0, rejected: 0 } };
    const times = [
      ...Array.from({ length: 20 }, (_, i) => ({ time: t0 + 1000 * (i + 1), preview: 'a' })),
      ...Array.from({ length: 11 }, (_, i) => ({ time: t0 + 15_000 + 1000 * i + 500, preview: 'b' })),
    ].sort((x, y) => x.time - y.time);
    session.connections.push({
      id: 'c1',
      frameUrl: '',
      url: 'wss://x.test/',
      protocols: [],
      createdAt: t0,
      openedAt: t0 + 10,
      messages: times.map(({ time, preview }, index) => ({ index, direction: 'send', time, opcode: 1, size: 1, preview, truncated: false })),
    });
    const file = buildExport(session, { format: 'har', from: t0 + 19_500, to: t0 + 25_000 });
    const entry = (JSON.parse(file.text) as HarLog).log.entries[0];
    const roles = entry._webSocketMessages.map((message, position) => `${message.data}:${entry._socketscope.heartbeats[position] ?? '-'}`);
    expect(roles).toEqual(['b:-', 'a:ping', 'b:-', 'b:-', 'b:-', 'b:-', 'b:-']);
    // The session keeps its own roles too.
    expect(session.connections[0].messages.filter((m) => m.heartbeat).map((m) => m.preview)).toEqual(Array(20).fill('a'));
  });
});

describe('a socket still open at export', () => {
  it('ends the file at the export, so the import shows it open at the end of the recording, not aging', () => {
    const session = recordedSession();
    delete session.endedAt;
    const open = session.connections[session.connections.length - 1];
    delete open.close;
    delete open.closedAt;
    const exportedAt = new Date((open.openedAt ?? open.createdAt) + 42_000);
    const imported = fromHar(buildExport(session, { format: 'har' }, exportedAt).text).session;
    expect(imported.endedAt).toBe(exportedAt.getTime());
    const reimported = imported.connections.find((c) => c.id === open.id)!;
    expect(connectionState(reimported)).toBe('open');
    expect(connectionAgeMs(reimported, imported.endedAt!)).toBeCloseTo(42_000, 3);
  });
});
