// Panel entry: inside DevTools it watches the inspected tab; as an ordinary
// tab it watches `?tabId=N`.
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { App } from './App';
import { watchTab } from './live';
import { link, linkError, now, session } from './store';

function inspectedTabId(): number | undefined {
  const fromQuery = new URLSearchParams(location.search).get('tabId');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  return browser.devtools?.inspectedWindow?.tabId;
}

/**
 * Inside DevTools, follow DevTools' own theme (themeName: 'default' or 'dark';
 * Firefox also reports changes). In a tab, no data-theme: the CSS follows
 * prefers-color-scheme.
 */
function applyTheme(): void {
  const panels = browser.devtools?.panels as
    | (typeof browser.devtools.panels & { onThemeChanged?: { addListener(cb: (name: string) => void): void } })
    | undefined;
  const set = (name: string | undefined) => {
    if (name) document.documentElement.dataset.theme = name === 'dark' ? 'dark' : 'light';
  };
  set(panels?.themeName);
  panels?.onThemeChanged?.addListener(set);
}

applyTheme();
const tabId = inspectedTabId();
if (tabId === undefined) {
  link.value = 'offline';
  linkError.value = 'No tab to watch: open SocketScope from DevTools, or add ?tabId=N to this page’s address.';
} else {
  watchTab(tabId);
}
// Ages of open connections tick once a second (only while one is open).
setInterval(() => {
  if (session.peek().connections.some((c) => !c.close)) now.value = Date.now();
}, 1000);
render(<App tabId={tabId} />, document.getElementById('app')!);
