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
  // Two steps, so that a flood's previews (most of a held batch's JSON) are parsed only where a row is kept: each batch's
  // records, counts and `meta` column first (headOf), which choose the rows; then, whole, only the batches holding a kept
  // row. On a 50k-message text flood's 13 batches that took the parse from 7.5 to 2.5 ms (cold, in Node): the compact
  // record is made as the page goes away, once, with its code cold (docs/performance.md, "The leaving's parse").
  const batches: PageBatch[] = [];
  const whole: boolean[] = [];
  let t0: unknown;
  for (let b = 0; b < held.length; b++) {
    let batch = headOf(held[b]);
    whole[b] = !batch;
    try {
      batch ??= JSON.parse(held[b]) as PageBatch;
    } catch {
      return undefined;
    }
    if (b === 0) t0 = (batch as PageBatch | null)?.t0;
    // A page that redefines toJSON can bend what the hook serializes (README, Memory): anything but the hook's packed
    // form, with one t0, is handed over as it is, for the background to check and count.
    if (typeof t0 !== 'number' || !(whole[b] ? isHookBatch(batch, t0) : isHookHead(batch, t0))) return undefined;
    batches[b] = batch;
  }
  return compactChecked(batches, held, whole, t0 as number, keep);
}

/**
 * A hook batch's JSON without its message columns but `meta`: `{"v":…,"records":[…],"messages":{"meta":[…]},"droppedMessages":…}`.
 * The hook writes `messages` between `records` and `droppedMessages`, with `meta` first; `"` is escaped in every JSON
 * string, so `"messages":{"meta":[` and `},"droppedMessages":` can only be keys. Undefined when the JSON is not laid out
 * so: the batch is then parsed whole.
 */
function headOf(json: string): PageBatch | undefined {
  const meta = json.indexOf('"messages":{"meta":[');
  const end = meta < 0 ? -1 : json.indexOf(']', meta + 20);
  const tail = json.lastIndexOf('},"droppedMessages":');
  if (end < 0 || tail < end) return undefined;
  try {
    return JSON.parse(json.slice(0, end + 1) + json.slice(tail)) as PageBatch;
  } catch {
    return undefined;
  }
}

const isArray = (value: unknown, length?: number): value is unknown[] => Array.isArray(value) && (length === undefined || value.length === length);

/** What headOf gives: the hook's batch shape but for the message columns after `meta`. */
function isHookHead(value: unknown, t0: number): value is PageBatch {
  if (value === null || typeof value !== 'object') return false;
  const batch = value as Partial<Record<keyof PageBatch, unknown>>;
  const columns = batch.messages as Partial<Record<keyof PackedColumns, unknown>> | null | undefined;
  return batch.t0 === t0 && isArray(batch.records) && batch.records.every((record) => record !== null && typeof record === 'object') && columns !== null && typeof columns === 'object' && isArray(columns.meta) && (batch.simRows === undefined || isArray(batch.simRows));
}

/** The hook's packed batch shape, as far as compacting reads it (the background validates every value). */
function isHookBatch(value: unknown, t0: number): value is PageBatch {
  if (!isHookHead(value, t0)) return false;
  const columns = value.messages as Partial<Record<keyof PackedColumns, unknown>>;
  const rows = (columns.meta as unknown[]).length;
  return isArray(columns.time, rows) && isArray(columns.size, rows) && isArray(columns.preview, rows) && (columns.sse === undefined || isArray(columns.sse));
}

function compactChecked(batches: PageBatch[], held: readonly string[], whole: boolean[], t0: number, keep: number): string | undefined {
  // The last `keep` rows of each connection, walking back from the newest; a run of one connection's rows (a flood's)
  // costs no Map operation per row.
  const keptCount = new Map<number, number>();
  const omitted = new Map<number, number>();
  const kept: number[][] = batches.map(() => []);
  let started = false;
  let id = 0;
  let count = 0;
  let over = 0;
  const endRun = () => {
    keptCount.set(id, count);
    if (over) omitted.set(id, (omitted.get(id) ?? 0) + over);
  };
  for (let b = batches.length - 1; b >= 0; b--) {
    const { meta } = batches[b].messages as PackedColumns;
    const rows = kept[b];
    for (let i = meta.length - 1; i >= 0; i--) {
      const rowId = metaId(meta[i]);
      if (!started || rowId !== id) {
        if (started) endRun();
        started = true;
        id = rowId;
        count = keptCount.get(id) ?? 0;
        over = 0;
      }
      if (count < keep) {
        count++;
        rows.push(i);
      } else over++;
    }
    rows.reverse();
    // A batch holding a kept row is read whole now; it must say what its head said.
    if (rows.length && !whole[b]) {
      let batch: PageBatch;
      try {
        batch = JSON.parse(held[b]) as PageBatch;
      } catch {
        return undefined;
      }
      if (!isHookBatch(batch, t0) || (batch.messages as PackedColumns).meta.length !== meta.length || batch.records.length !== batches[b].records.length) return undefined;
      batches[b] = batch;
    }
  }
  if (started) endRun();
  const columns = batches.map((batch) => batch.messages as PackedColumns);

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
