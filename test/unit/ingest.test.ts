import { describe, expect, it } from 'vitest';
import { analyzeSession } from '../../src/core/analysis';
import { batchToDelta, parseBatch, MAX_PREVIEW_CHARS } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Connection, type Session } from '../../src/core/model';
import { PROTOCOL_VERSION, packMeta, unpackColumns, type PackedColumns, type PageBatch, type PageRecord } from '../../src/protocol/page';
import { columns } from './helpers/columns';

const T0 = 1_790_000_000_000;
const context = { docId: 'doc1', frameId: 3, frameUrl: 'https://app.example/page' };


function batch(seq: number, records: PageRecord[], rows: Parameters<typeof columns>[0] = [], droppedMessages = 0): PageBatch {
  return { v: PROTOCOL_VERSION, seq, records, messages: columns(rows), droppedMessages };
}

/** Feeds batches through JSON (as the relay does) into a session, like the background (one document's state across its batches). */
function ingest(batches: PageBatch[], session: Session = emptySession('s', T0)): Session {
  const index = new Map<string, Connection>(session.connections.map((c) => [c.id, c]));
  const documentContext = { ...context };
  for (const b of batches) applyDelta(session, batchToDelta(parseBatch(JSON.stringify(b)), documentContext, session, index), index);
  return session;
}

describe('parseBatch', () => {
  it('refuses what is not a batch of this version', () => {
    expect(() => parseBatch('[]')).toThrow(/not a SocketScope batch/);
    expect(() => parseBatch(JSON.stringify({ ...batch(1, []), v: 99 }))).toThrow(/version/);
    expect(() => parseBatch('{"v":1,"seq":1,"records":[],"messages":{},"droppedMessages":0}')).toThrow(/columns/);
    const uneven = batch(1, [], [[1, 0, T0, 1, 1, 'a']]);
    uneven.messages.size.push(3);
    expect(() => parseBatch(JSON.stringify(uneven))).toThrow(/columns/);
    expect(() => parseBatch('{not json')).toThrow();
  });
});

