// Opens a HAR file (SocketScope's or Chrome DevTools' own) without freezing
// the page: the work happens in ./import.worker.ts; this side only appends the
// slices it receives, one task each. Used by the viewer and the panel's Import.
import type { ConnectionFacts } from '../core/facts';
import type { Finding } from '../core/finding';
import type { Session } from '../core/model';
import type { FromImportWorker, ImportPhase, ImportTimings, ToImportWorker } from './importProtocol';

export interface ImportedFile {
  fileName: string;
  session: Session;
  /** The analysis' facts about each connection, by id (computed in the worker). */
  facts: Map<string, ConnectionFacts>;
  /** Recomputed from the imported session (what the panel shows). */
  findings: Finding[];
  /** Saved in the file at export time (SocketScope files only). */
  savedFindings?: Finding[];
  source: 'socketscope-har' | 'chrome-har';
  warnings: string[];
  timings: ImportTimings & { totalMs: number };
}

export interface ImportProgress {
  phase: ImportPhase;
  /** 0..1 over the whole import. */
  fraction: number;
  label: string;
}

/** Share of the progress bar per phase (reading, which parses as it reads, dominates on big files; transferring is quick). */
const PHASES: Record<ImportPhase, [number, number]> = {
  reading: [0, 0.7],
  parsing: [0.7, 0.78],
  analysing: [0.78, 0.88],
  transferring: [0.88, 1],
};

export function importHarFile(file: File, onProgress: (progress: ImportProgress) => void = () => {}): Promise<ImportedFile> {
  const started = performance.now();
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<ImportedFile>((resolve, reject) => {
    let head: Extract<FromImportWorker, { kind: 'head' }> | undefined;
    const finish = (error?: Error, result?: ImportedFile) => {
      worker.terminate();
      if (error) reject(error);
      else resolve(result!);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish(new Error(`Could not read ${file.name}: ${event.message || 'the import worker failed'}.`));
    };
    worker.onmessage = (event: MessageEvent<FromImportWorker>) => {
      const message = event.data;
      switch (message.kind) {
        case 'progress': {
          const [from, to] = PHASES[message.phase];
          const inPhase = message.total > 0 ? message.done / message.total : 0;
          onProgress({ phase: message.phase, fraction: from + (to - from) * inPhase, label: progressLabel(message, file.size) });
          break;
        }
        case 'head':
          head = message;
          break;
        case 'messages': {
          const target = head?.session.connections[message.connection]?.messages;
          if (target) for (const item of message.messages) target.push(item);
          break;
        }
        case 'done':
          if (!head) return finish(new Error(`Could not read ${file.name}: the import stopped early.`));
          finish(undefined, {
            fileName: file.name,
            session: head.session,
            facts: head.facts,
            findings: head.findings,
            savedFindings: head.savedFindings,
            source: head.source,
            warnings: head.warnings,
            timings: { ...message.timings, totalMs: performance.now() - started },
          });
          break;
        case 'error':
          finish(new Error(message.message));
          break;
      }
    };
    const request: ToImportWorker = { kind: 'import', file, fileName: file.name };
    worker.postMessage(request);
  });
}

function progressLabel(message: Extract<FromImportWorker, { kind: 'progress' }>, bytes: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  switch (message.phase) {
    case 'reading':
      return `Reading ${mb(message.done)} of ${mb(bytes)}…`;
    case 'parsing':
      return 'Building the session…';
    case 'analysing':
      return 'Recognising heartbeats and diagnosing…';
    case 'transferring':
      return `Loading ${message.done.toLocaleString()} of ${message.total.toLocaleString()} messages…`;
  }
}
