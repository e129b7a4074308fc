// The QA workflow's state in the panel: the tab's recording (sent by the
// background after each snapshot and on every change), the export options,
// and importing a file into the panel.
import { batch, signal } from '@preact/signals';
import type { Note } from '../core/model';
import { buildExport, withRecording } from '../core/exportFile';
import { errorText } from '../core/format';
import { importHarFile, type ImportProgress } from './importHar';
import { download } from './download';
import { link, linkError, replaceAnalyzedSession, revision, session } from './store';
import { send, unwatch } from './live';
import { recording } from './recordingState';

export { recording };

export { exportChoices, parseKeys, type ExportChoices, type RangeChoice } from './exportChoices';
import { parseKeys, type ExportChoices } from './exportChoices';

/** Builds and downloads the file. Defaults (one click on Export): HAR, the recorded range when there is one, no redaction. */
export function exportNow(choices: ExportChoices = { format: 'har', range: 'recording', includeHeartbeats: true, redact: false, redactKeys: '' }): void {
  const current = session.peek();
  const active = link.peek() === 'imported' ? undefined : recording.peek();
  let target = current;
  let from: number | undefined;
  let to: number | undefined;
  if (choices.range === 'recording' && active) ({ session: target, from, to } = withRecording(current, active));
  else if (choices.range === 'custom') {
    from = choices.from;
    to = choices.to;
  }
  const file = buildExport(target, {
    format: choices.format,
    includeHeartbeats: choices.includeHeartbeats,
    from,
    to,
    redact: choices.redact ? { keys: parseKeys(choices.redactKeys) } : false,
    creator: { name: 'SocketScope', version: __VERSION__ },
  });
  download(file.fileName, file.text, file.mimeType);
}

// ---- notes ----

/** Live tab: the background adds the note (persisted, on every panel). Imported file: added here, kept in a re-export. */
export function addNote(tabId: number | undefined, text: string, time: number): void {
  const trimmed = text.trim();
  if (!trimmed) return;
  if (link.peek() !== 'imported' && tabId !== undefined) {
    send({ kind: 'note-add', tabId, text: trimmed, time });
    return;
  }
  const note: Note = { id: `note-${Date.now().toString(36)}`, time, text: trimmed };
  session.peek().notes.push(note);
  revision.value++;
}

// ---- import ----

export const importProgress = signal<ImportProgress | undefined>(undefined);
export const importError = signal<string | undefined>(undefined);

type ImportHandler = (file: File) => void | Promise<void>;
let importHandler: ImportHandler | undefined;

/** The standalone viewer opens files its own way (with its file bar): it registers here. */
export function setImportHandler(handler: ImportHandler): void {
  importHandler = handler;
}

export function hasCustomImportHandler(): boolean {
  return importHandler !== undefined;
}

/** Opens a HAR in the panel: stops following the tab, shows the file (the panel says "Imported file"). */
export async function importIntoPanel(file: File): Promise<void> {
  if (importHandler) return importHandler(file);
  if (importProgress.peek()) return;
  importError.value = undefined;
  importProgress.value = { phase: 'reading', fraction: 0, label: `Opening ${file.name}…` };
  try {
    const imported = await importHarFile(file, (progress) => (importProgress.value = progress));
    unwatch();
    batch(() => {
      recording.value = undefined;
      linkError.value = undefined;
      replaceAnalyzedSession(imported.session, imported);
      link.value = 'imported';
    });
  } catch (error) {
    importError.value = `Could not open ${file.name}: ${errorText(error)}`;
  } finally {
    importProgress.value = undefined;
  }
}
