// The panel's toolbar: connection filters on the left, actions on the right.
// Other features add their buttons in the marked group (see /docs/panel.md).
import { emptySession } from '../core/model';
import { QaTools } from './QaTools';
import { send } from './live';
import { URL_FILTER_ID } from './keyboard';
import { link, replaceSession, stateFilter, urlFilter, type StateFilter } from './store';


const STATE_FILTERS: { value: StateFilter; label: string; title: string }[] = [
  { value: 'all', label: 'All', title: 'Show every connection' },
  { value: 'open', label: 'Open', title: 'Show only connections still open or connecting' },
  { value: 'closed', label: 'Ended', title: 'Show only connections that have ended (closed or failed)' },
];

export function clearRecords(tabId: number | undefined): void {
  if (link.peek() === 'imported' || tabId === undefined) replaceSession(emptySession('empty', Date.now()));
  else send({ kind: 'clear', tabId });
}

export function Toolbar({ tabId }: { tabId?: number }) {
  return (
    <div class="toolbar" role="toolbar" aria-label="SocketScope toolbar">
      <button
        type="button"
        class="tool-button icon-button"
        onClick={() => clearRecords(tabId)}
        title="Clear this tab's records (Ctrl+L)"
        aria-label="Clear records"
      >
        <span class="icon icon-clear" aria-hidden="true" />
      </button>
      <span class="toolbar-divider" />
      <input
        id={URL_FILTER_ID}
        class="filter"
        type="search"
        placeholder="Filter URLs  ( / )"
        aria-label="Filter connections by URL"
        spellcheck={false}
        value={urlFilter.value}
        onInput={(event) => (urlFilter.value = event.currentTarget.value)}
      />
      <div class="segmented" role="group" aria-label="Connection state">
        {STATE_FILTERS.map((option) => (
          <button
            key={option.value}
            type="button"
            class="segment"
            aria-pressed={stateFilter.value === option.value}
            title={option.title}
            onClick={() => (stateFilter.value = option.value)}
          >
            {option.label}
          </button>
        ))}
      </div>
      <span class="toolbar-divider" />
      <div class="toolbar-group" data-slot="actions">
        {/* Export (one click: HAR of the recording's range, or of everything), its options, Record/Stop, notes, Import. */}
        <QaTools tabId={tabId} />
        {/* More actions go here. */}
      </div>
      <span class="toolbar-spacer" />
      <LinkBadge />
    </div>
  );
}

function LinkBadge() {
  const state = link.value;
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : state === 'offline' ? 'Reconnecting…' : 'Imported file';
  const title =
    state === 'live'
      ? 'Recording this tab live'
      : state === 'offline'
        ? 'The extension’s background restarted; reconnecting (nothing is lost)'
        : state === 'imported'
          ? 'Showing a file, not a live tab'
          : 'Connecting to the extension';
  return (
    <span class={`link-badge link-${state}`} title={title}>
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
