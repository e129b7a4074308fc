// A HAR read from its bytes, chunk by chunk (the CLI: docs/decisions.md, 44).
// The parser (src/core/jsonStream.ts) hands over `log.entries` one entry at a
// time, sorted on arrival (HarEntries), and each entry's message list one
// message at a time, narrowed into columns (RawMessages); everything else is
// built as JSON.parse would. The result goes through fromHar, which converts it
// exactly as it converts a parsed file: one implementation of the import.

import { JsonStreamParser, type ArraySink, type JsonPathItem, type JsonStreamOptions } from '../jsonStream';
import { fromHar, HarEntries, type HarImportOptions } from './import';
import { RawMessages } from './rawMessages';
import type { HarImport } from './types';

export interface HarStreamOptions extends HarImportOptions, Pick<JsonStreamOptions, 'createDecoder'> {
  /** The longest string the parser accepts (see JsonStreamOptions). */
  maxStringLength?: number;
}

const MESSAGE_LISTS: Record<string, boolean> = { _webSocketMessages: false, _eventSourceMessages: true };

export class HarStreamReader {
  private readonly parser: JsonStreamParser;
  /** Elements of the message lists read so far (a caller can tell what the model will cost before end() builds it). */
  messageCount = 0;

  constructor(private readonly options: HarStreamOptions) {
    this.parser = new JsonStreamParser({
      createDecoder: options.createDecoder,
      maxStringLength: options.maxStringLength,
      arraySink: (path) => this.sinkFor(path),
      // log.entries[i]._webSocketMessages: no deeper array is ever asked for (a file nested a million deep costs nothing).
      arraySinkMaxPath: 4,
    });
  }

  /** The next bytes of the file. The chunk is not kept. Throws JsonSyntaxError where the bytes stop being JSON. */
  push(chunk: Uint8Array): void {
    this.parser.push(chunk);
  }

  /** The import, once every byte was pushed. Throws JsonSyntaxError (not JSON) or Error (JSON, but not a usable HAR: fromHar's messages). */
  end(): HarImport {
    return fromHar(this.parser.end(), this.options);
  }

  private sinkFor(path: readonly JsonPathItem[]): ArraySink | undefined {
    if (path[0] !== 'log' || path[1] !== 'entries') return undefined;
    if (path.length === 2) {
      const entries = new HarEntries();
      return { element: (entry) => entries.add(entry), end: () => entries };
    }
    const key = path[3];
    if (path.length === 4 && typeof path[2] === 'number' && typeof key === 'string' && Object.hasOwn(MESSAGE_LISTS, key)) {
      const messages = new RawMessages(MESSAGE_LISTS[key], this.options.keepPreview);
      return {
        element: (message) => {
          messages.push(message);
          this.messageCount++;
        },
        end: () => messages,
      };
    }
    return undefined;
  }
}
