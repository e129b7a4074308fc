// The panel's import (its worker's work, src/panel/importFile.ts): read and parsed chunk by chunk, it gives
// exactly what parsing the whole file gives, and says plainly when a file is not JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../src/panel/importFile';
import type { FromImportWorker } from '../../src/panel/importProtocol';
import { fromHar, toHar } from '../../src/core/har';
import { analyzeSession } from '../../src/core/analysis';
import { addConnection, closeAt, receive, send, session as newSession } from './helpers/synth';
import type { Message } from '../../src/core/model';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Runs an import of `text` (split into blob parts of `partBytes`, so chunks cut characters) and collects what it posts. */
async function run(text: string | Uint8Array, partBytes = 7): Promise<FromImportWorker[]> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text.slice();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < bytes.length; i += partBytes) parts.push(bytes.slice(i, i + partBytes));
  const posted: FromImportWorker[] = [];
  await importFile(new Blob(parts), (message) => posted.push(message));
  return posted;
}

/** The session the page rebuilds from the head and the slices. */
function rebuilt(posted: FromImportWorker[]) {
  const head = posted.find((m) => m.kind === 'head');
  if (head?.kind !== 'head') throw new Error(`no head: ${JSON.stringify(posted.filter((m) => m.kind === 'error'))}`);
  const messages: Message[][] = head.session.connections.map(() => []);
  for (const m of posted) if (m.kind === 'messages') messages[m.connection].push(...m.messages);
  return { head, session: { ...head.session, connections: head.session.connections.map((c, i) => ({ ...c, messages: messages[i] })) } };
}

describe('the panel\'s import (chunk by chunk)', () => {
  it('gives what JSON.parse and fromHar give, for our files and Chrome\'s, across chunk boundaries inside characters', async () => {
    const s = newSession();
    const feed = addConnection(s, { url: 'wss://x.example/feed', createdAt: s.startedAt + 50 });
    for (let i = 0; i < 300; i++) (i % 2 ? send : receive)(feed, s.startedAt + 100 + i * 10, `{"n":${i},"text":"é € 😀 \\"quoted\\" ${'x'.repeat(i % 40)}"}`);
    closeAt(feed, s.startedAt + 10_000);
    const files = [JSON.stringify(toHar(s)), '\ufeff' + JSON.stringify(toHar(s)), readFileSync(join(FIXTURES, 'chrome-export.har'), 'utf8'), readFileSync(join(FIXTURES, 'nginx-idle-1006.har'), 'utf8')];
    for (const text of files) {
      const expected = fromHar(JSON.parse(text.replace(/^\ufeff/, '')));
      // The analysis marks heartbeats on the messages, as the worker's does.
      const { findings } = analyzeSession(expected.session);
      for (const partBytes of [1, 7, 4096]) {
        const { head, session } = rebuilt(await run(text, partBytes));
        expect(session).toEqual(expected.session);
        expect(head.findings).toEqual(findings);
        expect(head.source).toBe(expected.source);
      }
    }
  });

  it('says a file that is not JSON is not a HAR log, and where it stops being JSON', async () => {
    for (const text of ['{"log": ', 'not json', '{"log": {"entries": [}']) {
      await expect(importFile(new Blob([text]), () => undefined)).rejects.toThrow(/^This file is not a HAR log: it is not valid JSON \(.*line 1, column \d+/);
    }
  });
});
