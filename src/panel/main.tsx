// Panel entry: inside DevTools it watches the inspected tab; as an ordinary
// tab it watches `?tabId=N`.
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { App } from './App';
import { watchTab } from './live';
import { link, linkError } from './store';

function inspectedTabId(): number | undefined {
  const fromQuery = new URLSearchParams(location.search).get('tabId');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  return browser.devtools?.inspectedWindow?.tabId;
}

function applyTheme(): void {
  // DevTools' own theme when inside DevTools; otherwise the CSS follows prefers-color-scheme.
  const themeName = browser.devtools?.panels?.themeName;
  if (themeName) document.documentElement.dataset.theme = themeName === 'dark' ? 'dark' : 'light';
}

applyTheme();
const tabId = inspectedTabId();
if (tabId === undefined) {
  link.value = 'offline';
  linkError.value = 'No tab to watch: open SocketScope from DevTools, or add ?tabId=N to this page’s address.';
} else {
  watchTab(tabId);
}
render(<App tabId={tabId} />, document.getElementById('app')!);
