// Recording (the QA workflow) on top of the always-on capture. Capture never
// depends on it: every tab already has a live session. A recording is a name
// and a start time put on a tab's session by Record, and an end time put by
// Stop. It resets nothing; exports default to its range. While a tab is
// recording its action shows a "REC" badge, navigations keep the session even
// with "preserve log" off, and notes (text markers) land on the session's
// timeline. Recordings are persisted in storage.session, so they survive the
// service worker stopping and DevTools closing.
import type { BackgroundApi, Clock, PortSender } from './api';
import { MAX_NOTE_CHARS } from '../core/limits';
import type { Note, Session } from '../core/model';
import type { BackgroundToPanel, PopupToBackground, Recording, RecordingCommand, RecordingStatus } from '../protocol/messages';

const STORAGE_KEY = 'recordings';
const BADGE_TEXT = 'REC';
const BADGE_COLOR = '#d93025';
const MAX_NAME_CHARS = 120;
/** A note's time may be when the tester started typing, but not from another day. */
const MAX_NOTE_BACKDATE_MS = 30 * 60_000;

export interface RecordingHost {
  /** The extension API (the real `browser`, or the tests' fakes). */
  api: BackgroundApi;
  clock: Clock;
  /** Resolves once the background restored its tabs. */
  ready: Promise<void>;
  session(tabId: number): Session | undefined;
  /** Adds notes to the tab's session through the normal delta path (persisted, sent to panels). */
  addNotes(tabId: number, notes: Note[]): void;
  broadcast(tabId: number, message: BackgroundToPanel): void;
  /** A recording started or ended somewhere (or the recordings were restored): anyRecording() may have changed. */
  recordingsChanged?(): void;
}

export interface Recordings {
  isRecording(tabId: number): boolean;
  /** Whether any tab is recording now. */
  anyRecording(): boolean;
  handle(command: RecordingCommand): Promise<RecordingStatus>;
  message(tabId: number): BackgroundToPanel;
  /** A new top-level document in the tab: browsers reset per-tab badges on navigation, so set it again. */
  onNavigation(tabId: number): void;
  forget(tabId: number): void;
}

