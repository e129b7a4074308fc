// The relay's compact record (src/content/compact.ts; docs/decisions.md, 73): what the background makes of it must be
// what it makes of the held batches themselves, but for each connection's oldest messages, counted instead.
import { describe, expect, it } from 'vitest';
import { compactBatches } from '../../src/content/compact';
import { batchToDelta, parseBatch } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Connection, type Session } from '../../src/core/model';
import { PROTOCOL_VERSION, packMeta, type PageBatch, type PageRecord } from '../../src/protocol/page';
import { metaId } from '../../src/core/wire';

const T0 = 1_790_000_000_000;

/** A document's batches as the hook writes them: packed rows `[connection, dir, preview, ms since t0]`, times as differences. */
function hookBatch(seq: number, records: PageRecord[], rows: [id: number, dir: number, preview: string, ms: number][], extra: Partial<PageBatch> = {}): string {
  let last = 0;
  const time: number[] = [];
  for (const [, , , ms] of rows) {
    time.push(Math.round(ms * 1000) - last);
    last = Math.round(ms * 1000);
  }
  const messages = { meta: rows.map(([id, dir]) => packMeta(id, 0, dir, 1)), time, size: rows.map(([, , preview]) => preview.length), preview: rows.map(([, , preview]) => preview) };
  return JSON.stringify({ v: PROTOCOL_VERSION, seq, t0: T0, records, messages, droppedMessages: 0, ...extra });
}

function ingest(jsons: string[]): Session {
  const session = emptySession('s', T0);
  const index = new Map<string, Connection>();
  const context = { docId: 'doc1', frameId: 0, frameUrl: 'https://app.example/', timeBounds: { min: T0 - 1, max: T0 + 3_600_000 } };
  for (const json of jsons) applyDelta(session, batchToDelta(parseBatch(json), context, session, index), index);
  return session;
}

/** Three batches: two connections, the second opened in the second batch and closed in the third; a page event between. */
function document(rowsPerBatch: number): string[] {
  const rows = (seq: number, ids: number[]) =>
    Array.from({ length: rowsPerBatch }, (_, i) => {
      const id = ids[i % ids.length];
      return [id, i % 2, `${id}:${seq}:${i}`, 1000 * seq + i] as [number, number, string, number];
    });
  return [
    hookBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 10, url: 'wss://a.example/', protocols: [] }, { k: 'open', at: 0, id: 1, time: T0 + 20, protocol: '', extensions: '' }], rows(1, [1])),
    hookBatch(2, [{ k: 'create', at: 3, id: 2, time: T0 + 2000, url: 'wss://b.example/', protocols: ['p'] }, { k: 'page', at: 5, type: 'hidden', time: T0 + 2001 }], rows(2, [1, 2]), { droppedMessages: 4 }),
    hookBatch(3, [{ k: 'close', at: rowsPerBatch, id: 2, time: T0 + 3999, code: 1006, reason: '', wasClean: false }], rows(3, [1, 2]), { droppedRecords: 2 }),
  ];
}

