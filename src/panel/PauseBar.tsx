// Pause: the views stay as they were while capture goes on underneath (the
// store applies every delta, src/panel/store.ts), with a bar that says what
// arrived meanwhile and a Resume button. P toggles it (src/panel/keyboard.ts).
import { signal } from '@preact/signals';
import { PREVIEW_CHOICES, PREVIEW_MAX } from '../protocol/page';
import type { Settings } from '../protocol/messages';
import { send } from './live';
import { arrivedWhilePaused, link, pause, paused, resume, settings } from './store';

export function PauseButton() {
  const isPaused = paused.value;
  if (link.value === 'imported') return null;
  return (
    <button
      type="button"
      class="tool-button icon-button"
      aria-pressed={isPaused}
      aria-label={isPaused ? 'Resume the view' : 'Pause the view'}
      title={isPaused ? 'Resume: show what arrived while paused (P)' : 'Pause the view; capture goes on underneath (P)'}
      onClick={() => (isPaused ? resume() : pause())}
    >
      <span aria-hidden="true">{isPaused ? '▶' : '❚❚'}</span>
      <span class="menu-only" aria-hidden="true">
        {isPaused ? ' Resume' : ' Pause'}
      </span>
    </button>
  );
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** The bar under the toolbar while paused. */
export function PauseBar() {
  if (!paused.value) return null;
  const { messages, connections, pageEvents } = arrivedWhilePaused.value;
  const parts = [plural(messages, 'new message', 'new messages')];
  if (connections) parts.push(plural(connections, 'new connection', 'new connections'));
  if (pageEvents) parts.push(plural(pageEvents, 'page event', 'page events'));
  return (
    <div class="banner pause-bar" role="status" data-testid="pause-bar">
      <span>Paused · {parts.join(' · ')}</span>
      <span class="toolbar-spacer" />
      <button type="button" class="tool-button" onClick={resume}>
        Resume
      </button>
    </div>
  );
}

/** Shows a change to the background's settings at once (its broadcast confirms it) and sends it. */
function changeSetting(patch: Partial<Settings>): void {
  const current = settings.value;
  if (current) settings.value = { ...current, ...patch };
  send({ kind: 'settings', settings: patch });
}

/**
 * Preserve log, the background's setting (src/protocol/messages.ts Settings):
 * off ("clear on reload"), a top-level navigation or reload starts a new
 * session, as in the Network panel; a recording in progress keeps its session.
 */
export function PreserveLogToggle({ tabId }: { tabId?: number }) {
  const current = settings.value;
  if (link.value === 'imported' || tabId === undefined) return null;
  return (
    <label class="check tool-check" title="Keep the records across reloads and navigations (off: a reload clears the panel, as in the Network panel)">
      <input
        type="checkbox"
        checked={current?.preserveLog ?? true}
        disabled={!current}
        onChange={(event) => {
          const preserveLog = event.currentTarget.checked;
          changeSetting({ preserveLog });
        }}
      />
      Preserve log
    </label>
  );
}

/** Whether the capture settings' bar (below the toolbar) is shown. */
export const captureSettingsOpen = signal(false);

/** The toolbar's gear: shows or hides the capture settings' bar (as the Network panel's gear shows its settings). */
export function CaptureSettingsButton({ tabId }: { tabId?: number }) {
  if (link.value === 'imported' || tabId === undefined) return null;
  const open = captureSettingsOpen.value;
  return (
    <button
      type="button"
      class="tool-button icon-button"
      aria-pressed={open}
      aria-label="Capture settings"
      aria-controls="capture-settings"
      title="Capture settings: Every tab live"
      onClick={() => (captureSettingsOpen.value = !open)}
    >
      <span aria-hidden="true">⚙</span>
      <span class="menu-only" aria-hidden="true">
        {' '}Capture settings
      </span>
    </button>
  );
}

/**
 * The capture settings' bar: Every tab live, the background's setting (Settings.everyTabLive, docs/decisions.md 74).
 * Off (the default), a tab's pages keep what they capture until something reads that tab (its panel, the popup, a
 * recording or a policy on it); on, every tab hands each message over as it comes. Escape closes the bar.
 */
export function CaptureSettingsBar({ tabId }: { tabId?: number }) {
  const current = settings.value;
  if (!captureSettingsOpen.value || link.value === 'imported' || tabId === undefined) return null;
  return (
    <div
      id="capture-settings"
      class="settings-bar"
      role="group"
      aria-label="Capture settings"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        captureSettingsOpen.value = false;
      }}
    >
      <label class="check" title="Every tab hands its messages over to SocketScope as they come, not only the tabs you read">
        <input
          type="checkbox"
          checked={current?.everyTabLive === true}
          disabled={!current}
          onChange={(event) => {
            const everyTabLive = event.currentTarget.checked;
            changeSetting({ everyTabLive });
          }}
        />
        Every tab live
      </label>
      <span class="settings-note">
        Off: a tab’s pages keep what they capture until you read that tab (its panel, the popup, a recording or a policy on it), then hand all of it over. On: every tab hands each message over as it comes, so a page that crashes loses nothing, at more CPU for busy sockets in other tabs.
      </span>
    </div>
  );
}

const previewLabel = (bytes: number): string => (bytes === 0 ? 'sizes only' : `${bytes / 1024} KiB`);

/**
 * The preview bound, the background's setting (Settings.previewBytes): how much of each message the hooks keep,
 * in every tab, from the moment they get it; what is already recorded stays as it is (README, Previews).
 */
export function PreviewSizeSelect({ tabId }: { tabId?: number }) {
  const current = settings.value;
  if (link.value === 'imported' || tabId === undefined) return null;
  return (
    <label class="tool-check" title="How much of each message to keep, as text or base64, in every tab from now on (what is recorded stays). Smaller previews leave room for more messages in the tab's memory cap; sizes only keeps no content, so heartbeats are not recognised">
      Previews{' '}
      <select
        aria-label="Preview size"
        value={String(current?.previewBytes ?? PREVIEW_MAX)}
        disabled={!current}
        onChange={(event) => {
          const previewBytes = Number(event.currentTarget.value);
          changeSetting({ previewBytes });
        }}
      >
        {PREVIEW_CHOICES.map((bytes) => (
          <option key={bytes} value={String(bytes)}>
            {previewLabel(bytes)}
          </option>
        ))}
      </select>
    </label>
  );
}
