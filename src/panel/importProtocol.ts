// Messages between the panel's Import (the viewer's too) and the HAR parsing
// worker (./import.worker.ts). The session comes back in pieces (the
// skeleton, then messages in slices) so that no single structured clone
// arrives as one long task on the page's thread, whatever the file's size.
import type { ConnectionFacts } from '../core/facts';
import type { Finding } from '../core/finding';
import type { Message, Session } from '../core/model';

export type ImportPhase = 'reading' | 'parsing' | 'analysing' | 'transferring';

export type ToImportWorker = { kind: 'import'; file: Blob; fileName: string };

export type FromImportWorker =
  | { kind: 'progress'; phase: ImportPhase; done: number; total: number }
  /** The session with every connection's `messages` empty; they follow in `messages` slices. */
  | { kind: 'head'; session: Session; facts: Map<string, ConnectionFacts>; findings: Finding[]; savedFindings?: Finding[]; source: 'socketscope-har' | 'chrome-har'; warnings: string[]; messageCount: number }
  | { kind: 'messages'; connection: number; messages: Message[] }
  | { kind: 'done'; timings: ImportTimings }
  | { kind: 'error'; message: string };

export interface ImportTimings {
  /** Reading and parsing the file (one pass, chunk by chunk). */
  readMs: number;
  /** Building the session from what was parsed (fromHar). */
  parseMs: number;
  analyseMs: number;
  bytes: number;
}
