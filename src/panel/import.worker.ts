// Parses a HAR file off the page's thread: reads it in chunks (progress),
// JSON.parse, fromHar and the session's one analysis (analyzeSession:
// heartbeats, facts, findings), then sends the session back in slices (see
// ./importProtocol.ts).
import { fromHar } from '../core/har';
import { analyzeSession } from '../core/analysis';
import { errorText } from '../core/format';
import type { FromImportWorker, ToImportWorker } from './importProtocol';

/** Characters of previews per `messages` slice: keeps each clone on the page's side to a few ms. */
const SLICE_CHARS = 2 * 1024 * 1024;
const SLICE_MESSAGES = 20_000;

const post = (message: FromImportWorker): void => (self as unknown as Worker).postMessage(message);

self.onmessage = (event: MessageEvent<ToImportWorker>) => {
  if (event.data?.kind !== 'import') return;
  void importFile(event.data.file).catch((error: unknown) => {
    post({ kind: 'error', message: errorText(error) });
  });
};

async function importFile(file: Blob): Promise<void> {
  const total = file.size;
  const started = performance.now();
  const parts: string[] = [];
  const decoder = new TextDecoder('utf-8');
  const reader = file.stream().getReader();
  let done = 0;
  let lastReport = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    parts.push(decoder.decode(chunk.value, { stream: true }));
    done += chunk.value.byteLength;
    if (done - lastReport >= 1024 * 1024 || done === total) {
      lastReport = done;
      post({ kind: 'progress', phase: 'reading', done, total });
    }
  }
  parts.push(decoder.decode());
  const readMs = performance.now() - started;

  post({ kind: 'progress', phase: 'parsing', done: 0, total: 1 });
  const parseStarted = performance.now();
  let json: unknown;
  try {
    json = JSON.parse(parts.join(''));
  } catch (error) {
    throw new Error(`This file is not a HAR log: it is not valid JSON (${errorText(error)}).`);
  }
  parts.length = 0;
  const imported = fromHar(json);
  json = undefined;
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
