// The standalone viewer: opens a .har file (SocketScope's or Chrome DevTools'
// own) without DevTools and without a live tab, and shows it with the panel's
// own views (timeline, messages, diagnosis). Files are parsed in a worker
// with progress (src/panel/importHar.ts, shared with the panel's Import), so
// a 100 MB file does not freeze the page. Drop a file anywhere on the page,
// or use "Open a file…". Arrows go one way: the viewer imports the panel,
// never the reverse.
import { render } from 'preact';
import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { App } from '../panel/App';
import { link, linkError, replaceAnalyzedSession } from '../panel/store';
import { setImportHandler } from '../panel/qa';
import { followTheme } from '../panel/theme';
import { errorText, formatMeasured } from '../core/format';
import { importHarFile, type ImportedFile, type ImportProgress } from '../panel/importHar';
import type {} from './protocol'; // window.socketscopeViewer

type ViewerState =
  | { kind: 'empty' }
  | { kind: 'loading'; fileName: string; progress?: ImportProgress }
  | { kind: 'loaded'; file: ImportedFile }
  | { kind: 'failed'; fileName: string; message: string };

const state = signal<ViewerState>({ kind: 'empty' });
/** The last loaded file stays on screen while another one loads or fails. */
const loaded = signal<ImportedFile | undefined>(undefined);
const dragging = signal(false);


async function openFile(file: File): Promise<void> {
  if (state.peek().kind === 'loading') return;
  state.value = { kind: 'loading', fileName: file.name };
  try {
    const imported = await importHarFile(file, (progress) => {
      state.value = { kind: 'loading', fileName: file.name, progress };
    });
    link.value = 'imported';
    linkError.value = undefined;
    // Annotated and diagnosed in the worker already: nothing heavy runs on this thread.
    replaceAnalyzedSession(imported.session, imported);
    loaded.value = imported;
    state.value = { kind: 'loaded', file: imported };
    document.title = `${file.name} · SocketScope viewer`;
    let messages = 0;
    for (const connection of imported.session.connections) messages += connection.messages.length;
    window.socketscopeViewer = {
      lastImport: {
        fileName: file.name,
        connections: imported.session.connections.length,
        messages,
        findings: imported.findings.map((finding) => finding.kind),
        timings: imported.timings,
      },
    };
  } catch (error) {
    state.value = { kind: 'failed', fileName: file.name, message: errorText(error) };
  }
}

function OpenButton({ label }: { label: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="open-button" onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept=".har,application/json,.json"
        aria-label="HAR file"
        hidden
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void openFile(file);
        }}
      />
    </>
  );
}

function Progress() {
  const current = state.value;
  if (current.kind === 'loading') {
    return (
      <div role="status" aria-label="Import progress">
        <p>
          Opening <b>{current.fileName}</b>
        </p>
        <progress max={1} value={current.progress?.fraction ?? 0} />
        <p>{current.progress?.label ?? 'Starting…'}</p>
      </div>
    );
  }
  if (current.kind === 'failed') {
    return (
      <p class="import-error" role="alert">
        Could not open {current.fileName}: {current.message}
      </p>
    );
  }
  return null;
}

function Landing() {
  return (
    <div class="landing">
      <div class="dropzone">
        <h1>SocketScope viewer</h1>
        <p>Drop a .har file here, or open one: a SocketScope export, or a HAR exported by Chrome DevTools’ Network panel.</p>
        <p>
          <OpenButton label="Open a file…" />
        </p>
        <Progress />
        <p>The file stays on this computer: it is read here, nothing is uploaded.</p>
      </div>
    </div>
  );
}

function FileBar({ file }: { file: ImportedFile }) {
  const { session, source, timings } = file;
  const what = source === 'chrome-har' ? 'Chrome DevTools HAR' : 'SocketScope HAR';
  const range = `${new Date(session.startedAt).toLocaleString()}${session.endedAt ? ` – ${new Date(session.endedAt).toLocaleTimeString()}` : ''}`;
  return (
    <>
      <div class="filebar" aria-label="Imported file">
        <span class="file-name">{file.fileName}</span>
        <span class="file-meta">
          {what}
          {session.name ? ` · “${session.name}”` : ''}
          {session.pageUrl ? ` · ${session.pageUrl}` : ''} · {range}
          {session.redacted ? ' · redacted' : ''} · loaded in {formatMeasured(timings.totalMs)}
        </span>
        {state.value.kind === 'loading' && <span>{state.value.progress?.label ?? 'Opening…'}</span>}
        {state.value.kind === 'failed' && <span class="import-error">{state.value.message}</span>}
        <OpenButton label="Open another file…" />
      </div>
      {file.warnings.filter((warning) => !warning.startsWith('This HAR was not made by SocketScope')).length > 0 && (
        <ul class="warnings" aria-label="Import warnings">
          {file.warnings
            .filter((warning) => !warning.startsWith('This HAR was not made by SocketScope'))
            .map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
        </ul>
      )}
    </>
  );
}

function Viewer() {
  useEffect(() => {
    // Dropping anywhere opens the file; without preventDefault the browser would navigate to it.
    let depth = 0;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth++;
      dragging.value = true;
    };
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) dragging.value = false;
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      dragging.value = false;
      const file = event.dataTransfer?.files[0];
      if (file) void openFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  const file = loaded.value;
  return (
    <div class={`viewer${dragging.value ? ' dragging' : ''}`}>
      {file ? (
        <>
          <FileBar file={file} />
          <App />
        </>
      ) : (
        <Landing />
      )}
    </div>
  );
}

link.value = 'imported';
// The panel toolbar's Import button opens files the viewer's way (progress, file bar).
setImportHandler(openFile);
followTheme();
render(<Viewer />, document.getElementById('app')!);
