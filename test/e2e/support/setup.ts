// The usual pair for a test file: a fixture server and Chromium with the
// built extension, started before the file's tests and closed after them.
import { afterAll, beforeAll } from 'vitest';
import { startServer, type TestServer } from './servers';
import { launchWithExtension, type ExtensionBrowser } from './chromium';

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
