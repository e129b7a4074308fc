// The export options the user chose (format, range, heartbeats, redaction):
// one signal read by the export (src/panel/qa.ts) and by Copy as code
// (src/panel/CopyAsCode.tsx), in a module of its own so the latter does not
// pull in the export's link to the background.
import { signal } from '@preact/signals';
import type { ExportFormat } from '../core/exportFile';

export type RangeChoice = 'recording' | 'all' | 'custom';

export interface ExportChoices {
  format: ExportFormat;
  range: RangeChoice;
  /** Custom range, epoch ms. */
  from?: number;
  to?: number;
  includeHeartbeats: boolean;
  redact: boolean;
  /** Extra JSON keys / query parameters to redact, comma-separated as typed. */
  redactKeys: string;
}

export const exportChoices = signal<ExportChoices>({ format: 'har', range: 'recording', includeHeartbeats: true, redact: false, redactKeys: '' });

export function parseKeys(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
