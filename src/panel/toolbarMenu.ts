// Whether the toolbar's "⋯" menu is open. A signal of its own, so an action
// inside it (QaTools' N shortcut opening the note form) can show the menu
// without importing the toolbar.
import { signal } from '@preact/signals';

export const actionsMenuOpen = signal(false);

/** Shows the actions when they are in the overflow menu (no effect while they are inline). */
export function revealActions(): void {
  actionsMenuOpen.value = true;
}
