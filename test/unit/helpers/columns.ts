// A batch's message columns (src/protocol/page.ts MessageColumns) from rows, for the ingest and background tests.
import type { MessageColumns } from '../../../src/protocol/page';

export type ColumnRow = [id: number, dir: number, time: number, opcode: number, size: number, preview: string, truncated?: number];

export function columns(rows: ColumnRow[] = []): MessageColumns {
  const out: MessageColumns = { id: [], dir: [], time: [], opcode: [], size: [], preview: [], truncated: [] };
  for (const [id, dir, time, opcode, size, preview, truncated = 0] of rows) {
    out.id.push(id);
    out.dir.push(dir);
    out.time.push(time);
    out.opcode.push(opcode);
    out.size.push(size);
    out.preview.push(preview);
    out.truncated.push(truncated);
  }
  return out;
}
