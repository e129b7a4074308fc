// Background entry (Chrome: MV3 service worker; Firefox: event page): the
// logic is in background.ts, registered here on the real extension API.
import browser from 'webextension-polyfill';
import { startBackground } from './background';

startBackground(browser);
