// The compact record of a document's held batches (docs/decisions.md, 73): what the relay hands over when a
// document goes away (pagehide) or freezes while nothing was reading it. Everything but the oldest messages:
// every record (creates, opens, closes, errors, page events), every count, and each connection's last
// KEPT_PER_CONNECTION messages; the messages left out are counted per connection in `unread`, as the oldest
// of their connection, which the background reads like the memory cap's drop (src/core/ingest.ts).
//
// Pure: the relay's held batch strings in, one batch string out (or undefined: hand the batches over as they are).
import { KEPT_PER_CONNECTION, type PackedColumns, type PageBatch, type PageRecord } from '../protocol/page';
import { metaId } from '../core/wire';

/** One batch for `held` (the hook's batch strings, in seq order); undefined when they are not the hook's packed form. */
export function compactBatches(held: readonly string[], keep = KEPT_PER_CONNECTION): string | undefined {
  if (!held.length) return undefined;
  let batches: unknown[];
  try {
    batches = held.map((json): unknown => JSON.parse(json));
  } catch {
    return undefined;
  }
  // A page that redefines toJSON can bend what the hook serializes (README, Memory): anything but the hook's packed
  // form, with one t0, is handed over as it is, for the background to check and count.
  const t0 = (batches[0] as PageBatch | null)?.t0;
  if (typeof t0 !== 'number' || !batches.every((batch) => isHookBatch(batch, t0))) return undefined;
  return compactChecked(batches as PageBatch[], t0, keep);
}

const isArray = (value: unknown, length?: number): value is unknown[] => Array.isArray(value) && (length === undefined || value.length === length);

/** The hook's packed batch shape, as far as compacting reads it (the background validates every value). */
function isHookBatch(value: unknown, t0: number): value is PageBatch {
  if (value === null || typeof value !== 'object') return false;
  const batch = value as Partial<Record<keyof PageBatch, unknown>>;
  const columns = batch.messages as Partial<Record<keyof PackedColumns, unknown>> | null | undefined;
  if (batch.t0 !== t0 || !isArray(batch.records) || !batch.records.every((record) => record !== null && typeof record === 'object')) return false;
  if (columns === null || typeof columns !== 'object' || !isArray(columns.meta)) return false;
  const rows = columns.meta.length;
  return isArray(columns.time, rows) && isArray(columns.size, rows) && isArray(columns.preview, rows) && (columns.sse === undefined || isArray(columns.sse)) && (batch.simRows === undefined || isArray(batch.simRows));
}

function compactChecked(batches: PageBatch[], t0: number, keep: number): string {
  const columns = batches.map((batch) => batch.messages as PackedColumns);

  // The last `keep` rows of each connection, walking back from the newest.
  const keptCount = new Map<number, number>();
  const omitted = new Map<number, number>();
  const kept: number[][] = batches.map(() => []);
  for (let b = batches.length - 1; b >= 0; b--) {
    const { meta } = columns[b];
    for (let i = meta.length - 1; i >= 0; i--) {
      const id = metaId(meta[i]);
      const count = keptCount.get(id) ?? 0;
      if (count < keep) {
        keptCount.set(id, count + 1);
        kept[b].push(i);
      } else omitted.set(id, (omitted.get(id) ?? 0) + 1);
    }
    kept[b].reverse();
  }

  const out: PackedColumns = { meta: [], time: [], size: [], preview: [] };
  const sse: (number | string)[] = [];
  const simRows: number[] = [];
  const records: PageRecord[] = [];
  let droppedMessages = 0;
  let droppedRecords = 0;
  let last = 0;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b];
    const cols = columns[b];
    droppedMessages += batch.droppedMessages || 0;
    droppedRecords += batch.droppedRecords || 0;
    // Absolute times of this batch's rows (its differences start from t0 again), read up to the last kept row.
    const rows = kept[b];
    const outRowOf = new Map<number, number>();
    let clock = 0;
    let next = 0;
    for (let i = 0; next < rows.length; i++) {
      clock += cols.time[i];
      if (rows[next] !== i) continue;
      const at = out.meta.length;
      outRowOf.set(i, at);
      out.meta.push(cols.meta[i]);
      out.time.push(Math.max(0, clock - last));
      last = Math.max(last, clock);
      out.size.push(cols.size[i]);
      out.preview.push(cols.preview[i]);
      next++;
    }
    // A record's `at` counts the messages of its batch recorded before it: here, the kept ones before it in the whole record.
    const base = out.meta.length - rows.length;
    for (const record of batch.records) {
      let before = 0;
      while (before < rows.length && rows[before] < record.at) before++;
      records.push({ ...record, at: base + before });
    }
    const column = cols.sse ?? [];
    for (let i = 0; i + 2 < column.length; i += 3) {
      const row = outRowOf.get(column[i] as number);
      if (row !== undefined) sse.push(row, column[i + 1], column[i + 2]);
    }
    for (const row of batch.simRows ?? []) {
      const at = outRowOf.get(row);
      if (at !== undefined) simRows.push(at);
    }
  }
  if (sse.length) out.sse = sse;
  const compact: PageBatch = { v: batches[0].v, seq: batches[batches.length - 1].seq, t0, records, messages: out, droppedMessages };
  if (droppedRecords) compact.droppedRecords = droppedRecords;
  if (simRows.length) compact.simRows = simRows;
  if (omitted.size) compact.unread = [...omitted].flat();
  return JSON.stringify(compact);
}
