// Panel entry: inside DevTools it watches the inspected tab; as an ordinary
// tab it watches `?tabId=N`.
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { App } from './App';
import { watchTab } from './live';
import { followTheme, type DevtoolsThemeSource } from './theme';
import { awaitingFirstSnapshot, link, linkError, now, session } from './store';

function inspectedTabId(): number | undefined {
  const fromQuery = new URLSearchParams(location.search).get('tabId');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  return browser.devtools?.inspectedWindow?.tabId;
}

followTheme(browser.devtools?.panels as DevtoolsThemeSource | undefined);
const tabId = inspectedTabId();
if (tabId === undefined) {
  link.value = 'offline';
  awaitingFirstSnapshot.value = false;
  linkError.value = 'No tab to watch: open SocketScope from DevTools, or add ?tabId=N to this page’s address.';
} else {
  watchTab(tabId);
}
// Ages of open connections tick once a second (only while one is open).
setInterval(() => {
  if (session.peek().connections.some((c) => !c.close)) now.value = Date.now();
}, 1000);
render(<App tabId={tabId} />, document.getElementById('app')!);
