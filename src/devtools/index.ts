// The DevTools page: its only job is to add the SocketScope panel.
import browser from 'webextension-polyfill';

void browser.devtools.panels.create('SocketScope', '/icons/icon16.png', '/src/panel/index.html');
