// @vitest-environment happy-dom
// The panel follows DevTools' theme live: Chromium through
// devtools.panels.setThemeChangeHandler, Firefox through onThemeChanged.
import { describe, expect, it } from 'vitest';
import { followTheme, theme } from '../../../src/panel/theme';

describe('followTheme inside DevTools', () => {
  it('Chromium: switches live through setThemeChangeHandler (it has no onThemeChanged)', () => {
    let handler: ((name: string) => void) | undefined;
    followTheme({ themeName: 'default', setThemeChangeHandler: (callback) => (handler = callback) });
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(handler).toBeTypeOf('function');
    handler!('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(theme.value).toBe('dark');
    handler!('default');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('Firefox: switches live through onThemeChanged', () => {
    const listeners: ((name: string) => void)[] = [];
    followTheme({ themeName: 'light', onThemeChanged: { addListener: (listener) => listeners.push(listener) } });
    expect(document.documentElement.dataset.theme).toBe('light');
    listeners.forEach((listener) => listener('dark'));
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('starts dark when DevTools already is', () => {
    followTheme({ themeName: 'dark', setThemeChangeHandler: () => undefined });
    expect(theme.value).toBe('dark');
  });
});