describe('batchToDelta', () => {
  it('builds connections, messages in order, and page events', () => {
    const session = ingest([
      batch(
        1,
        [
          { k: 'create', at: 0, id: 1, time: T0, url: 'wss://app.example/ws', protocols: ['v1'] },
          { k: 'page', at: 0, type: 'hidden', time: T0 + 1 },
          { k: 'open', at: 0, id: 1, time: T0 + 5, protocol: 'v1', extensions: 'permessage-deflate' },
        ],
        [
          [1, 0, T0 + 6, 1, 5, 'hello'],
          [1, 1, T0 + 7, 2, 3, 'AQID'],
        ],
      ),
      batch(2, [], [[1, 1, T0 + 8, 1, 70_000, 'x'.repeat(10), 1]]),
    ]);
    const [connection] = session.connections;
    expect(connection).toMatchObject({ id: 'doc1:1', frameId: 3, frameUrl: context.frameUrl, url: 'wss://app.example/ws', protocols: ['v1'], protocol: 'v1', extensions: 'permessage-deflate', createdAt: T0, openedAt: T0 + 5 });
    expect(connection.messages.map((m) => [m.index, m.direction, m.opcode, m.size, m.truncated])).toEqual([
      [0, 'send', 1, 5, false],
      [1, 'receive', 2, 3, false],
      [2, 'receive', 1, 70_000, true],
    ]);
    expect(session.pageEvents).toEqual([{ type: 'hidden', time: T0 + 1, frameUrl: context.frameUrl, frameId: 3 }]);
    expect(session.dropped).toEqual({ messages: 0, previews: 0, rejected: 0 });
  });

  it('names the close initiator: page, server, or abnormal (1006 without a close frame)', () => {
    const create = (id: number): PageRecord => ({ k: 'create', at: 0, id, time: T0, url: `wss://x/${id}`, protocols: [] });
    const session = ingest([
      batch(1, [create(1), create(2), create(3), create(4)]),
      batch(2, [
        { k: 'closing', at: 0, id: 1, time: T0 + 10, code: 4000, reason: 'watchdog' },
        { k: 'close', at: 0, id: 1, time: T0 + 11, code: 4000, reason: 'watchdog', wasClean: true },
        { k: 'close', at: 0, id: 2, time: T0 + 12, code: 1001, reason: 'restart', wasClean: true },
        { k: 'close', at: 0, id: 3, time: T0 + 13, code: 1006, reason: '', wasClean: false },
        { k: 'closing', at: 0, id: 4, time: T0 + 14 },
      ]),
      // The page's close() and the close event in different batches.
      batch(3, [{ k: 'close', at: 0, id: 4, time: T0 + 20, code: 1006, reason: '', wasClean: false }]),
    ]);
    const close = (n: number) => session.connections[n - 1].close;
    expect(close(1)).toMatchObject({ initiator: 'page', code: 4000, requestedCode: 4000, requestedReason: 'watchdog' });
    expect(close(2)).toMatchObject({ initiator: 'server', code: 1001 });
    expect(close(3)).toMatchObject({ initiator: 'abnormal', code: 1006 });
    expect(close(4)).toMatchObject({ initiator: 'page', code: 1006 });
    expect(close(4)!.requestedCode).toBeUndefined();
    expect(session.connections[0].closedAt).toBe(T0 + 11);
  });

  it('refuses and counts forged or malformed records without losing the good ones', () => {
    const session = ingest([
      batch(
        1,
        [
          { k: 'create', at: 0, id: 1, time: T0, url: 'wss://ok/', protocols: [] },
          { k: 'create', at: 0, id: 1, time: T0, url: 'wss://duplicate/', protocols: [] },
          { k: 'open', at: 0, id: 99, time: T0, protocol: '', extensions: '' },
          { k: 'page', at: 0, type: 'explode' as 'hidden', time: T0 },
          { k: 'create', at: 0, id: 2, time: T0, url: 'x'.repeat(70_000), protocols: [] },
          { k: 'close', at: 0, id: 1, time: -5, code: 1000, reason: '', wasClean: true },
          { k: 'nonsense' } as unknown as PageRecord,
        ],
        [
          [1, 0, T0 + 1, 1, 2, 'ok'],
          [7, 0, T0 + 1, 1, 2, 'no such socket'],
          [1, 5, T0 + 1, 1, 2, 'bad direction'],
          [1, 0, T0 + 1, 3, 2, 'bad opcode'],
          [1, 0, T0 + 1, 1, -1, 'bad size'],
          [1, 0, T0 + 1, 1, 1, 'y'.repeat(MAX_PREVIEW_CHARS + 1)],
        ],
        4,
      ),
    ]);
    expect(session.connections.map((c) => c.url)).toEqual(['wss://ok/']);
    expect(session.connections[0].messages.map((m) => m.preview)).toEqual(['ok']);
    expect(session.connections[0].close).toBeUndefined();
    expect(session.pageEvents).toEqual([]);
    expect(session.dropped).toEqual({ messages: 4, previews: 0, rejected: 11 });
  });

  it('keeps counting message indices across batches', () => {
    const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => [1, i % 2, T0 + from + i, 1, 1, 'm'] as [number, number, number, number, number, string]);
    const session = ingest([batch(1, [{ k: 'create', at: 0, id: 1, time: T0, url: 'wss://x/', protocols: [] }], rows(1, 3)), batch(2, [], rows(10, 4))]);
    expect(session.connections[0].messages.map((m) => m.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("counts the page-context records the hook's rate bound dropped", () => {
    const session = ingest([{ ...batch(1, []), droppedRecords: 250 }, { ...batch(2, []), droppedRecords: 5 }]);
    expect(session.dropped.droppedPageEvents).toBe(255);
  });

  describe('sockets whose document goes away', () => {
    const create: PageRecord = { k: 'create', at: 0, id: 1, time: T0, url: 'wss://x/', protocols: [] };
    const open: PageRecord = { k: 'open', at: 0, id: 1, time: T0 + 10, protocol: '', extensions: '' };

    it("takes the hook's close at pagehide as ended by the navigation", () => {
      const session = ingest([batch(1, [create, open, { k: 'close', at: 0, id: 1, time: T0 + 500, code: 1001, reason: '', wasClean: false, navigation: 1 }])]);
      expect(session.connections[0].close).toMatchObject({ initiator: 'navigation', code: 1001, time: T0 + 500 });
    });

    it("reads Firefox's 1001 close just before the same document's pagehide as the navigation, not the server", () => {
      const close: PageRecord = { k: 'close', at: 0, id: 1, time: T0 + 500, code: 1001, reason: '', wasClean: true };
      const pagehide: PageRecord = { k: 'page', at: 0, type: 'pagehide', time: T0 + 530 };
      expect(ingest([batch(1, [create, open, close, pagehide])]).connections[0].close?.initiator).toBe('navigation');
      // The close flushed in an earlier batch than the pagehide.
      expect(ingest([batch(1, [create, open, close]), batch(2, [pagehide])]).connections[0].close?.initiator).toBe('navigation');
      // A server's 1001 long before the page went away stays the server's.
      const early: PageRecord = { ...close, time: T0 + 100 };
      expect(ingest([batch(1, [create, open, early]), batch(2, [{ ...pagehide, time: T0 + 5000 }])]).connections[0].close?.initiator).toBe('server');
    });

    describe('a socket still connecting when its navigation began (Firefox fails it: error and 1006, even after the server answered 101)', () => {
      const beforeunload: PageRecord = { k: 'page', at: 0, type: 'beforeunload', time: T0 + 50 };
      const pagehide: PageRecord = { k: 'page', at: 0, type: 'pagehide', time: T0 + 70 };
      const failed = (id: number, time: number): PageRecord[] => [
        { k: 'error', at: 0, id, time },
        { k: 'close', at: 0, id, time: time + 1, code: 1006, reason: '', wasClean: true },
      ];
      const upgraded = (session: Session) => {
        for (const connection of session.connections) connection.handshake = { status: 101, statusText: 'Switching Protocols', requestHeaders: [], responseHeaders: [{ name: 'Upgrade', value: 'websocket' }], startedAt: T0 };
        return session;
      };

      it('is ended by the navigation when it failed after the beforeunload: no failed handshake', () => {
        const session = upgraded(ingest([batch(1, [create, beforeunload, ...failed(1, T0 + 55), pagehide])]));
        expect(session.dropped.rejected ?? 0).toBe(0);
        expect(session.pageEvents.map((e) => e.type)).toEqual(['beforeunload', 'pagehide']);
        expect(session.connections[0].close).toMatchObject({ initiator: 'navigation', code: 1006 });
        const analysis = analyzeSession(session);
        expect(analysis.findings).toEqual([]);
        expect(analysis.facts.get('doc1:1')?.handshake).toBe('abandoned');
        // Each record in its own batch (the document's state kept between them), and a close without an error.
        const apart = ingest([batch(1, [create]), batch(2, [beforeunload]), batch(3, [failed(1, T0 + 55)[1]]), batch(4, [pagehide])]);
        expect(apart.connections[0].close?.initiator).toBe('navigation');
        // A socket that had opened is left to the other rules: its 1006 after the beforeunload is a drop.
        expect(ingest([batch(1, [create, open, beforeunload, failed(1, T0 + 55)[1], pagehide])]).connections[0].close?.initiator).toBe('abnormal');
      });

      it('an open EventSource that Firefox fails between the beforeunload and the pagehide is ended by the navigation; an open WebSocket is not', () => {
        // Firefox ESR 140 on a reload: beforeunload, the stream's error and 1006 28 ms later, pagehide 26 ms after that.
        const stream: PageRecord = { ...create, url: 'https://x/sse', kind: 'es' };
        const cut = (pagehideAt: number) => ingest([batch(1, [stream, open, beforeunload, ...failed(1, T0 + 55), { ...pagehide, time: pagehideAt }])]).connections[0].close;
        expect(cut(T0 + 81)).toMatchObject({ initiator: 'navigation', code: 1006 });
        // The same error a second before a pagehide that came much later: a drop, not the navigation.
        expect(cut(T0 + 56 + 1001)?.initiator).toBe('abnormal');
        // Before the beforeunload: a drop.
        const early = ingest([batch(1, [stream, open, ...failed(1, T0 + 40), beforeunload, pagehide])]);
        expect(early.connections[0].close?.initiator).toBe('abnormal');
        // The same failure of an open WebSocket stays a drop (Firefox ends open sockets with 1001, the rule above).
        expect(ingest([batch(1, [create, open, beforeunload, ...failed(1, T0 + 55), pagehide])]).connections[0].close?.initiator).toBe('abnormal');
      });

      it('stays a failed handshake when it failed before the beforeunload, beside one that failed after', () => {
        const second: PageRecord = { ...create, id: 2, time: T0 + 1 };
        const session = upgraded(ingest([batch(1, [create, second, ...failed(1, T0 + 40), beforeunload, ...failed(2, T0 + 55), pagehide])]));
        expect(session.dropped.rejected ?? 0).toBe(0);
        expect(session.connections.map((c) => c.close?.initiator)).toEqual(['abnormal', 'navigation']);
        const findings = analyzeSession(session).findings;
        expect(findings.map((f) => [f.kind, f.connections])).toEqual([['handshake-failed', ['doc1:1']]]);
        expect(findings[0].title).toMatch(/refused the answer/);
      });

      it('stays a failed handshake when the navigation did not go on: no pagehide, or a later beforeunload after the failure', () => {
        const cancelled = ingest([batch(1, [create, beforeunload, ...failed(1, T0 + 500)])]);
        expect(cancelled.dropped.rejected ?? 0).toBe(0);
        expect(cancelled.connections[0].close?.initiator).toBe('abnormal');
        // Cancelled at T0 + 50 (the page's prompt), refused at T0 + 500, left at T0 + 5000.
        const left = ingest([batch(1, [create, beforeunload, ...failed(1, T0 + 500)]), batch(2, [{ ...beforeunload, time: T0 + 5000 }, { ...pagehide, time: T0 + 5010 }])]);
        expect(left.connections[0].close?.initiator).toBe('abnormal');
        expect(analyzeSession(left).findings.map((f) => f.kind)).toEqual(['handshake-failed']);
        // A pagehide (then pageshow from the bfcache) ends the leaving: a refusal after it is the server's again.
        const back = ingest([batch(1, [create, beforeunload, pagehide, { k: 'page', at: 0, type: 'pageshow', time: T0 + 900, detail: 'persisted' }, ...failed(1, T0 + 1000)]), batch(2, [{ ...pagehide, time: T0 + 2000 }])]);
        expect(back.connections[0].close?.initiator).toBe('abnormal');
      });
    });

    it('keeps a socket the background already ended by a navigation as such when its close event comes later', () => {
      const session = ingest([batch(1, [create, open])]);
      session.connections[0].close = { time: T0 + 400, code: 1001, reason: '', wasClean: false, initiator: 'navigation' };
      session.connections[0].closedAt = T0 + 400;
      ingest([batch(2, [{ k: 'close', at: 0, id: 1, time: T0 + 450, code: 1001, reason: '', wasClean: true }])], session);
      expect(session.connections[0].close).toMatchObject({ initiator: 'navigation', time: T0 + 450 });
    });
  });
});

describe('packed message columns (what the hook sends)', () => {
  const t0 = T0 + 0.125;
  const create: PageRecord = { k: 'create', at: 0, id: 7, time: t0, url: 'wss://x/', protocols: [] };
  // id 7: a sent text (complete), a received binary (truncated), a received text without preview (budget spent).
  const packed = (meta: unknown[], time: unknown[], size: unknown[] = [5, 70_000, 100], preview: unknown[] = ['hello', 'AAEC', '']) =>
    ({ v: PROTOCOL_VERSION, seq: 1, t0, records: [create], messages: { meta, time, size, preview }, droppedMessages: 0 }) as unknown as PageBatch;
  const meta = [packMeta(7, 0, 0, 1), packMeta(7, 1, 1, 2), packMeta(7, 2, 1, 1)];

  it('reads as the same messages as the long form', () => {
    const batchPacked = packed(meta, [1_000, 250, 0]);
    const long = { ...batchPacked, messages: unpackColumns(batchPacked.messages as PackedColumns) };
    expect((long.messages as { time: number[] }).time).toEqual([1_000, 1_250, 1_250]);
    const fromPacked = ingest([batchPacked]).connections[0].messages;
    expect(fromPacked).toEqual(ingest([long]).connections[0].messages);
    expect(fromPacked.map(({ direction, opcode, truncated, evicted, size, preview }) => ({ direction, opcode, truncated, evicted, size, preview }))).toEqual([
      { direction: 'send', opcode: 1, truncated: false, evicted: undefined, size: 5, preview: 'hello' },
      { direction: 'receive', opcode: 2, truncated: true, evicted: undefined, size: 70_000, preview: 'AAEC' },
      { direction: 'receive', opcode: 1, truncated: true, evicted: true, size: 100, preview: '' },
    ]);
    expect(fromPacked.map((m) => m.time)).toEqual([t0 + 1, t0 + 1.25, t0 + 1.25]);
  });

  it('counts a preview the hook never copied apart, within the previews counted (budgetPreviews)', () => {
    const session = ingest([packed(meta, [1_000, 250, 0]), { ...packed([packMeta(7, 2, 1, 1)], [10], [100], ['']), seq: 2, records: [] } as PageBatch]);
    expect(session.dropped.previews).toBe(2);
    expect(session.dropped.budgetPreviews).toBe(2);
    // None skipped: no counter at all (the session's counts stay as they were).
    expect(ingest([packed(meta.slice(0, 2), [1, 1], [5, 70_000], ['hello', 'AAEC'])]).dropped).toEqual({ messages: 0, previews: 0, rejected: 0 });
  });

  it('counts a large Blob the hook did not read while held apart from the flood budget, within the previews counted (decision 78)', () => {
    const rows = [packMeta(7, 3, 1, 2), packMeta(7, 2, 1, 2), packMeta(7, 3, 1, 2)];
    const session = ingest([packed(rows, [1_000, 10, 10], [70_000, 70_000, 20_000], ['', '', ''])]);
    const messages = session.connections[0].messages;
    expect(messages.map(({ preview, truncated, evicted, size }) => ({ preview, truncated, evicted, size }))).toEqual([
      { preview: '', truncated: true, evicted: true, size: 70_000 },
      { preview: '', truncated: true, evicted: true, size: 70_000 },
      { preview: '', truncated: true, evicted: true, size: 20_000 },
    ]);
    expect(session.dropped).toMatchObject({ previews: 3, budgetPreviews: 1, heldBlobPreviews: 2 });
    expect(session.connections[0].evictedPreviews).toBe(3);
    const onlyHeld = ingest([packed([packMeta(7, 3, 1, 2)], [1], [70_000], [''])]).dropped;
    expect(onlyHeld).toEqual({ messages: 0, previews: 1, rejected: 0, heldBlobPreviews: 1 });
  });

  it('refuses a row it cannot read, counts it, and keeps the clock of the rows before it', () => {
    const session = ingest([packed([meta[0], -16, meta[2]], [1_000, 250, 500])]);
    expect(session.connections[0].messages.map((m) => [m.preview, m.time])).toEqual([['hello', t0 + 1], ['', t0 + 1.75]]);
    expect(session.connections[0].messages.map((m) => m.index)).toEqual([0, 1]);
    const negative = ingest([packed(meta, [1_000, -250, 500])]);
    expect(negative.connections[0].messages.map((m) => m.time)).toEqual([t0 + 1, t0 + 1.5]);
    // An unknown connection id, and a preview code 3 on a text message (only a Blob's), are refused too.
    expect(ingest([packed([packMeta(8, 0, 0, 1), packMeta(7, 3, 0, 1), meta[2]], [1, 1, 1])]).connections[0].messages).toHaveLength(1);
  });

  it('needs t0, since its times are differences', () => {
    const { t0: _t0, ...withoutT0 } = packed(meta, [1, 1, 1]);
    expect(() => parseBatch(JSON.stringify(withoutT0))).toThrow(/t0/);
    expect(() => parseBatch(JSON.stringify(packed(meta, [1, 1])))).toThrow(/columns/);
  });
});
