// The QA workflow's toolbar controls: Record / Stop (with the session name),
// Add note (N), the export options (format, range, heartbeats, redaction),
// and Import (a file picker, or a file dropped on the panel).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { formatClock } from '../core/format';
import { NOTE_MAX_CHARS, RECORDING_NAME_MAX_CHARS } from '../protocol/messages';
import { send } from './live';
import { link, session, sessionLoading } from './store';
import {
  addNote,
  exportChoices,
  exportNow,
  hasCustomImportHandler,
  importError,
  importIntoPanel,
  importProgress,
  parseKeys,
  recording,
  type ExportChoices,
} from './qa';
import { revealActions } from './toolbarMenu';
import './qa.css';

type Popover = 'record' | 'note' | 'options' | undefined;

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** Export waits while the panel says it is loading (store.ts, sessionLoading). */
const LOADING_TITLE = "Loading the tab's session: Export is ready once it has arrived";

/** The QA buttons, for Toolbar's actions slot. */
export function QaTools({ tabId }: { tabId?: number }) {
  const [open, setOpen] = useState<Popover>(undefined);
  const [, setTick] = useState(0);
  const imported = link.value === 'imported';
  const live = !imported && tabId !== undefined;
  const current = live ? recording.value : undefined;
  const active = current !== undefined && current.endedAt === undefined;
  const loading = sessionLoading.value;

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [active]);

  // N: add a note (when not typing somewhere). Esc closes a popover.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if (event.key === 'Escape' && open) {
        setOpen(undefined);
        event.preventDefault();
      } else if ((event.key === 'n' || event.key === 'N') && !event.ctrlKey && !event.metaKey && !event.altKey && !isTextField(event.target)) {
        setOpen('note');
        revealActions();
        event.preventDefault();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <>
      <button
        type="button"
        class="tool-button"
        onClick={() => exportNow()}
        disabled={loading}
        title={
          loading
            ? LOADING_TITLE
            : current
              ? `Download the recording “${current.name}” as a HAR file (its time range; Chrome's format with SocketScope's close and heartbeat fields)`
              : "Download this session as a HAR file (Chrome's format, with SocketScope's close and heartbeat fields)"
        }
      >
        Export
      </button>
      <span class="qa-anchor">
        <button
          type="button"
          class="tool-button"
          aria-haspopup="dialog"
          aria-expanded={open === 'options'}
          aria-label="Download options"
          title="Download options: HAR, JSON or CSV; time range; heartbeats; redaction"
          onClick={() => setOpen(open === 'options' ? undefined : 'options')}
        >
          <span class="inline-only" aria-hidden="true">
            ▾
          </span>
          <span class="menu-only" aria-hidden="true">
            Download options…
          </span>
        </button>
        {open === 'options' && <ExportOptions onDone={() => setOpen(undefined)} hasRecording={current !== undefined} />}
      </span>
      <span class="toolbar-divider" />
      {live && (
        <span class="qa-anchor">
          {active ? (
            <button type="button" class="tool-button qa-stop" onClick={() => send({ kind: 'record-stop', tabId: tabId! })} title={`Stop recording “${current.name}”`}>
              <span class="qa-dot" aria-hidden="true" />
              Stop · {elapsed(Date.now() - current.startedAt)}
            </button>
          ) : (
            <button
              type="button"
              class="tool-button qa-record"
              aria-haspopup="dialog"
              aria-expanded={open === 'record'}
              onClick={() => setOpen(open === 'record' ? undefined : 'record')}
              title="Record a named QA session on this tab: continues across reloads and navigations, with notes. Capture itself is always on."
            >
              ● Record
            </button>
          )}
          {open === 'record' && !active && (
            <RecordForm
              onStart={(name) => {
                send({ kind: 'record-start', tabId: tabId!, name });
                setOpen(undefined);
              }}
            />
          )}
        </span>
      )}
      <span class="qa-anchor">
        <button
          type="button"
          class="tool-button"
          aria-haspopup="dialog"
          aria-expanded={open === 'note'}
          onClick={() => setOpen(open === 'note' ? undefined : 'note')}
          title="Add a note: a text marker on the timeline at this moment (N)"
        >
          Add note
        </button>
        {open === 'note' && (
          <NoteForm
            onAdd={(text, time) => {
              addNote(tabId, text, time);
              setOpen(undefined);
            }}
          />
        )}
      </span>
      <ImportButton />
      {current && !active && (
        <span class="qa-recorded" title="The last recording's range: Export writes this range by default">
          “{current.name}” {formatClock(current.startedAt).slice(0, 8)}–{formatClock(current.endedAt!).slice(0, 8)}
        </span>
      )}
    </>
  );
}

function PopoverBox({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="qa-popover" role="dialog" aria-label={label}>
      {children}
    </div>
  );
}

function RecordForm({ onStart }: { onStart: (name: string) => void }) {
  const [name, setName] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <PopoverBox label="Start recording">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onStart(name);
        }}
      >
        <label class="qa-field">
          Session name
          <input ref={field} type="text" value={name} maxLength={RECORDING_NAME_MAX_CHARS} placeholder="e.g. Checkout flow, build 412" onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <p class="qa-hint">Marks the start now; Stop marks the end. Nothing is cleared: capture is always on.</p>
        <button type="submit" class="tool-button qa-primary">
          Start recording
        </button>
      </form>
    </PopoverBox>
  );
}

