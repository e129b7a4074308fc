// The panel's toolbar: connection filters on the left, actions on the right.
// Other features add their buttons in the marked group (see /docs/panel.md).
// When the toolbar is too narrow for everything (DevTools docked to the
// side), the actions group folds into a "⋯" menu at the right, next to the
// link badge, which always stays in view. The actions are the same elements
// inline or folded (only styles change), so their shortcuts (N) and open
// forms survive the change.
import { useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { emptySession } from '../core/model';
import { QaTools } from './QaTools';
import { CaptureSettingsButton, PauseButton, PreserveLogToggle, PreviewSizeSelect } from './PauseBar';
import { send } from './live';
import { openSearch, URL_FILTER_ID } from './keyboard';
import { searchOpen } from './search';
import { link, replaceSession, stateFilter, urlFilter, type StateFilter } from './store';
import { actionsMenuOpen } from './toolbarMenu';

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
  const bar = useRef<HTMLDivElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const moreButton = useRef<HTMLButtonElement>(null);
  /** The toolbar's full width when the actions overflowed it; undefined while they are inline. */
  const overflowAtPx = useSignal<number | undefined>(undefined);
  const collapsed = overflowAtPx.value !== undefined;

  // Measure after every layout: inline actions that overflow move into the menu; they come back once the
  // toolbar is as wide as it needed to be (a fixed threshold would be wrong with a recording name or an import in progress).
  const measure = () => {
    const element = bar.current;
    if (!element) return;
    if (overflowAtPx.peek() === undefined) {
      if (element.scrollWidth > element.clientWidth + 1) overflowAtPx.value = element.scrollWidth;
    } else if (element.clientWidth >= overflowAtPx.peek()!) overflowAtPx.value = undefined;
  };
  useLayoutEffect(measure);
  useEffect(() => {
    const element = bar.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    // The bar, and each of its items: an item can grow while the bar keeps its width and the toolbar does not
    // render (the link badge's text, the recording's clock), and nothing else would measure the overflow then.
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const item of element.children) observer.observe(item);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (!collapsed) actionsMenuOpen.value = false;
  }, [collapsed]);

  const menuOpen = collapsed && actionsMenuOpen.value;
  // Opening the menu puts the focus on its first button; clicking elsewhere closes it.
  useEffect(() => {
    if (!menuOpen) return;
    menu.current?.querySelector<HTMLElement>('button:not([disabled])')?.focus();
    const outside = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (target && !menu.current?.contains(target) && !moreButton.current?.contains(target)) actionsMenuOpen.value = false;
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [menuOpen]);

  const onMenuKeyDown = (event: KeyboardEvent) => {
    const element = menu.current;
    if (!element) return;
    if (event.key === 'Escape') {
      // An open form inside the menu closes first (QaTools handles it).
      if (element.querySelector('.qa-popover')) return;
      event.preventDefault();
      event.stopPropagation();
      actionsMenuOpen.value = false;
      moreButton.current?.focus();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const buttons = [...element.querySelectorAll<HTMLElement>(':scope > .toolbar-group > button:not([disabled]), :scope > .toolbar-group > .qa-anchor > button:not([disabled])')];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    const next = event.key === 'ArrowDown' ? (at + 1) % buttons.length : (at - 1 + buttons.length) % buttons.length;
    buttons[next]?.focus();
    event.preventDefault();
  };

  const actions = (
    <div class="toolbar-group" data-slot="actions">
      <PauseButton />
      {/* Export (one click: HAR of the recording's range, or of everything), its options, Record/Stop, notes, Import. */}
      <button
        type="button"
        class="tool-button"
        aria-pressed={searchOpen.value}
        title="Search the messages of every connection (Ctrl+Shift+F)"
        onClick={() => {
          actionsMenuOpen.value = false;
          if (searchOpen.value) searchOpen.value = false;
          else openSearch();
        }}
      >
        Search
      </button>
      <QaTools tabId={tabId} />
      {/* More actions go here. */}
      <PreserveLogToggle tabId={tabId} />
      <PreviewSizeSelect tabId={tabId} />
      <CaptureSettingsButton tabId={tabId} />
    </div>
  );
  return (
    <div ref={bar} class={`toolbar${collapsed ? ' toolbar-collapsed' : ''}`} role="toolbar" aria-label="SocketScope toolbar">
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
      <span class="toolbar-spacer" />
      {/* One tree whether inline or in the menu (only the styles change), so the actions are never remounted. */}
      <span class={`more-anchor${collapsed ? ' collapsed' : ''}`}>
        <button
          ref={moreButton}
          type="button"
          class="tool-button more-button"
          aria-label="More actions"
          title="More actions: Pause, Search, Export, download options, Record, Add note, Import, Preserve log, Previews, Capture settings"
          aria-haspopup="true"
          aria-expanded={menuOpen}
          aria-controls="toolbar-more-menu"
          hidden={!collapsed}
          onClick={() => (actionsMenuOpen.value = !actionsMenuOpen.value)}
        >
          ⋯
        </button>
        <div
          ref={menu}
          id="toolbar-more-menu"
          class={collapsed ? 'more-menu' : 'more-inline'}
          role="group"
          aria-label={collapsed ? 'More actions' : 'Actions'}
          hidden={collapsed && !menuOpen}
          onKeyDown={collapsed ? onMenuKeyDown : undefined}
        >
          {actions}
        </div>
      </span>
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
