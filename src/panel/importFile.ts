// The import worker's work, apart from the worker (so node tests run it): reads and parses a HAR in chunks
// (the streaming reader the CLI uses), fromHar and the session's one analysis (analyzeSession: heartbeats,
// facts, findings), then sends the session back in slices (see ./importProtocol.ts).
import { HarStreamReader } from '../core/har/importStream';
import { JsonStringTooLongError, JsonSyntaxError } from '../core/jsonStream';
import { analyzeSession } from '../core/analysis';
import { errorText } from '../core/format';
import type { FromImportWorker } from './importProtocol';

/** Characters of previews per `messages` slice: keeps each clone on the page's side to a few ms. */
const SLICE_CHARS = 2 * 1024 * 1024;
const SLICE_MESSAGES = 20_000;

export async function importFile(file: Blob, post: (message: FromImportWorker) => void): Promise<void> {
  const total = file.size;
  const started = performance.now();
  // Parsed as it is read (src/core/har/importStream.ts, as the CLI reads): the file is never held whole, neither
  // as text nor as a parsed tree, so a file of hundreds of megabytes costs about what its messages cost.
  const reader = new HarStreamReader({ createDecoder: () => new TextDecoder('utf-8', { ignoreBOM: true }) });
  const stream = file.stream().getReader();
  let done = 0;
  let lastReport = 0;
  let imported;
  let readMs = 0;
  let parseStarted = 0;
  try {
    for (;;) {
      const chunk = await stream.read();
      if (chunk.done) break;
      reader.push(chunk.value);
      done += chunk.value.byteLength;
      if (done - lastReport >= 1024 * 1024 || done === total) {
        lastReport = done;
        post({ kind: 'progress', phase: 'reading', done, total });
      }
    }
    readMs = performance.now() - started;
    post({ kind: 'progress', phase: 'parsing', done: 0, total: 1 });
    parseStarted = performance.now();
    imported = reader.end();
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof JsonStringTooLongError) throw new Error(`This file is not a HAR log: it is not valid JSON (${errorText(error)}).`);
    throw error;
  }
  const parseMs = performance.now() - parseStarted;

  post({ kind: 'progress', phase: 'analysing', done: 0, total: 1 });
  const analyseStarted = performance.now();
  const session = imported.session;
  // The chains are left out: they hold the connections, which the page rebuilds from the slices.
  const { facts, findings } = analyzeSession(session);
  const analyseMs = performance.now() - analyseStarted;

  let messageCount = 0;
  for (const connection of session.connections) messageCount += connection.messages.length;
  const all = session.connections.map((connection) => connection.messages);
  post({
    kind: 'head',
    session: { ...session, connections: session.connections.map((connection) => ({ ...connection, messages: [] })) },
    facts,
    findings,
    savedFindings: imported.findings,
    source: imported.source,
    warnings: imported.warnings,
    messageCount,
  });
  let sent = 0;
  all.forEach((messages, connection) => {
    let start = 0;
    while (start < messages.length) {
      let end = start;
      let chars = 0;
      while (end < messages.length && end - start < SLICE_MESSAGES && chars < SLICE_CHARS) chars += messages[end++].preview.length + 64;
      post({ kind: 'messages', connection, messages: messages.slice(start, end) });
      sent += end - start;
      post({ kind: 'progress', phase: 'transferring', done: sent, total: messageCount });
      start = end;
    }
  });
  post({ kind: 'done', timings: { readMs, parseMs, analyseMs, bytes: total } });
}
