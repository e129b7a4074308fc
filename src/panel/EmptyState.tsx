// What the panel shows before any WebSocket was seen: what to do next.
import browser from 'webextension-polyfill';
import { link } from './store';

function reloadInspectedPage(tabId: number | undefined): void {
  if (browser.devtools?.inspectedWindow) void browser.devtools.inspectedWindow.reload({});
  else if (tabId !== undefined) void browser.tabs.reload(tabId);
}

export function EmptyState({ tabId }: { tabId?: number }) {
  const imported = link.value === 'imported';
  return (
    <div class="empty-state" aria-label="No connections yet">
      <div class="empty-icon" aria-hidden="true" />
      <h2>{imported ? 'This file holds no WebSocket' : 'No WebSocket recorded in this tab yet'}</h2>
      {!imported && (
        <>
          <p>
            SocketScope records every WebSocket this page opens, from the moment it starts loading, even while DevTools is closed.
            Sockets opened <em>before the extension was installed or enabled</em> are not seen: reload the page to catch them.
          </p>
          <p>
            <button type="button" class="primary" onClick={() => reloadInspectedPage(tabId)} disabled={tabId === undefined && !browser.devtools?.inspectedWindow}>
              Reload the page
            </button>
          </p>
          <ul class="empty-tips">
            <li>Connections appear above, grouped by endpoint into reconnect chains.</li>
            <li>When sockets drop, the <strong>Diagnosis</strong> pane says why, how regularly, which proxy setting is likely involved, and how to fix it.</li>
            <li>
              Press <kbd>/</kbd> to filter, <kbd>↑</kbd> <kbd>↓</kbd> to move in lists, <kbd>Esc</kbd> to clear a selection.
            </li>
          </ul>
        </>
      )}
    </div>
  );
}

/** Before the first snapshot: the session is not known yet, so nothing is said about it. */
export function LoadingState() {
  return (
    <div class="empty-state loading-state" role="status" aria-busy="true" aria-label="Loading">
      <div class="loading-spinner" aria-hidden="true" />
      <h2>Loading this tab’s WebSockets…</h2>
    </div>
  );
}
