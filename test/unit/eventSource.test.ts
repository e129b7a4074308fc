// EventSource streams through the core: ingest of the hook's records (kinds, reconnect chains, event types and
// ids in the sparse column), storage, HAR round trip (Chrome's `_eventSourceMessages`), and the diagnosis's
// SSE-specific fixes.
import { describe, expect, it } from 'vitest';
import { batchToDelta, parseBatch } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { diagnose } from '../../src/core/diagnosis';
import { annotateHeartbeats } from '../../src/core/heartbeat';
import { toHar } from '../../src/core/har';
import { fromHar } from '../../src/core/har/import';
import { decodeStoredTab, encodeStoredTab } from '../../src/core/stored';
import { emptySession, type Connection, type Session } from '../../src/core/model';
import { PROTOCOL_VERSION, type PageBatch, type PageRecord } from '../../src/protocol/page';
import { analyze, formatReport } from '../../src/cli/main';

const T0 = 1_790_000_000_000;
const context = { docId: 'doc1', frameId: 0, frameUrl: 'https://app.example/' };
const URL_ = 'https://app.example/stream';

function ingest(batches: PageBatch[], session: Session = emptySession('s', T0)): Session {
  const index = new Map<string, Connection>(session.connections.map((c) => [c.id, c]));
  for (const b of batches) applyDelta(session, batchToDelta(parseBatch(JSON.stringify(b)), context, session, index), index);
  return session;
}

/** A batch of records and received SSE events: [hook id, time, data, type, lastEventId]. */
function batch(seq: number, records: PageRecord[], events: [number, number, string, string, string][] = []): PageBatch {
  const messages = { id: [] as number[], dir: [] as number[], time: [] as number[], opcode: [] as number[], size: [] as number[], preview: [] as string[], truncated: [] as number[], sse: [] as (number | string)[] };
  events.forEach(([id, time, data, type, lastEventId], row) => {
    messages.id.push(id);
    messages.dir.push(1);
    messages.time.push(time);
    messages.opcode.push(1);
    messages.size.push(data.length);
    messages.preview.push(data);
    messages.truncated.push(0);
    messages.sse.push(row, type, lastEventId);
  });
  return { v: PROTOCOL_VERSION, seq, records, messages, droppedMessages: 0 };
}

/** Attempts that each open, stay silent `silenceMs`, and are dropped (the browser reconnecting `retryMs` later). */
function idleChain(count: number, silenceMs: number, retryMs = 3000): PageRecord[] {
  const records: PageRecord[] = [];
  let t = T0;
  for (let i = 1; i <= count; i++) {
    records.push({ k: 'create', at: 0, id: i, time: t, url: URL_, protocols: [], kind: 'es', ...(i > 1 ? { after: i - 1 } : {}) });
    const openAt = t + (i > 1 ? retryMs : 20);
    records.push({ k: 'open', at: 0, id: i, time: openAt, protocol: '', extensions: '' });
    const dropAt = openAt + silenceMs;
    records.push({ k: 'error', at: 0, id: i, time: dropAt }, { k: 'close', at: 0, id: i, time: dropAt, code: 1006, reason: '', wasClean: false });
    t = dropAt;
  }
  return records;
}

describe('EventSource ingest', () => {
  it('records each attempt as a connection of kind eventsource, chained by reconnectOf, with event types and ids', () => {
    const session = ingest([
      batch(
        1,
        [
          { k: 'create', at: 0, id: 1, time: T0, url: URL_, protocols: [], kind: 'es', credentials: 1 },
          { k: 'open', at: 0, id: 1, time: T0 + 10, protocol: '', extensions: '' },
          { k: 'error', at: 2, id: 1, time: T0 + 100 },
          { k: 'close', at: 2, id: 1, time: T0 + 100, code: 1006, reason: '', wasClean: false },
          { k: 'create', at: 2, id: 2, time: T0 + 100, url: URL_, protocols: [], kind: 'es', after: 1 },
        ],
        [
          [1, T0 + 20, 'one', 'message', '1'],
          [1, T0 + 30, '{"n":2}', 'update', '2'],
        ],
      ),
    ]);
    const [first, second] = session.connections;
    expect(first).toMatchObject({ id: 'doc1:1', kind: 'eventsource', withCredentials: true, close: { code: 1006, initiator: 'abnormal' } });
    expect(first.messages.map((m) => [m.direction, m.preview, m.event, m.lastEventId])).toEqual([
      ['receive', 'one', 'message', '1'],
      ['receive', '{"n":2}', 'update', '2'],
    ]);
    expect(second).toMatchObject({ id: 'doc1:2', kind: 'eventsource', reconnectOf: 'doc1:1' });
    expect(second.withCredentials).toBeUndefined();
  });

  it('refuses an SSE row on a WebSocket, a sent SSE row, an unknown kind, and ignores a chain to an unknown attempt', () => {
    const ws: PageRecord = { k: 'create', at: 0, id: 1, time: T0, url: 'wss://app.example/ws', protocols: [] };
    const bad = batch(1, [ws, { k: 'create', at: 0, id: 2, time: T0, url: URL_, protocols: [], kind: 'es', after: 9 }], [[1, T0 + 1, 'x', 'message', '']]);
    (bad.records as unknown as Record<string, unknown>[]).push({ k: 'create', at: 0, id: 3, time: T0, url: URL_, protocols: [], kind: 'mqtt' });
    const session = ingest([bad]);
    expect(session.connections.map((c) => c.id)).toEqual(['doc1:1', 'doc1:2']);
    expect(session.connections[0].messages).toEqual([]);
    expect(session.connections[1].reconnectOf).toBeUndefined();
    expect(session.dropped.rejected).toBe(2);
  });

  it('keeps kinds, chains and event fields through storage and the HAR (Chrome\'s eventsource entries)', () => {
    const session = ingest([batch(1, idleChain(2, 3000), [[1, T0 + 50, 'hello', 'update', '7']])]);
    const stored = decodeStoredTab(encodeStoredTab(session, {})).session;
    expect(stored.connections[0].messages[0]).toMatchObject({ event: 'update', lastEventId: '7' });
    expect(stored.connections[1]).toMatchObject({ kind: 'eventsource', reconnectOf: 'doc1:1' });

    const har = toHar(session);
    const entry = har.log.entries[0];
    expect(entry._resourceType).toBe('eventsource');
    expect(entry._webSocketMessages).toEqual([]);
    expect(entry._eventSourceMessages).toEqual([{ time: (T0 + 50) / 1000, eventName: 'update', eventId: '7', data: 'hello' }]);
    expect(entry.response).toMatchObject({ status: 200, content: { mimeType: 'text/event-stream' } });
    const back = fromHar(JSON.parse(JSON.stringify(har)));
    expect(back.session.connections.map((c) => [c.kind, c.reconnectOf])).toEqual([
      ['eventsource', undefined],
      ['eventsource', 'doc1:1'],
    ]);
    expect(back.session.connections[0].messages[0]).toMatchObject({ direction: 'receive', preview: 'hello', event: 'update', lastEventId: '7' });

    // A HAR written by Chrome's DevTools: no _socketscope extras.
    const chrome = JSON.parse(JSON.stringify(har));
    delete chrome.log._socketscope;
    for (const e of chrome.log.entries) delete e._socketscope;
    const fromChrome = fromHar(chrome).session.connections[0];
    expect(fromChrome).toMatchObject({ kind: 'eventsource', url: URL_ });
    expect(fromChrome.openedAt).toBeDefined();
    expect(fromChrome.messages[0]).toMatchObject({ preview: 'hello', event: 'update', lastEventId: '7' });
  });
});

