// A virtualized list with a fixed row height: only the visible rows (plus a
// little overscan) exist in the DOM, so 100k rows cost what 40 do.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

const OVERSCAN_ROWS = 8;

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
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(400);
  const atBottom = useRef(true);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeightPx(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = viewport.current;
    if (element && followTail && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [count, followTail]);

  useEffect(() => {
    const element = viewport.current;
    if (!element || scrollToIndex === undefined) return;
    const top = scrollToIndex * rowHeightPx;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeightPx > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeightPx - element.clientHeight;
  }, [scrollToIndex, rowHeightPx]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeightPx) - OVERSCAN_ROWS);
  const last = Math.min(count, Math.ceil((scrollTop + heightPx) / rowHeightPx) + OVERSCAN_ROWS);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} class="vrow" style={{ top: `${i * rowHeightPx}px`, height: `${rowHeightPx}px` }}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      ref={viewport}
      class="vlist"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeightPx;
        setScrollTop(element.scrollTop);
      }}
    >
      <div class="vspacer" style={{ height: `${count * rowHeightPx}px` }}>
        {rows}
      </div>
    </div>
  );
}
