// Parses a HAR file off the page's thread (./importFile.ts) and posts the
// session back in slices (see ./importProtocol.ts).
import { errorText } from '../core/format';
import { importFile } from './importFile';
import type { FromImportWorker, ToImportWorker } from './importProtocol';

const post = (message: FromImportWorker): void => (self as unknown as Worker).postMessage(message);

self.onmessage = (event: MessageEvent<ToImportWorker>) => {
  if (event.data?.kind !== 'import') return;
  void importFile(event.data.file, post).catch((error: unknown) => {
    post({ kind: 'error', message: errorText(error) });
  });
};