describe('EventSource heartbeats', () => {
  it('recognises heartbeat events (event: ping) among regular events', () => {
    const events: [number, number, string, string, string][] = [];
    for (let i = 0; i < 6; i++) events.push([1, T0 + 100 + i * 1000, '', 'ping', '']);
    events.push([1, T0 + 1500, '{"price":1}', 'update', '1'], [1, T0 + 2500, 'hello', 'message', '2']);
    events.sort((a, b) => a[1] - b[1]);
    const session = annotateHeartbeats(ingest([batch(1, [{ k: 'create', at: 0, id: 1, time: T0, url: URL_, protocols: [], kind: 'es' }, { k: 'open', at: 0, id: 1, time: T0 + 10, protocol: '', extensions: '' }], events)]));
    const messages = session.connections[0].messages;
    expect(messages.filter((m) => m.heartbeat === 'ping').map((m) => m.event)).toEqual(['ping', 'ping', 'ping', 'ping', 'ping', 'ping']);
    expect(messages.filter((m) => m.heartbeat === undefined).map((m) => m.event)).toEqual(['update', 'message']);
  });
});

describe('EventSource in the CLI', () => {
  it('marks an endpoint of event streams and gives the SSE fix', () => {
    const session = ingest([batch(1, idleChain(4, 3000))]);
    const imported = fromHar(JSON.parse(JSON.stringify(toHar(session))));
    const report = analyze(imported);
    expect(report.endpoints.map((e) => e.kind)).toEqual(['eventsource']);
    const text = formatReport('x.har', imported.session, report).join('\n');
    expect(text).toContain('(event stream: each browser reconnect is a connection)');
    expect(text).toContain('X-Accel-Buffering: no');
  });
});

describe('EventSource diagnosis', () => {
  it('names an idle timeout for streams dropped after a constant silence, with the SSE fix', () => {
    const session = ingest([batch(1, idleChain(5, 3000))]);
    const findings = diagnose(annotateHeartbeats(session));
    const idle = findings.find((f) => f.kind === 'idle-timeout');
    expect(idle, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(Math.abs(idle!.periodMs! - 3000)).toBeLessThan(100);
    expect(idle!.fix).toMatch(/comment line/);
    expect(idle!.fix).toContain('X-Accel-Buffering: no');
    expect(idle!.fix).toContain('proxy_buffering off');
    expect(idle!.fix).toContain('proxy_read_timeout');
    expect(idle!.fix).toContain('≤ 1.5 s');
    expect(idle!.fix).not.toMatch(/WebSocket/);
  });

  it('finds nothing for a stream that stays open (heartbeats as comments never reach the page)', () => {
    const session = ingest([
      batch(1, [
        { k: 'create', at: 0, id: 1, time: T0, url: URL_, protocols: [], kind: 'es' },
        { k: 'open', at: 0, id: 1, time: T0 + 20, protocol: '', extensions: '' },
      ]),
    ]);
    session.endedAt = T0 + 60_000;
    expect(diagnose(annotateHeartbeats(session))).toEqual([]);
  });

  it('says the browser reconnects a stream by itself when attempts fail fast', () => {
    const records: PageRecord[] = [];
    for (let i = 1; i <= 8; i++) {
      const t = T0 + (i - 1) * 1000;
      records.push({ k: 'create', at: 0, id: i, time: t, url: URL_, protocols: [], kind: 'es', ...(i > 1 ? { after: i - 1 } : {}) });
      records.push({ k: 'error', at: 0, id: i, time: t + 1000 }, { k: 'close', at: 0, id: i, time: t + 1000, code: 1006, reason: '', wasClean: false });
    }
    const findings = diagnose(annotateHeartbeats(ingest([batch(1, records)])));
    const storm = findings.find((f) => f.kind === 'reconnect-storm');
    if (storm) expect(storm.fix).toMatch(/retry:/);
  });
});
