// Panel-wide shortcuts, DevTools style: / or Ctrl+F (⌘F) focuses the filter
// of the area that has focus (messages, or connections), Esc clears a
// focused filter, then leaves it, then drops the selection; Ctrl+L clears;
// P pauses or resumes the view; Ctrl+Shift+F searches every connection.
import { cancelSearch, searchOpen, setSearch } from './search';
import { messageFilter, pause, paused, resume, selectConnection, selectedConnectionId, selectedMessageIndex, urlFilter } from './store';

export const MESSAGE_FILTER_ID = 'message-filter';
export const URL_FILTER_ID = 'url-filter';
export const SEARCH_INPUT_ID = 'search-all';

function isTextField(target: EventTarget | null): target is HTMLInputElement | HTMLTextAreaElement {
  return target instanceof HTMLInputElement ? target.type !== 'checkbox' && target.type !== 'button' : target instanceof HTMLTextAreaElement;
}

/** Keys typed in a select or a contenteditable are theirs. */
function isInteractive(target: EventTarget | null): boolean {
  return target instanceof HTMLSelectElement || (target instanceof HTMLElement && target.isContentEditable);
}

/** Opens the session-wide search (or focuses its box when open). */
export function openSearch(): void {
  searchOpen.value = true;
  // Already open: the box is there; else SearchPane focuses it when it mounts.
  const input = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
  input?.focus();
  input?.select();
}

function focusFilter(): void {
  const active = document.activeElement;
  const inMessages = Boolean(active?.closest('.messages-pane, .message-detail'));
  const id = inMessages && document.getElementById(MESSAGE_FILTER_ID) ? MESSAGE_FILTER_ID : URL_FILTER_ID;
  const input = document.getElementById(id) as HTMLInputElement | null;
  input?.focus();
  input?.select();
}

export function handleShortcut(event: KeyboardEvent, clearRecords: () => void): void {
  if (event.defaultPrevented) return;
  const inField = isTextField(event.target);
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.shiftKey && event.key.toLowerCase() === 'f') {
    event.preventDefault();
    openSearch();
  } else if ((event.key === '/' && !inField && !mod) || (mod && event.key.toLowerCase() === 'f')) {
    event.preventDefault();
    focusFilter();
  } else if (!inField && !mod && !event.altKey && event.key.toLowerCase() === 'p' && !isInteractive(event.target)) {
    event.preventDefault();
    if (paused.peek()) resume();
    else pause();
  } else if (mod && event.key.toLowerCase() === 'l') {
    event.preventDefault();
    clearRecords();
  } else if (event.key === 'Escape') {
    if (inField) {
      const input = event.target as HTMLInputElement;
      if (input.value) {
        if (input.id === URL_FILTER_ID) urlFilter.value = '';
        else if (input.id === MESSAGE_FILTER_ID) messageFilter.value = '';
        else if (input.id === SEARCH_INPUT_ID) setSearch('');
        else return;
      } else if (input.id === SEARCH_INPUT_ID) {
        cancelSearch();
        searchOpen.value = false;
      } else input.blur();
      event.preventDefault();
    } else if (selectedMessageIndex.peek() !== undefined) {
      selectedMessageIndex.value = undefined;
      event.preventDefault();
    } else if (selectedConnectionId.peek() !== undefined) {
      selectConnection(undefined);
      event.preventDefault();
    }
  }
}

export function installShortcuts(clearRecords: () => void): () => void {
  const listener = (event: KeyboardEvent) => handleShortcut(event, clearRecords);
  document.addEventListener('keydown', listener);
  return () => document.removeEventListener('keydown', listener);
}