describe('compactBatches', () => {
  it('gives the background the same document but for each connection\'s oldest messages, counted as dropped', () => {
    const held = document(300);
    const whole = ingest(held);
    const compact = compactBatches(held, 100)!;
    expect(compact.length).toBeLessThan(held.join('').length / 2);
    const kept = ingest([compact]);

    // Every record: connections, their opens and closes, the page event, the counts the hook sent.
    const meta = (session: Session) => session.connections.map(({ messages: _messages, droppedMessages: _dropped, ...rest }) => rest);
    expect(meta(kept)).toEqual(meta(whole));
    expect(kept.pageEvents).toEqual(whole.pageEvents);
    // Each connection's last 100 messages, the same in every field (index and time included); the rest counted, oldest first.
    for (const connection of whole.connections) {
      const mine = kept.connections.find((c) => c.id === connection.id)!;
      expect(mine.messages).toEqual(connection.messages.slice(-100));
      expect(mine.droppedMessages).toBe(connection.messages.length - 100);
    }
    const omitted = whole.connections.reduce((sum, c) => sum + c.messages.length - 100, 0);
    expect(kept.dropped).toMatchObject({ messages: 4 + omitted, unreadMessages: omitted, droppedPageEvents: 2, rejected: 0 });
  });

  it('keeps a record where it was among the messages kept', () => {
    const compact = JSON.parse(compactBatches(document(10), 4)!) as PageBatch;
    // Batch 3 alternates connections 1 and 2: each keeps its last four there; batches 1 and 2 keep nothing.
    expect(compact.messages.preview).toEqual(['1:3:2', '2:3:3', '1:3:4', '2:3:5', '1:3:6', '2:3:7', '1:3:8', '2:3:9']);
    const at = Object.fromEntries(compact.records.map((r) => [r.k === 'page' ? r.type : `${r.k}${'id' in r ? r.id : ''}`, r.at]));
    expect(at).toEqual({ create1: 0, open1: 0, create2: 0, hidden: 0, close2: 8 });
    expect(compact.seq).toBe(3);
    const pairs = compact.unread!.flatMap((value, i, all) => (i % 2 ? [] : [[value, all[i + 1]]]));
    expect(pairs.sort()).toEqual([[1, 16], [2, 6]]);
  });

  it('carries the EventSource column and the user\'s own rows to their new places', () => {
    const held = [
      hookBatch(1, [], [[1, 1, 'old', 1], [1, 1, 'a', 2], [1, 1, 'b', 3]], { simRows: [0, 2] }),
      hookBatch(2, [], [[1, 1, 'c', 4]]),
    ];
    held[0] = held[0].replace('"preview":["old","a","b"]', '"preview":["old","a","b"],"sse":[0,"x","1",1,"y","2"]');
    const compact = JSON.parse(compactBatches(held, 3)!) as PageBatch;
    expect(compact.messages.preview).toEqual(['a', 'b', 'c']);
    expect((compact.messages as { sse: unknown[] }).sse).toEqual([0, 'y', '2']);
    expect(compact.simRows).toEqual([1]);
  });

  it('leaves alone what is not the hook\'s packed form (the batches then go as they are)', () => {
    expect(compactBatches([])).toBeUndefined();
    expect(compactBatches(['{"v":1,"seq":1,"records":[],"messages":{"id":[]},"droppedMessages":0}'])).toBeUndefined();
    expect(compactBatches(['not json'])).toBeUndefined();
    // What a page's toJSON can make of a batch: never a throw in the pagehide listener, the batches go as they are.
    const good = hookBatch(1, [], [[1, 1, 'a', 1]]);
    for (const bent of ['null', '7', '{"v":1,"seq":2,"t0":1790000000000,"records":[null],"messages":{"meta":[],"time":[],"size":[],"preview":[]},"droppedMessages":0}', '{"v":1,"seq":2,"t0":1790000000000,"records":[],"messages":{"meta":[1],"time":[],"size":[1],"preview":["a"]},"droppedMessages":0}', '{"v":1,"seq":2,"t0":1790000000000,"records":[],"messages":null,"droppedMessages":0}']) {
      expect(() => compactBatches([good, bent]), bent).not.toThrow();
      expect(compactBatches([good, bent]), bent).toBeUndefined();
    }
  });

  it('parses a batch whole only when it keeps a row from it, and gives what parsing every batch whole gives', () => {
    // An old batch whose previews are not even JSON: only its records, counts and meta are read.
    const old = hookBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 10, url: 'wss://a.example/', protocols: [] }], [[1, 1, 'old', 1], [1, 1, 'old', 2]]);
    const broken = old.replace('"preview":["old","old"]', '"preview":[old, old]');
    const recent = hookBatch(2, [], [[1, 1, 'a', 3], [1, 1, 'b', 4]]);
    const compact = JSON.parse(compactBatches([broken, recent], 2)!) as PageBatch;
    expect(compact.messages.preview).toEqual(['a', 'b']);
    expect(compact.unread).toEqual([1, 2]);
    expect(compact.records.map((r) => r.k)).toEqual(['create']);
    // Where a kept row is, the batch is parsed whole, and a batch that does not parse sends the batches as they are.
    expect(compactBatches([recent, broken], 2)).toBeUndefined();

    // Random documents: the same record whether each batch is read in two steps or whole (an indented JSON has no head).
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let trial = 0; trial < 200; trial++) {
      const keep = 1 + random(20);
      const held = Array.from({ length: 1 + random(6) }, (_, b) => {
        const rows = Array.from({ length: random(40) }, (_, i) => [random(4), random(2), `${b}:${i}${random(5) ? '' : '"],"messages":{"meta":['}`, b * 100 + i] as [number, number, string, number]);
        const records: PageRecord[] = random(3) ? [] : [{ k: 'page', at: random(rows.length + 1), type: 'hidden', time: T0 + b }];
        return hookBatch(b + 1, records, rows, { droppedMessages: random(3), ...(random(3) ? {} : { simRows: [0] }) });
      });
      const indented = held.map((json) => JSON.stringify(JSON.parse(json), null, 1));
      const json = compactBatches(held, keep);
      expect(json, `trial ${trial}`).toBe(compactBatches(indented, keep));
      // Each connection (0 included) keeps its last `keep` rows, the newest previews, and counts the rest.
      const all = held.flatMap((batch) => (JSON.parse(batch) as PageBatch).messages as { meta: number[]; preview: string[] }).flatMap(({ meta, preview }) => meta.map((m, i) => [metaId(m), preview[i]] as const));
      const compact = JSON.parse(json!) as PageBatch & { messages: { meta: number[]; preview: string[] } };
      for (const id of new Set(all.map(([id]) => id))) {
        const previews = all.filter(([row]) => row === id).map(([, preview]) => preview);
        expect(compact.messages.preview.filter((_, i) => metaId(compact.messages.meta[i]) === id), `trial ${trial}, connection ${id}`).toEqual(previews.slice(-keep));
        const unread = (compact.unread ?? []).findIndex((value, i) => i % 2 === 0 && value === id);
        expect(unread < 0 ? 0 : compact.unread![unread + 1], `trial ${trial}, connection ${id}`).toBe(Math.max(0, previews.length - keep));
      }
    }
  });
});
