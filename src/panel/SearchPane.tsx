// The session-wide search (src/panel/search.ts) under the panes: a query box,
// the progress of the incremental scan, and a virtualized list of the hits
// (connection, time, direction, preview). Click or Enter opens a hit in place:
// its connection and message selected, both lists scrolled to them.
import { batch, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { endpointKey } from '../core/chains';
import { formatClock, formatMeasured } from '../core/format';
import { oneLine, shortUrl } from './format';
import { SEARCH_INPUT_ID } from './keyboard';
import { VirtualList } from './VirtualList';
import { cancelSearch, runSearch, searchIsRegex, searchOpen, searchQuery, searchState, setSearch, MAX_HITS, type SearchHit } from './search';
import {
  collapsedChains,
  connections,
  directionFilter,
  hideHeartbeats,
  messageFilter,
  positionOfIndex,
  selectConnection,
  stateFilter,
  urlFilter,
  visibleMessages,
} from './store';

export const SEARCH_ROW_PX = 20;

/** Selects the hit's connection and message, undoing whatever filter or fold would hide them. */
export function openSearchHit(hit: SearchHit): void {
  const connection = hit.connection;
  batch(() => {
    if (!connections.peek().includes(connection)) {
      urlFilter.value = '';
      stateFilter.value = 'all';
    }
    const key = endpointKey(connection.url);
    if (collapsedChains.peek().has(key)) {
      const next = new Set(collapsedChains.peek());
      next.delete(key);
      collapsedChains.value = next;
    }
    selectConnection(connection.id, hit.messageIndex);
  });
  const { positions } = visibleMessages.peek();
  const position = positionOfIndex(connection, hit.messageIndex);
  if (positions && position >= 0 && !positions.includes(position)) {
    batch(() => {
      directionFilter.value = 'all';
      messageFilter.value = '';
      hideHeartbeats.value = false;
    });
  }
}

export function SearchPane() {
  const state = searchState.value;
  const active = useSignal(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const count = state.hits.length;
  const at = Math.min(active.value, Math.max(0, count - 1));
  const status = state.error
    ? state.error
    : !searchQuery.value
      ? 'Search the messages of every connection (text messages; binary ones are not searched)'
      : `${count >= MAX_HITS ? `first ${MAX_HITS.toLocaleString('en-US')}` : count.toLocaleString('en-US')} ${count === 1 ? 'match' : 'matches'}` +
        (state.done
          ? ` in ${state.total.toLocaleString('en-US')} messages (${formatMeasured(state.elapsedMs)})`
          : ` · searching ${state.scanned.toLocaleString('en-US')} of ${state.total.toLocaleString('en-US')}…`);
  const onListKey = (event: KeyboardEvent) => {
    if (!count) return;
    const page = Math.max(1, Math.floor(((event.currentTarget as HTMLElement).clientHeight || 200) / SEARCH_ROW_PX) - 1);
    const steps: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (event.key === 'Enter') {
      event.preventDefault();
      openSearchHit(state.hits[at]);
      return;
    }
    const step = steps[event.key];
    if (step === undefined) return;
    event.preventDefault();
    active.value = Math.min(count - 1, Math.max(0, at + step));
  };
  return (
    <section class="search-pane" aria-label="Search all connections">
      <div class="subtoolbar" role="toolbar" aria-label="Search">
        <input
          ref={input}
          id={SEARCH_INPUT_ID}
          class={`filter search-input${state.error ? ' invalid' : ''}`}
          type="search"
          placeholder={searchIsRegex.value ? 'Search all messages by regex' : 'Search all messages'}
          aria-label="Search all messages"
          aria-invalid={Boolean(state.error)}
          spellcheck={false}
          value={searchQuery.value}
          onInput={(event) => {
            active.value = 0;
            setSearch(event.currentTarget.value);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && count) {
              event.preventDefault();
              openSearchHit(state.hits[at]);
            } else if (event.key === 'ArrowDown' && count) {
              event.preventDefault();
              (event.currentTarget.closest('.search-pane')?.querySelector('.vlist') as HTMLElement | null)?.focus();
            }
          }}
        />
        <button
          type="button"
          class="segment toggle"
          aria-pressed={searchIsRegex.value}
          aria-label="Regular expression"
          title="Search with a regular expression"
          onClick={() => setSearch(searchQuery.peek(), !searchIsRegex.peek())}
        >
          .*
        </button>
        <button type="button" class="tool-button" title="Search again, including messages that arrived since" disabled={!searchQuery.value} onClick={runSearch}>
          Search again
        </button>
        <span class="search-status count" aria-live="polite" data-done={state.done && !state.error}>
          {status}
        </span>
        <span class="toolbar-spacer" />
        <button
          type="button"
          class="tool-button"
          aria-label="Close search"
          title="Close the search (Esc in an empty box)"
          onClick={() => {
            cancelSearch();
            searchOpen.value = false;
          }}
        >
          ✕
        </button>
      </div>
      {count > 0 && (
        <VirtualList
          count={count}
          rowHeightPx={SEARCH_ROW_PX}
          label="Search results"
          scrollToIndex={at}
          onKeyDown={onListKey}
          renderRow={(row) => <SearchRow hit={state.hits[row]} active={row === at} onOpen={() => ((active.value = row), openSearchHit(state.hits[row]))} />}
        />
      )}
    </section>
  );
}

function SearchRow({ hit, active, onOpen }: { hit: SearchHit; active: boolean; onOpen: () => void }) {
  const messages = hit.connection.messages;
  const message = messages[positionOfIndex(hit.connection, hit.messageIndex)];
  if (!message) return <div class="msg search-hit">(message no longer recorded: dropped by the memory cap)</div>;
  return (
    <div class={`msg search-hit ${message.direction === 'send' ? 'msg-send' : 'msg-receive'}${active ? ' selected' : ''}`} role="option" aria-selected={active} onClick={onOpen}>
      <span class="msg-dir" title={message.direction === 'send' ? 'sent by the page' : 'received by the page'}>
        {message.direction === 'send' ? '↑' : '↓'}
      </span>
      <span class="msg-clock">{formatClock(message.time)}</span>
      <span class="search-connection" title={hit.connection.url}>
        {shortUrl(hit.connection.url)} #{message.index}
      </span>
      <span class="msg-preview">{oneLine(message.preview, 240)}</span>
    </div>
  );
}
