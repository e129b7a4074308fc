// Two panes and a draggable divider (mouse, touch, or arrow keys on the
// focused divider). The first pane's share is kept in a signal so that it
// survives re-renders and is the same every time the view comes back.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { Signal } from '@preact/signals';

export interface SplitPaneProps {
  /** 'row': side by side, 'column': one above the other. */
  direction: 'row' | 'column';
  /** Share of the first pane, in percent. */
  share: Signal<number>;
  label: string;
  minPercent?: number;
  maxPercent?: number;
  class?: string;
  children: [ComponentChildren, ComponentChildren];
}

const KEY_STEP_PERCENT = 2;

export function SplitPane({ direction, share, label, minPercent = 10, maxPercent = 90, class: className, children }: SplitPaneProps) {
  const container = useRef<HTMLDivElement>(null);
  const clamp = (value: number) => Math.min(maxPercent, Math.max(minPercent, value));
  const onPointerDown = (event: PointerEvent) => {
    const element = container.current;
    if (!element) return;
    event.preventDefault();
    const divider = event.currentTarget as HTMLElement;
    divider.setPointerCapture?.(event.pointerId);
    const rect = element.getBoundingClientRect();
    const move = (moveEvent: PointerEvent) => {
      const ratio = direction === 'row' ? (moveEvent.clientX - rect.left) / rect.width : (moveEvent.clientY - rect.top) / rect.height;
      share.value = clamp(ratio * 100);
    };
    const up = () => {
      divider.removeEventListener('pointermove', move);
      divider.removeEventListener('pointerup', up);
      divider.removeEventListener('pointercancel', up);
    };
    divider.addEventListener('pointermove', move);
    divider.addEventListener('pointerup', up);
    divider.addEventListener('pointercancel', up);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const back = direction === 'row' ? 'ArrowLeft' : 'ArrowUp';
    const forward = direction === 'row' ? 'ArrowRight' : 'ArrowDown';
    if (event.key === back) share.value = clamp(share.value - KEY_STEP_PERCENT);
    else if (event.key === forward) share.value = clamp(share.value + KEY_STEP_PERCENT);
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <div ref={container} class={`split split-${direction}${className ? ` ${className}` : ''}`}>
      <div class="split-pane" style={{ flexBasis: `${share.value}%` }}>
        {children[0]}
      </div>
      <div
        class="split-divider"
        role="separator"
        tabIndex={0}
        aria-label={`Resize ${label}`}
        aria-orientation={direction === 'row' ? 'vertical' : 'horizontal'}
        aria-valuenow={Math.round(share.value)}
        aria-valuemin={minPercent}
        aria-valuemax={maxPercent}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <div class="split-pane split-rest">{children[1]}</div>
    </div>
  );
}
