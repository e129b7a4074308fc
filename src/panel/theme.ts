// The panel's theme, in one place: inside DevTools it follows DevTools' own
// theme (themeName 'default' or 'dark') and its live changes, in a tab or the
// viewer it follows the system's prefers-color-scheme. The CSS
// reads `data-theme` on <html>; the timeline's canvas redraws on `theme`.
import { signal } from '@preact/signals';

export type Theme = 'light' | 'dark';

export const theme = signal<Theme>('light');

function apply(next: Theme): void {
  document.documentElement.dataset.theme = next;
  theme.value = next;
}

export interface DevtoolsThemeSource {
  themeName?: string;
  /** Chromium (no onThemeChanged there): https://developer.chrome.com/docs/extensions/reference/api/devtools/panels#method-setThemeChangeHandler */
  setThemeChangeHandler?: (callback: (name: string) => void) => void;
  /** Firefox: https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/API/devtools/panels/onThemeChanged */
  onThemeChanged?: { addListener(listener: (name: string) => void): void };
}

export function followTheme(devtools?: DevtoolsThemeSource): void {
  if (devtools?.themeName) {
    const fromName = (name: string): Theme => (name === 'dark' ? 'dark' : 'light');
    apply(fromName(devtools.themeName));
    const follow = (name: string) => apply(fromName(name));
    if (typeof devtools.setThemeChangeHandler === 'function') devtools.setThemeChangeHandler(follow);
    else devtools.onThemeChanged?.addListener(follow);
    return;
  }
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  apply(media?.matches ? 'dark' : 'light');
  media?.addEventListener?.('change', (event) => apply(event.matches ? 'dark' : 'light'));
}
