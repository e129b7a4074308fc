// Messages between the viewer (or the panel's Import) and the HAR parsing
// worker. The session comes back in pieces (the skeleton, then messages in
// slices) so that no single structured-clone arrives as one long task on the
// page's thread, whatever the size of the file.
import type { Finding } from '../core/finding';
import type { Message, Session } from '../core/model';

export type ImportPhase = 'reading' | 'parsing' | 'analysing' | 'transferring';

export type ToImportWorker = { kind: 'import'; file: Blob; fileName: string };

export type FromImportWorker =
  | { kind: 'progress'; phase: ImportPhase; done: number; total: number }
  /** The session with every connection's `messages` empty; they follow in `messages` slices. */
  | { kind: 'head'; session: Session; findings: Finding[]; savedFindings?: Finding[]; source: 'socketscope-har' | 'chrome-har'; warnings: string[]; messageCount: number }
  | { kind: 'messages'; connection: number; messages: Message[] }
  | { kind: 'done'; timings: ImportTimings }
  | { kind: 'error'; message: string };

export interface ImportTimings {
  readMs: number;
  parseMs: number;
  analyseMs: number;
  bytes: number;
}

/** For the end-to-end tests and the curious: the viewer's last import, on `window.socketscopeViewer`. */
export interface ViewerLastImport {
  fileName: string;
  connections: number;
  messages: number;
  findings: string[];
  timings: ImportTimings & { totalMs: number };
}

declare global {
  interface Window {
    socketscopeViewer?: { lastImport?: ViewerLastImport };
  }
}