export function initRecordings(host: RecordingHost): Recordings {
  const { api, clock } = host;
  const byTab = new Map<number, Recording>();

  const restored = (async () => {
    const stored = await api.storage.session.get(STORAGE_KEY);
    const saved = stored[STORAGE_KEY] as Record<string, Recording> | undefined;
    for (const [tabId, recording] of Object.entries(saved ?? {})) {
      byTab.set(Number(tabId), recording);
      void showBadge(api, Number(tabId), recording);
    }
    host.recordingsChanged?.();
  })().catch((error: unknown) => console.error('SocketScope: could not restore recordings', error));
  const ready = Promise.all([host.ready, restored]);

  const persist = (): void => {
    void api.storage.session.set({ [STORAGE_KEY]: Object.fromEntries(byTab) }).catch((error: unknown) => console.warn('SocketScope: could not persist recordings', error));
  };

  const isRecording = (tabId: number): boolean => {
    const recording = byTab.get(tabId);
    return recording !== undefined && recording.endedAt === undefined;
  };

  /**
   * The tab's page now. The browser knows it; the background may not: a page that has opened no socket has not said
   * hello while nothing was recording (docs/decisions.md, 71), and the tab's session still has the page before it.
   */
  const pageUrlOf = async (tabId: number): Promise<string | undefined> => {
    try {
      const url = (await api.tabs.get?.(tabId))?.url;
      if (url) return url;
    } catch {
      /* a closed tab, or no access to its page: what the background saw last */
    }
    return host.session(tabId)?.pageUrl;
  };

  const status = (tabId: number, pageUrl: string | undefined): RecordingStatus => {
    const session = host.session(tabId);
    return {
      tabId,
      recording: byTab.get(tabId),
      recordingActive: isRecording(tabId),
      pageUrl,
      connections: session?.connections.length ?? 0,
      notes: session?.notes.length ?? 0,
    };
  };

  const message = (tabId: number): BackgroundToPanel => ({ kind: 'recording', tabId, recording: byTab.get(tabId) });

  const changed = (tabId: number): void => {
    persist();
    host.recordingsChanged?.();
    host.broadcast(tabId, message(tabId));
    void showBadge(api, tabId, byTab.get(tabId));
  };

  const handle = async (command: RecordingCommand): Promise<RecordingStatus> => {
    await ready;
    const { tabId } = command;
    const pageUrl = await pageUrlOf(tabId);
    const now = clock.now();
    switch (command.kind) {
      case 'record-start': {
        if (isRecording(tabId)) break; // Record twice is one recording
        byTab.set(tabId, { tabId, name: cleanName(command.name, pageUrl, now), startedAt: now });
        changed(tabId);
        break;
      }
      case 'record-stop': {
        const recording = byTab.get(tabId);
        if (!recording || recording.endedAt !== undefined) break;
        byTab.set(tabId, { ...recording, endedAt: now });
        changed(tabId);
        break;
      }
      case 'note-add': {
        const text = typeof command.text === 'string' ? command.text.trim().slice(0, MAX_NOTE_CHARS) : '';
        if (!text) break;
        const asked = typeof command.time === 'number' && Number.isFinite(command.time) ? command.time : now;
        const time = Math.min(now, Math.max(now - MAX_NOTE_BACKDATE_MS, asked));
        host.addNotes(tabId, [{ id: `note-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`, time, text }]);
        break;
      }
    }
    return status(tabId, pageUrl);
  };

  // The popup talks in one-shot messages: it lives only while open.
  api.runtime.onMessage.addListener((raw: unknown, sender: PortSender) => {
    // Only our own pages (popup, viewer, panel) — never a content script, which a page could drive.
    if (sender.id !== api.runtime.id || !sender.url?.startsWith(api.runtime.getURL(''))) return undefined;
    const request = raw as PopupToBackground;
    if (!request || typeof request !== 'object' || typeof request.tabId !== 'number') return undefined;
    if (request.kind === 'recording-status') return ready.then(async () => status(request.tabId, await pageUrlOf(request.tabId)));
    if (request.kind === 'record-start' || request.kind === 'record-stop' || request.kind === 'note-add') return handle(request);
    return undefined;
  });

  // Keyboard: "add-marker" drops a note at this instant without opening anything
  // (the popup's shortcut, _execute_action, opens the note field for text).
  api.commands?.onCommand.addListener((command: string, tab?: { id?: number }) => {
    if (command !== 'add-marker') return;
    void (async () => {
      const tabId = tab?.id ?? (await api.tabs.query({ active: true, currentWindow: true }))[0]?.id;
      if (tabId === undefined || tabId < 0) return;
      await handle({ kind: 'note-add', tabId, text: 'Marker (keyboard)' });
    })();
  });

  return {
    isRecording,
    anyRecording: () => [...byTab.keys()].some(isRecording),
    handle,
    message,
    onNavigation(tabId) {
      const recording = byTab.get(tabId);
      if (recording) void showBadge(api, tabId, recording);
    },
    forget(tabId) {
      if (!byTab.delete(tabId)) return;
      persist();
      host.recordingsChanged?.();
    },
  };
}

function cleanName(name: string | undefined, pageUrl: string | undefined, now: number): string {
  const trimmed = (name ?? '').trim().slice(0, MAX_NAME_CHARS);
  if (trimmed) return trimmed;
  let host = '';
  try {
    host = pageUrl ? new URL(pageUrl).host : '';
  } catch {
    /* no host */
  }
  const date = new Date(now);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${host ? host + ' ' : ''}${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function showBadge(api: BackgroundApi, tabId: number, recording: Recording | undefined): Promise<void> {
  const active = recording !== undefined && recording.endedAt === undefined;
  try {
    await api.action.setBadgeText({ tabId, text: active ? BADGE_TEXT : '' });
    if (active) await api.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOR });
    await api.action.setTitle({ tabId, title: active ? `SocketScope — recording “${recording.name}”` : 'SocketScope' });
  } catch {
    /* the tab is gone */
  }
}