function NoteForm({ onAdd }: { onAdd: (text: string, time: number) => void }) {
  // The note marks the moment the tester opened it, not when they finished typing.
  const [openedAt] = useState(Date.now());
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <PopoverBox label="Add a note">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onAdd(text, openedAt);
        }}
      >
        <label class="qa-field">
          Note at {formatClock(openedAt)}
          <textarea
            ref={field}
            value={text}
            maxLength={NOTE_MAX_CHARS}
            rows={2}
            placeholder="What did you do or see? (Enter to add)"
            onInput={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                onAdd(text, openedAt);
              }
            }}
          />
        </label>
        <button type="submit" class="tool-button qa-primary" disabled={!text.trim()}>
          Add note
        </button>
      </form>
    </PopoverBox>
  );
}

/** "HH:MM:SS" on the session's first day → epoch ms. */
function timeInputValue(epochMs: number | undefined): string {
  if (epochMs === undefined) return '';
  return formatClock(epochMs).slice(0, 8);
}

function parseTimeInput(value: string, dayOf: number): number | undefined {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return undefined;
  const date = new Date(dayOf);
  date.setHours(Number(match[1]), Number(match[2]), Number(match[3] ?? 0), 0);
  return date.getTime();
}

function ExportOptions({ onDone, hasRecording }: { onDone: () => void; hasRecording: boolean }) {
  const choices = exportChoices.value;
  const set = (patch: Partial<ExportChoices>) => (exportChoices.value = { ...exportChoices.peek(), ...patch });
  const range = choices.range === 'recording' && !hasRecording ? 'all' : choices.range;
  const day = session.value.startedAt;
  const loading = sessionLoading.value;
  return (
    <PopoverBox label="Download options">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          exportNow({ ...choices, range });
          onDone();
        }}
      >
        <fieldset>
          <legend>Format</legend>
          {(
            [
              ['har', 'HAR 1.2 (Chrome DevTools can import it)'],
              ['json', 'Session JSON'],
              ['csv', 'Messages CSV (spreadsheets)'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} class="qa-choice">
              <input type="radio" name="format" checked={choices.format === value} onChange={() => set({ format: value })} />
              {label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Time range</legend>
          {hasRecording && (
            <label class="qa-choice">
              <input type="radio" name="range" checked={range === 'recording'} onChange={() => set({ range: 'recording' })} />
              The recording
            </label>
          )}
          <label class="qa-choice">
            <input type="radio" name="range" checked={range === 'all'} onChange={() => set({ range: 'all' })} />
            Everything captured
          </label>
          <label class="qa-choice">
            <input type="radio" name="range" checked={range === 'custom'} onChange={() => set({ range: 'custom' })} />
            From
            <input
              type="text"
              class="qa-time"
              aria-label="From (HH:MM:SS)"
              placeholder="HH:MM:SS"
              value={timeInputValue(choices.from)}
              onChange={(event) => set({ range: 'custom', from: parseTimeInput(event.currentTarget.value, day) })}
            />
            to
            <input
              type="text"
              class="qa-time"
              aria-label="To (HH:MM:SS)"
              placeholder="HH:MM:SS"
              value={timeInputValue(choices.to)}
              onChange={(event) => set({ range: 'custom', to: parseTimeInput(event.currentTarget.value, day) })}
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>Content</legend>
          <label class="qa-choice">
            <input type="checkbox" checked={choices.includeHeartbeats} onChange={(event) => set({ includeHeartbeats: event.currentTarget.checked })} />
            Include heartbeats (ping/pong)
          </label>
          <label class="qa-choice">
            <input type="checkbox" checked={choices.redact} onChange={(event) => set({ redact: event.currentTarget.checked })} />
            Redact secrets (tokens in URLs, Authorization-like fields, Bearer tokens, JWTs)
          </label>
          {choices.redact && (
            <label class="qa-field">
              Also redact these JSON keys
              <input
                type="text"
                value={choices.redactKeys}
                placeholder="e.g. email, userId"
                aria-label="Extra keys to redact"
                onInput={(event) => set({ redactKeys: event.currentTarget.value })}
              />
              {parseKeys(choices.redactKeys).length > 0 && <span class="qa-hint">{parseKeys(choices.redactKeys).length} extra key(s)</span>}
            </label>
          )}
        </fieldset>
        <button type="submit" class="tool-button qa-primary" disabled={loading} title={loading ? LOADING_TITLE : undefined}>
          Download {choices.format.toUpperCase()}
        </button>
      </form>
    </PopoverBox>
  );
}

function ImportButton() {
  const input = useRef<HTMLInputElement>(null);
  const progress = importProgress.value;

  // A file dropped anywhere on the panel opens it (the viewer handles drops itself).
  useEffect(() => {
    if (hasCustomImportHandler()) return;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const over = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      const file = event.dataTransfer?.files[0];
      if (file) void importIntoPanel(file);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      <button
        type="button"
        class="tool-button"
        onClick={() => input.current?.click()}
        disabled={progress !== undefined}
        title="Open a .har file (SocketScope's or Chrome DevTools' export) in this panel; or drop it here"
      >
        Import
      </button>
      <input
        ref={input}
        type="file"
        accept=".har,application/json,.json"
        aria-label="Import a HAR file"
        hidden
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void importIntoPanel(file);
        }}
      />
      {progress && (
        <span class="qa-progress" role="status">
          <progress max={1} value={progress.fraction} /> {progress.label}
        </span>
      )}
      {importError.value && (
        <span class="qa-error" role="alert" title={importError.value} onClick={() => (importError.value = undefined)}>
          {importError.value}
        </span>
      )}
    </>
  );
}
