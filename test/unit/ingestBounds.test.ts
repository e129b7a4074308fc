// Ingest refuses (and counts) what is outside the plausible ranges of
// src/core/limits.ts: times, sizes, close codes, string lengths, batch sizes.
import { columns } from './helpers/columns';
import { describe, expect, it } from 'vitest';
import { batchToDelta, parseBatch, RefusedBatch } from '../../src/core/ingest';
import { MAX_RECORDS_PER_BATCH, MIN_TIME_MS, MAX_FUTURE_MS, timeBounds } from '../../src/core/limits';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Connection } from '../../src/core/model';
import { PROTOCOL_VERSION, type PageBatch, type PageRecord } from '../../src/protocol/page';

const NOW = 1_790_000_000_000;
const ORIGIN = NOW - 60_000;
const context = { docId: 'd', frameId: 0, frameUrl: 'https://app.example/', timeBounds: timeBounds(NOW, ORIGIN) };

function run(records: PageRecord[], rows: [number, number, number, number, number, string][] = [], t0?: number) {
  const messages = columns(rows);
  const batch: PageBatch = { v: PROTOCOL_VERSION, seq: 1, records, messages, droppedMessages: 0 };
  if (t0 !== undefined) batch.t0 = t0;
  const session = emptySession('s', NOW);
  const index = new Map<string, Connection>();
  const delta = batchToDelta(parseBatch(JSON.stringify(batch)), context, session, index);
  applyDelta(session, delta, index);
  return session;
}

const create = (id: number, time = ORIGIN + 10): PageRecord => ({ k: 'create', at: 0, id, time, url: `wss://x/${id}`, protocols: [] });

describe('ingest bounds', () => {
  it('reads message times as whole microseconds since the batch t0 (the hook\'s timeOrigin)', () => {
    const s = run([create(1)], [
      [1, 0, 20_000, 1, 1, 'a'],
      [1, 1, 20_123, 1, 1, 'b'],
      [1, 1, 12.5, 1, 1, 'fraction'],
      [1, 1, -1, 1, 1, 'negative'],
      [1, 1, 366 * 24 * 3600 * 1e6, 1, 1, 'over a year'],
    ], ORIGIN);
    expect(s.connections[0].messages.map((m) => [m.preview, m.time])).toEqual([
      ['a', ORIGIN + 20],
      ['b', ORIGIN + 20.123],
    ]);
    expect(s.dropped.rejected).toBe(3);
  });

  it('refuses every message of a batch whose t0 is implausible (before the document, or 1e19), counted', () => {
    for (const t0 of [ORIGIN - 5_000, 1e19, Number.NaN]) {
      const s = run([create(1)], [[1, 0, 20_000, 1, 1, 'a'], [1, 0, 21_000, 1, 1, 'b']], t0);
      expect(s.connections[0].messages).toEqual([]);
      expect(s.dropped.rejected).toBe(2);
    }
  });

  it('refuses and counts times before 2000, before the document, or more than a day ahead (1e19 from a redefined toJSON)', () => {
    const s = run(
      [create(1), create(2, 1e19), create(3, 946_684_799_999), create(4, ORIGIN - 5_000), create(5, NOW + MAX_FUTURE_MS + 1), { k: 'page', at: 0, type: 'online', time: 1e19 }],
      [
        [1, 0, ORIGIN + 20, 1, 1, 'a'],
        [1, 0, 1e19, 1, 1, 'b'],
        [1, 1, 12, 1, 1, 'c'],
      ],
    );
    expect(s.connections.map((c) => c.id)).toEqual(['d:1']);
    expect(s.connections[0].messages.map((m) => m.preview)).toEqual(['a']);
    expect(s.pageEvents).toEqual([]);
    expect(s.dropped.rejected).toBe(7);
  });

  it('bounds the time range from the background clock and the document time origin', () => {
    expect(timeBounds(NOW)).toEqual({ min: MIN_TIME_MS, max: NOW + MAX_FUTURE_MS });
    expect(timeBounds(NOW, ORIGIN).min).toBe(ORIGIN - 1000);
    expect(timeBounds(NOW, 1e19).min).toBe(MIN_TIME_MS); // an implausible origin is ignored
  });

  it('refuses close codes outside 0..4999 or not integers, huge sizes, long reasons and details', () => {
    const s = run(
      [
        create(1),
        create(2),
        create(3),
        create(4),
        { k: 'close', at: 0, id: 1, time: ORIGIN + 30, code: 5000, reason: '', wasClean: false },
        { k: 'close', at: 0, id: 2, time: ORIGIN + 30, code: 1000.5, reason: '', wasClean: true },
        { k: 'close', at: 0, id: 3, time: ORIGIN + 30, code: 1000, reason: 'r'.repeat(5000), wasClean: true },
        { k: 'closing', at: 0, id: 4, time: ORIGIN + 30, code: 1e9 },
        { k: 'page', at: 0, type: 'pagehide', time: ORIGIN + 40, detail: 'x'.repeat(10_000) },
        { k: 'page', at: 0, type: 'timer-late', time: ORIGIN + 40, lateMs: 1e15 },
      ],
      [[1, 0, ORIGIN + 20, 1, 2 ** 40, 'a']],
    );
    expect(s.connections.every((c) => !c.close && c.closeRequestedAt === undefined)).toBe(true);
    expect(s.pageEvents).toEqual([]);
    expect(s.connections[0].messages).toEqual([]);
    expect(s.dropped.rejected).toBe(7);
  });

  it('refuses a batch with too many records whole, counting them', () => {
    const records: PageRecord[] = Array.from({ length: MAX_RECORDS_PER_BATCH + 1 }, () => ({ k: 'page', at: 0, type: 'online', time: ORIGIN + 1 }));
    const json = JSON.stringify({ v: PROTOCOL_VERSION, seq: 1, records, messages: { id: [], dir: [], time: [], opcode: [], size: [], preview: [], truncated: [] }, droppedMessages: 0 });
    expect(() => parseBatch(json)).toThrow(RefusedBatch);
    try {
      parseBatch(json);
    } catch (error) {
      expect((error as RefusedBatch).records).toBe(MAX_RECORDS_PER_BATCH + 1);
    }
  });
});
