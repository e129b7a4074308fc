// The usual pair for a test file: a fixture server and a browser (Chromium, or Firefox ESR) with the
// built extension, started before the file's tests and closed after them.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startServer, type TestServer } from './servers';
import { launchWithExtension, type ExtensionBrowser } from './chromium';
import { closeFirefox, launchFirefox } from './firefox';

export interface ServerAndChromium {
  server: TestServer;
  browser: ExtensionBrowser;
}

/** `reader`: launchWithExtension's (default true: a panel page reads every tab, so documents hand their batches over at once). */
export function useServerAndChromium(options: { reader?: boolean } = {}): ServerAndChromium {
  const handles = {} as ServerAndChromium;
  beforeAll(async () => {
    handles.server = await startServer();
    handles.browser = await launchWithExtension({ reader: options.reader });
  });
  afterAll(async () => {
    await handles.browser?.close();
    await handles.server?.close();
  });
  return handles;
}

export interface ServerAndFirefox {
  server: TestServer;
  browser: Browser;
}

/** The same pair in Firefox ESR. A file's own `beforeAll` registered after this call runs after it, with both started. */
export function useServerAndFirefox(): ServerAndFirefox {
  const handles = {} as ServerAndFirefox;
  beforeAll(async () => {
    handles.server = await startServer();
    handles.browser = await launchFirefox();
  }, 60_000);
  afterAll(async () => {
    await closeFirefox(handles.browser);
    await handles.server?.close();
  });
  return handles;
}
