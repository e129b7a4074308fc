// The session as plain JSON, and its messages as CSV: the Export dialog's
// other two formats. Pure, like the HAR writer.

import { csvCell } from './csvCell';
import type { Finding } from './finding';
import { isoDateForFile } from './format';
import { SOCKETSCOPE_HAR_VERSION } from './har/types';
import type { Session } from './model';

/** The session as plain JSON (wrapped so a reader can tell it from a HAR). */
export function sessionToJson(session: Session, options: { findings?: Finding[]; pretty?: boolean } = {}): string {
  const document = {
    format: 'socketscope-session',
    version: SOCKETSCOPE_HAR_VERSION,
    session,
    findings: options.findings ?? [],
  };
  return options.pretty ? JSON.stringify(document, null, 2) : JSON.stringify(document);
}

const CSV_COLUMNS = [
  'connection id',
  'url',
  'index',
  'direction',
  'time',
  'opcode',
  'size',
  'heartbeat',
  'truncated',
  'preview',
];

/** One row per message, RFC 4180 (CRLF line ends, quotes doubled, fields with , " CR LF quoted). */
export function messagesToCsv(session: Session): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const connection of session.connections) {
    const id = csvField(connection.id);
    const url = csvField(connection.url);
    for (const message of connection.messages) {
      lines.push(
        [
          id,
          url,
          String(message.index),
          message.direction,
          isoDateForFile(message.time),
          String(message.opcode),
          String(message.size),
          message.heartbeat ?? '',
          message.truncated ? 'true' : 'false',
          csvField(message.preview),
        ].join(','),
      );
    }
  }
  return lines.join('\r\n') + '\r\n';
}

/** A text cell: RFC 4180 quoting and formula-injection neutralisation (src/core/csvCell.ts). */
export function csvField(value: string): string {
  return csvCell(value);
}
