// The toolbar action's popup: Record / Stop for the current tab, a note
// field, and links to the viewer and to the panel in a tab. Works without
// DevTools. It talks to the background with runtime.sendMessage (the
// recording itself lives there and outlives the popup), and keeps a Port open
// while shown so that pages hand over what they hold (decision 73).
//
// The current tab's id comes from tabs.query, which needs no permission (only
// url and title would). `?tabId=N` overrides it (tests open the popup as a tab).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { NOTE_MAX_CHARS, RECORDING_NAME_MAX_CHARS, panelPortName, type PopupToBackground, type RecordingStatus } from '../protocol/messages';

async function currentTabId(): Promise<number | undefined> {
  const fromQuery = new URLSearchParams(location.search).get('tabId');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id !== undefined && tab.id >= 0 ? tab.id : undefined;
}

function ask(message: PopupToBackground): Promise<RecordingStatus> {
  return browser.runtime.sendMessage(message) as Promise<RecordingStatus>;
}

function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
}

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).host || url : '';
  } catch {
    return url ?? '';
  }
}

function Popup({ tabId }: { tabId: number }) {
  const [status, setStatus] = useState<RecordingStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [noteStartedAt, setNoteStartedAt] = useState<number | undefined>();
  const [done, setDone] = useState('');
  const [, setTick] = useState(0);
  const noteField = useRef<HTMLTextAreaElement>(null);

  const run = (message: PopupToBackground) =>
    ask(message)
      .then((next) => {
        setStatus(next);
        setError(undefined);
        return next;
      })
      .catch(() => {
        setError('The extension’s background did not answer. Try again; if it persists, reload the extension.');
        return undefined;
      });

  useEffect(() => {
    void run({ kind: 'recording-status', tabId });
    noteField.current?.focus();
    // An open Port to the background while the popup is shown, reading this tab: its pages that held their batches
    // because nothing read them hand them over now (docs/decisions.md, 73 and 74), so the count below is every socket
    // of the tab; it is asked again every second.
    const port = browser.runtime.connect({ name: panelPortName(tabId) });
    const timer = setInterval(() => {
      setTick((n) => n + 1);
      void ask({ kind: 'recording-status', tabId }).then(setStatus, () => undefined);
    }, 1000);
    return () => {
      clearInterval(timer);
      port.disconnect();
    };
  }, [tabId]);

  const recording = status?.recording;
  const active = status?.recordingActive === true;

  const addNote = async () => {
    const text = note.trim();
    if (!text) return;
    const next = await run({ kind: 'note-add', tabId, text, time: noteStartedAt });
    if (next) {
      setNote('');
      setNoteStartedAt(undefined);
      setDone(`Note added at ${clock(noteStartedAt ?? Date.now())}.`);
    }
  };

  return (
    <div class="popup">
      <h1>
        SocketScope <small title={status?.pageUrl}>{hostOf(status?.pageUrl)}</small>
      </h1>
      <div class={`state${active ? ' recording' : ''}`} role="status" aria-label="Recording state">
        {active && recording ? (
          <>
            <span class="dot" aria-hidden="true" />
            Recording “{recording.name}” · {elapsed(Date.now() - recording.startedAt)}
          </>
        ) : recording?.endedAt !== undefined ? (
          `Last recording “${recording.name}”: ${clock(recording.startedAt)}–${clock(recording.endedAt)}`
        ) : (
          `Not recording · ${status?.connections ?? 0} WebSocket${status?.connections === 1 ? '' : 's'} captured in this tab`
        )}
      </div>
      {active ? (
        <div class="row">
          <button type="button" class="stop" onClick={() => void run({ kind: 'record-stop', tabId })}>
            ■ Stop
          </button>
          <span class="hint">Recording continues across reloads and while the popup and DevTools are closed.</span>
        </div>
      ) : (
        <div class="row">
          <input
            type="text"
            aria-label="Session name"
            placeholder="Session name (optional)"
            value={name}
            maxLength={RECORDING_NAME_MAX_CHARS}
            onInput={(event) => setName(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') void run({ kind: 'record-start', tabId, name });
            }}
          />
          <button type="button" class="record" onClick={() => void run({ kind: 'record-start', tabId, name })}>
            ● Record
          </button>
        </div>
      )}
      <div class="row">
        <textarea
          ref={noteField}
          aria-label="Note"
          placeholder="Add a note to the timeline… (Enter)"
          value={note}
          maxLength={NOTE_MAX_CHARS}
          onInput={(event) => {
            // The note is placed when the tester started writing it, not when they finished.
            if (noteStartedAt === undefined) setNoteStartedAt(Date.now());
            setNote(event.currentTarget.value);
            if (!event.currentTarget.value) setNoteStartedAt(undefined);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              void addNote();
            }
          }}
        />
        <button type="button" onClick={() => void addNote()} disabled={!note.trim()}>
          Add note
        </button>
      </div>
      <div class="done" aria-live="polite">
        {error ? <span class="error">{error}</span> : done || (status ? `${status.notes} note${status.notes === 1 ? '' : 's'} on this tab’s timeline.` : '')}
      </div>
      <div class="links">
        <button
          type="button"
          onClick={() => {
            void browser.tabs.create({ url: browser.runtime.getURL('src/viewer/index.html') });
            window.close();
          }}
          title="Open a .har file (SocketScope’s or Chrome’s) without DevTools"
        >
          Open viewer
        </button>
        <button
          type="button"
          onClick={() => {
            void browser.tabs.create({ url: browser.runtime.getURL(`src/panel/index.html?tabId=${tabId}`) });
            window.close();
          }}
          title="This tab’s live session in the SocketScope panel, as a tab"
        >
          Open panel in a tab
        </button>
      </div>
      <div class="hint">
        <kbd>Alt+Shift+S</kbd> opens this popup · <kbd>Alt+Shift+M</kbd> drops a marker
      </div>
    </div>
  );
}

void currentTabId().then((tabId) => {
  const root = document.getElementById('app')!;
  if (tabId === undefined) render(<p class="popup error">No tab to record here.</p>, root);
  else render(<Popup tabId={tabId} />, root);
});
