// The Previews setting enforced at ingest (decision 61): a preview longer than the user's bound (recorded before
// the document's hook had the setting) is cut there, text by UTF-16 units and binary by bytes through its base64.
import { describe, expect, it } from 'vitest';
import { base64Prefix } from '../../src/core/bytes';
import { batchToDelta, parseBatch } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Connection } from '../../src/core/model';
import { PROTOCOL_VERSION, type PageBatch } from '../../src/protocol/page';
import { columns, type ColumnRow } from './helpers/columns';

const T0 = 1_790_000_000_000;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('base64Prefix', () => {
  it('gives the base64 of the first n bytes, for every n and every padding', () => {
    for (let total = 0; total <= 10; total++) {
      const bytes = Uint8Array.from({ length: total }, (_, i) => (i * 97 + 13) & 255);
      for (let n = 0; n <= total + 2; n++) expect(base64Prefix(b64(bytes), n)).toBe(b64(bytes.subarray(0, n)));
    }
  });
  it('keeps the whole groups when the last one is not base64', () => {
    expect(base64Prefix('AAAA!!!!', 4)).toBe('AAAA');
  });
});

function ingestWith(previewBytes: number | undefined, rows: ColumnRow[]) {
  const session = emptySession('s', T0);
  const index = new Map<string, Connection>();
  const batch: PageBatch = { v: PROTOCOL_VERSION, seq: 1, records: [{ k: 'create', at: 0, id: 1, time: T0, url: 'wss://x.example/', protocols: [] }], messages: columns(rows), droppedMessages: 0 };
  const context = { docId: 'd', frameUrl: 'https://x.example/', previewBytes };
  applyDelta(session, batchToDelta(parseBatch(JSON.stringify(batch)), context, session, index), index);
  return session.connections[0].messages;
}

describe('ingest under a preview bound', () => {
  const binary = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
  const rows: ColumnRow[] = [
    [1, 0, T0 + 1, 1, 5000, 'x'.repeat(5000)],
    [1, 1, T0 + 2, 2, 3000, b64(binary)],
    [1, 1, T0 + 3, 1, 10, 'short text'],
    // Already cut by a hook that had a larger bound, and one past the hook's budget (no preview).
    [1, 1, T0 + 4, 1, 90_000, 'y'.repeat(2000), 1],
    [1, 1, T0 + 5, 2, 70_000, '', 2],
  ];

  it('cuts longer previews to the bound, marks them truncated, and keeps every size', () => {
    const messages = ingestWith(1024, rows);
    expect(messages.map((m) => [m.size, m.preview.length, m.truncated, m.evicted ?? false])).toEqual([
      [5000, 1024, true, false],
      [3000, 1368, true, false],
      [10, 10, false, false],
      [90_000, 1024, true, false],
      [70_000, 0, true, true],
    ]);
    expect(messages[0].preview).toBe('x'.repeat(1024));
    expect(messages[1].preview).toBe(b64(binary.subarray(0, 1024)));
  });

  it('keeps no content with sizes only, and everything without a bound', () => {
    expect(ingestWith(0, rows).map((m) => [m.preview, m.truncated])).toEqual([
      ['', true],
      ['', true],
      ['', true],
      ['', true],
      ['', true],
    ]);
    expect(ingestWith(undefined, rows).map((m) => m.preview.length)).toEqual([5000, 4000, 10, 2000, 0]);
  });
});
