// A virtualized list with a fixed row height: only the visible rows (plus a
// little overscan) exist in the DOM, so 100k rows cost what 40 do.
// useVirtualWindow is the windowing alone, for lists that are not a plain
// listbox of divs (the connections table renders its own rows and spacers).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

const OVERSCAN_ROWS = 8;
/** Until the viewport has been measured (and where nothing measures it, as in happy-dom). */
const DEFAULT_VIEWPORT_PX = 400;

export interface VirtualWindowOptions {
  count: number;
  rowHeightPx: number;
  /** Height of a sticky header at the top of the viewport, above the rows (a table's thead). */
  headerPx?: number;
  overscanRows?: number;
}

export interface VirtualWindow<E extends HTMLElement> {
  /** Callback ref for the scrolling element (observed for its height while mounted). */
  ref: (element: E | null) => void;
  element: () => E | null;
  /** First row to render, and one past the last. */
  first: number;
  last: number;
  onScroll: (event: Event) => void;
  /** Scrolls the least needed to show row `index` whole (block: 'nearest'). */
  scrollIntoView: (index: number) => void;
}

export function useVirtualWindow<E extends HTMLElement>({ count, rowHeightPx, headerPx = 0, overscanRows = OVERSCAN_ROWS }: VirtualWindowOptions): VirtualWindow<E> {
  const viewport = useRef<E | null>(null);
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(DEFAULT_VIEWPORT_PX);

  // A callback ref, not an effect: the element may mount after the component
  // (a list that starts empty renders a message instead of the viewport).
  const ref = useCallback((element: E | null) => {
    observer.current?.disconnect();
    observer.current = undefined;
    viewport.current = element;
    if (!element || typeof ResizeObserver === 'undefined') return;
    observer.current = new ResizeObserver(() => setHeightPx(element.clientHeight));
    observer.current.observe(element);
    setScrollTop(element.scrollTop);
  }, []);

  const rowsHeightPx = Math.max(0, heightPx - headerPx);
  const first = Math.max(0, Math.floor(scrollTop / rowHeightPx) - overscanRows);
  const last = Math.min(count, Math.ceil((scrollTop + rowsHeightPx) / rowHeightPx) + overscanRows);

  const scrollIntoView = (index: number) => {
    const element = viewport.current;
    if (!element) return;
    // In row space: the sticky header covers the first headerPx of the viewport.
    const top = index * rowHeightPx;
    const visiblePx = element.clientHeight - headerPx;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeightPx > element.scrollTop + visiblePx) element.scrollTop = top + rowHeightPx - visiblePx;
  };

  return {
    ref,
    element: () => viewport.current,
    first,
    last,
    onScroll: (event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop),
    scrollIntoView,
  };
}

export interface VirtualListProps {
  count: number;
  rowHeightPx: number;
  renderRow: (index: number) => ComponentChildren;
  /** Keep the last row in view while already scrolled to the bottom. */
  followTail?: boolean;
  /** Index to bring into view (e.g. the selected row). */
  scrollToIndex?: number;
  label: string;
  onKeyDown?: (event: KeyboardEvent) => void;
}

export function VirtualList({ count, rowHeightPx, renderRow, followTail, scrollToIndex, label, onKeyDown }: VirtualListProps) {
  const view = useVirtualWindow<HTMLDivElement>({ count, rowHeightPx });
  const atBottom = useRef(true);

  useEffect(() => {
    const element = view.element();
    if (element && followTail && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [count, followTail]);

  useEffect(() => {
    if (scrollToIndex !== undefined) view.scrollIntoView(scrollToIndex);
  }, [scrollToIndex, rowHeightPx]);

  const rows: ComponentChildren[] = [];
  for (let i = view.first; i < view.last; i++) {
    rows.push(
      <div key={i} class="vrow" style={{ top: `${i * rowHeightPx}px`, height: `${rowHeightPx}px` }}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      ref={view.ref}
      class="vlist"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeightPx;
        view.onScroll(event);
      }}
    >
      <div class="vspacer" style={{ height: `${count * rowHeightPx}px` }}>
        {rows}
      </div>
    </div>
  );
}
