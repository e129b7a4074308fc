import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import {
  base64ByteLength,
  base64ToBytes,
  bytesToBase64,
  CHROME_HAR_WARNING,
  csvField,
  fromHar,
  messagesToCsv,
  sessionToJson,
  toHar,
  utf8ByteLength,
  type HarLog,
} from '../../src/core/har';
import { buildExport } from '../../src/core/exportFile';
import { SILENCE_BASES } from '../../src/core/facts';
import { FINDING_KINDS, type Finding } from '../../src/core/finding';
import {
  CLOSE_INITIATORS,
  DIRECTIONS,
  HEARTBEAT_ROLES,
  OPCODES,
  PAGE_EVENT_TYPES,
  type Connection,
  type Message,
  type Session,
} from '../../src/core/model';
import { buildNginxIdleSession } from '../fixtures/nginxIdleSession';

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const T0 = 1_762_164_900_123.4567; // a fractional epoch ms, as performance.timeOrigin + now() gives

function textMessage(index: number, direction: Message['direction'], time: number, preview: string): Message {
  return { index, direction, time, opcode: 1, size: utf8ByteLength(preview), preview, truncated: false };
}

/** A session exercising every field the model has. */
function richSession(): Session {
  const binaryBytes = new Uint8Array([0, 1, 2, 250, 251, 255, 128, 10, 13]);
  const chat: Connection = {
    id: 'doc7-1',
    frameId: 3,
    frameUrl: 'https://app.example.test/frame',
    url: 'wss://app.example.test/chat?x=1',
    protocols: ['chat.v2', 'chat.v1'],
    protocol: 'chat.v2',
    extensions: 'permessage-deflate',
    createdAt: T0,
    openedAt: T0 + 41.25,
    closedAt: T0 + 9000.5,
    closeRequestedAt: T0 + 8999.1,
    closeRequestedCode: 4001,
    closeRequestedReason: 'bye, "friend"',
    close: {
      time: T0 + 9000.5,
      code: 4001,
      reason: 'bye, "friend"',
      wasClean: true,
      initiator: 'page',
      requestedCode: 4001,
      requestedReason: 'bye, "friend"',
    },
    droppedMessages: 2,
    evictedPreviews: 1,
    messages: [
      // Indices start at 2: the two oldest were dropped by the cap.
      textMessage(2, 'send', T0 + 50.123, 'héllo, "world"\r\nline 2 ✓ 👋'),
      { ...textMessage(3, 'receive', T0 + 60.7, '2'), heartbeat: 'ping' },
      { ...textMessage(4, 'send', T0 + 61.3, '3'), heartbeat: 'pong' },
      {
        index: 5,
        direction: 'receive',
        time: T0 + 70.0001,
        opcode: 2,
        size: binaryBytes.length,
        preview: bytesToBase64(binaryBytes),
        truncated: false,
      },
      // Truncated: the preview is shorter than the payload; only `size` remembers how big it was.
      { index: 6, direction: 'receive', time: T0 + 80, opcode: 1, size: 200_000, preview: 'x'.repeat(64), truncated: true },
      // Evicted by the memory cap: metadata kept, preview gone.
      { index: 7, direction: 'receive', time: T0 + 90, opcode: 2, size: 4096, preview: '', truncated: false, evicted: true },
    ],
  };
  const failed: Connection = {
    id: 'doc7-2',
    frameUrl: 'https://app.example.test/',
    url: 'wss://down.example.test/',
    protocols: [],
    createdAt: T0 + 100,
    errorAt: T0 + 130,
    closedAt: T0 + 131,
    close: { time: T0 + 131, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
    messages: [],
  };
  const stillOpen: Connection = {
    id: 'doc7-3',
    frameUrl: 'https://app.example.test/',
    url: 'ws://localhost:8080/feed',
    protocols: [],
    createdAt: T0 + 5000,
    openedAt: T0 + 5003,
    messages: [textMessage(0, 'receive', T0 + 5010, '{"a":1}')],
  };
  return {
    id: 'session-rich',
    name: 'QA run #12',
    tabId: 17,
    pageUrl: 'https://app.example.test/',
    startedAt: T0 - 1000,
    endedAt: T0 + 12_000,
    connections: [chat, failed, stillOpen],
    pageEvents: [
      { type: 'hidden', time: T0 + 2000, frameId: 0, frameUrl: 'https://app.example.test/' },
      { type: 'timer-late', time: T0 + 3000, lateMs: 950.5 },
      { type: 'navigation', time: T0 + 11_000, detail: 'https://app.example.test/next' },
    ],
    notes: [{ id: 'n1', time: T0 + 4000, text: 'clicked "reconnect"' }],
    dropped: { messages: 2, previews: 1, rejected: 3, lostBatches: 1 },
    redacted: true,
    source: 'live',
  };
}

const sampleFinding: Finding = {
  kind: 'idle-timeout',
  title: 'Connections die after 3 s of silence',
  detail: 'Four closes with 1006 after 3.0 s without a message.',
  confidence: 0.9,
  connections: ['doc7-1'],
  periodMs: 3000,
  basis: 'any',
  suspects: [{ name: 'nginx', knob: 'proxy_read_timeout', defaultMs: 60_000 }],
  fix: 'Send a heartbeat every 1.5 s or raise proxy_read_timeout.',
};

function roundTrip(session: Session, options?: Parameters<typeof toHar>[1]): ReturnType<typeof fromHar> {
  return fromHar(JSON.parse(JSON.stringify(toHar(session, options))) as unknown);
}

describe('toHar', () => {
  it('writes HAR 1.2 with one websocket entry per connection, as Chrome DevTools reads it', () => {
    const session = richSession();
    const har = toHar(session, { creator: { name: 'SocketScope', version: '9.9.9' } });
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'SocketScope', version: '9.9.9' });
    expect(har.log.pages).toEqual([
      { startedDateTime: new Date(session.startedAt).toISOString(), id: 'page_1', title: session.pageUrl, pageTimings: {} },
    ]);
    expect(har.log.entries).toHaveLength(3);

    const [chat, failed, open] = har.log.entries;
    expect(chat.pageref).toBe('page_1');
    expect(chat._resourceType).toBe('websocket');
    expect(chat.startedDateTime).toBe(new Date(T0).toISOString());
    expect(chat.time).toBeCloseTo(9000.5, 6);
    expect(chat.request).toMatchObject({ method: 'GET', url: 'wss://app.example.test/chat?x=1', headersSize: -1, bodySize: 0 });
    expect(chat.response).toMatchObject({ status: 101, statusText: 'Switching Protocols', redirectURL: '', bodySize: -1 });
    expect(chat.response.content.mimeType).toBe('');
    expect(chat.cache).toEqual({});
    // HAR: send + wait + receive = time.
    expect(chat.timings.send + chat.timings.wait + chat.timings.receive).toBeCloseTo(chat.time, 6);
    expect(chat.timings.wait).toBeCloseTo(41.25, 6);

    expect(chat._webSocketMessages[0]).toEqual({
      type: 'send',
      time: (T0 + 50.123) / 1000,
      opcode: 1,
      data: 'héllo, "world"\r\nline 2 ✓ 👋',
    });
    expect(chat._webSocketMessages[3].opcode).toBe(2);
    expect(chat._socketscope.close).toMatchObject({ code: 4001, initiator: 'page', requestedCode: 4001 });
    expect(chat._socketscope.heartbeats).toEqual({ 1: 'ping', 2: 'pong' });
    expect(chat._socketscope.truncated).toEqual([4]);
    expect(chat._socketscope.evicted).toEqual([5]);
    expect(chat._socketscope.sizes[4]).toBe(200_000);
    expect(chat._socketscope.indices).toEqual([2, 3, 4, 5, 6, 7]);

    expect(failed.response.status).toBe(0);
    expect(failed.timings.wait).toBeCloseTo(30, 6);
    // A socket still open is as long as the session knows of it.
    expect(open.time).toBeCloseTo(session.endedAt! - (T0 + 5000), 6);

    expect(har.log._socketscope).toMatchObject({ version: 1, sessionId: 'session-rich', heartbeatsIncluded: true });
  });

  it("names SocketScope and package.json's version as the creator by default (a build-time define, not a literal)", () => {
    const packageJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    expect(packageJson.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(toHar(richSession()).log.creator).toEqual({ name: 'SocketScope', version: packageJson.version });
    const file = buildExport(richSession(), { format: 'har' });
    expect((JSON.parse(file.text) as HarLog).log.creator.version).toBe(packageJson.version);
  });

  it('can leave heartbeats out, remembering it in the file', () => {
    const har = toHar(richSession(), { includeHeartbeats: false });
    const chat = har.log.entries[0];
    expect(chat._webSocketMessages).toHaveLength(4);
    expect(chat._socketscope.indices).toEqual([2, 5, 6, 7]);
    expect(chat._socketscope.heartbeats).toEqual({});
    expect(chat._socketscope.truncated).toEqual([2]);
    expect(har.log._socketscope.heartbeatsIncluded).toBe(false);

    const imported = fromHar(JSON.parse(JSON.stringify(har)) as unknown);
    expect(imported.session.connections[0].messages.map((m) => m.index)).toEqual([2, 5, 6, 7]);
    expect(imported.session.connections[0].messages[2]).toMatchObject({ size: 200_000, truncated: true });
    expect(imported.warnings.join('\n')).toMatch(/Heartbeat messages were left out/);
  });

  it('limits messages, sockets, page events and notes to a time range', () => {
    const session = richSession();
    const har = toHar(session, { from: T0 + 55, to: T0 + 2500 });
    // The socket created at +5000 is outside; the failed one (+100..+131) overlaps.
    expect(har.log.entries.map((e) => e._socketscope.id)).toEqual(['doc7-1', 'doc7-2']);
    expect(har.log.entries[0]._socketscope.indices).toEqual([3, 4, 5, 6, 7]);
    expect(har.log._socketscope.pageEvents.map((e) => e.type)).toEqual(['hidden']);
    expect(har.log._socketscope.notes).toEqual([]);
    expect(har.log._socketscope.range).toEqual({ fromMs: T0 + 55, toMs: T0 + 2500 });

    const after = toHar(session, { from: T0 + 9500 });
    expect(after.log.entries.map((e) => e._socketscope.id)).toEqual(['doc7-3']);
  });
});

describe('round trip toHar → JSON → fromHar', () => {
  it('keeps every loss the session counted (no counter is dropped on import)', () => {
    const session = richSession();
    const every: Required<Session['dropped']> = { messages: 3, previews: 8, budgetPreviews: 2, heldBlobPreviews: 3, rejected: 7, lostBatches: 11, droppedConnections: 13, droppedPageEvents: 17, unreadMessages: 19 };
    session.dropped = { ...every };
    expect(roundTrip(session).session.dropped).toEqual(every);
  });

  it('gives back an equal session, findings included', () => {
    const session = richSession();
    const imported = roundTrip(session, { findings: [sampleFinding] });
    expect(imported.source).toBe('socketscope-har');
    expect(imported.warnings).toEqual([]);
    expect(imported.session).toEqual({ ...session, source: 'socketscope-har' });
    expect(imported.findings).toEqual([sampleFinding]);
  });

  it('keeps every finding kind, basis, page event type, close initiator, heartbeat role and opcode (the import checks the same lists as the types)', () => {
    const findings: Finding[] = FINDING_KINDS.flatMap((kind) =>
      SILENCE_BASES.map((basis) => ({ ...sampleFinding, kind, basis, title: `${kind} (${basis})` })),
    );
    const session = richSession();
    session.pageEvents = PAGE_EVENT_TYPES.map((type, i) => ({ type, time: T0 + i }));
    session.connections = CLOSE_INITIATORS.map((initiator, i) => ({
      ...session.connections[1],
      id: `close-${initiator}`,
      close: { ...session.connections[1].close!, initiator },
      messages: OPCODES.flatMap((opcode) =>
        HEARTBEAT_ROLES.map((heartbeat) => ({ ...textMessage(0, DIRECTIONS[i % 2], T0 + 110, 'AAAA'), opcode, heartbeat })),
      ).map((message, index) => ({ ...message, index })),
    }));
    const imported = roundTrip(session, { findings });
    expect(imported.warnings).toEqual([]);
    expect(imported.findings).toEqual(findings);
    expect(imported.findings!.map((f) => f.kind)).toEqual(FINDING_KINDS.flatMap((kind) => SILENCE_BASES.map(() => kind)));
    expect(imported.session).toEqual({ ...session, source: 'socketscope-har' });
  });

  it('keeps binary payloads byte for byte', () => {
    const bytes = new Uint8Array(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    const session = richSession();
    session.connections[0].messages[3] = {
      ...session.connections[0].messages[3],
      preview: bytesToBase64(bytes),
      size: bytes.length,
    };
    const har = toHar(session);
    expect(base64ToBytes(har.log.entries[0]._webSocketMessages[3].data)).toEqual(bytes);
    const imported = roundTrip(session);
    const message = imported.session.connections[0].messages[3];
    expect(message.opcode).toBe(2);
    expect(base64ToBytes(message.preview)).toEqual(bytes);
    expect(message.size).toBe(70_000);
  });

  it('round-trips the nginx fixture session, and the fixture file is up to date', () => {
    const session = buildNginxIdleSession();
    const har = toHar(session, { creator: { name: 'SocketScope', version: 'fixture' } });
    const text = JSON.stringify(har, null, 2) + '\n';
    const path = fixturePath('nginx-idle-1006.har');
    if (process.env.UPDATE_FIXTURES) writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(fromHar(JSON.parse(text) as unknown).session).toEqual({ ...session, source: 'socketscope-har' });
  });

  it('keeps knowing that a re-exported Chrome HAR has no close information', () => {
    const chrome = fromHar(JSON.parse(readFileSync(fixturePath('chrome-export.har'), 'utf8')) as unknown);
    const again = roundTrip(chrome.session);
    expect(again.source).toBe('socketscope-har');
    expect(again.session.source).toBe('chrome-har');
    expect(again.warnings).toContain(CHROME_HAR_WARNING);
  });
});

describe('fromHar with a Chrome DevTools export', () => {
  const imported = fromHar(JSON.parse(readFileSync(fixturePath('chrome-export.har'), 'utf8')) as unknown);

  it('reads only the websocket entries, and says close info is unknown', () => {
    expect(imported.source).toBe('chrome-har');
    expect(imported.session.source).toBe('chrome-har');
    expect(imported.findings).toBeUndefined();
    expect(imported.warnings).toEqual([CHROME_HAR_WARNING]);
    expect(imported.warnings[0]).toMatch(/no close codes/);
    expect(imported.session.pageUrl).toBe('https://chat.example.test/room/42');
    expect(imported.session.connections.map((c) => c.url)).toEqual([
      'wss://chat.example.test/socket?room=42',
      'wss://stream.example.test/ticks',
    ]);
    for (const connection of imported.session.connections) expect(connection.close).toBeUndefined();
  });

  it('derives times, sizes, protocols and lifetimes', () => {
    const [chat, ticks] = imported.session.connections;
    const createdAt = Date.parse('2025-11-03T10:15:00.650Z');
    expect(chat.createdAt).toBe(createdAt);
    expect(chat.openedAt).toBeCloseTo(createdAt + 2.4 + 41.6, 6);
    expect(chat.closedAt).toBeCloseTo(createdAt + 60212.7, 6);
    expect(chat.frameUrl).toBe('https://chat.example.test/room/42');
    expect(chat.protocols).toEqual(['chat.v2', 'chat.v1']);
    expect(chat.protocol).toBe('chat.v2');
    expect(chat.extensions).toBe('permessage-deflate');
    expect(chat.messages).toHaveLength(5);
    expect(chat.messages[0]).toEqual({
      index: 0,
      direction: 'send',
      time: 1762164900.7015 * 1000,
      opcode: 1,
      size: 25,
      preview: '{"type":"join","room":42}',
      truncated: false,
    });
    // UTF-8 bytes, not UTF-16 code units: é is 2, ✓ is 3, 👋 is 4.
    expect(chat.messages[2].size).toBe(15);

    expect(ticks.messages.map((m) => [m.opcode, m.size])).toEqual([
      [1, 9],
      [2, 5],
      [2, 12],
    ]);
    expect(base64ToBytes(ticks.messages[1].preview)).toEqual(new Uint8Array([0, 1, 2, 3, 4]));
  });

  it('treats a non-101 websocket entry as a failed handshake and skips junk messages', () => {
    const har = {
      log: {
        version: '1.2',
        entries: [
          {
            _resourceType: 'websocket',
            startedDateTime: '2025-11-03T10:00:00.000Z',
            time: 120,
            request: { method: 'GET', url: 'wss://x.test/' },
            response: { status: 403 },
            _webSocketMessages: [null, { type: 'send', time: 'soon', opcode: 1, data: 'x' }, { type: 'receive', time: 1, opcode: 9, data: '' }],
          },
        ],
      },
    };
    const { session, warnings } = fromHar(har);
    const [connection] = session.connections;
    expect(connection.openedAt).toBeUndefined();
    expect(connection.errorAt).toBe(Date.parse('2025-11-03T10:00:00.000Z') + 120);
    expect(connection.messages).toEqual([]);
    expect(warnings.join('\n')).toMatch(/3 messages were unreadable/);
  });
});

describe('fromHar with bad input', () => {
  it.each([
    [null, /not a HAR log/],
    [42, /not a HAR log/],
    ['{"log": ', /not a HAR log: it is not valid JSON/],
    [[], /not a HAR log/],
    [{}, /not a HAR log: it has no "log" object/],
    [{ log: 'x' }, /not a HAR log/],
    [{ log: { entries: {} } }, /"log.entries" is missing or not a list/],
    [{ format: 'socketscope-session', session: {} }, /session JSON export/],
  ])('rejects %j', (input, message) => {
    expect(() => fromHar(input)).toThrow(message);
  });

  it('says when there are no WebSocket entries', () => {
    const chrome = JSON.parse(readFileSync(fixturePath('chrome-export.har'), 'utf8')) as { log: { entries: unknown[] } };
    chrome.log.entries = chrome.log.entries.slice(0, 2);
    expect(() => fromHar(chrome)).toThrow(/^No WebSocket entries in this HAR \(it has 2 other requests\)/);
    expect(() => fromHar({ log: { entries: [] } })).toThrow(/No WebSocket entries in this HAR/);
  });

  it('never trusts types in our own extras', () => {
    const har = JSON.parse(JSON.stringify(toHar(richSession(), { findings: [sampleFinding] }))) as {
      log: { entries: Array<Record<string, unknown> & { _socketscope: Record<string, unknown> }>; _socketscope: Record<string, unknown> };
    };
    const extras = har.log.entries[0]._socketscope;
    extras.sizes = 'lots';
    extras.heartbeats = [1, 2];
    extras.close = { code: 'x' };
    har.log._socketscope.pageEvents = [{ type: 'explode', time: 1 }, { type: 'online', time: 5 }];
    har.log._socketscope.findings = [{ kind: 'idle-timeout' }, sampleFinding];
    har.log._socketscope.notes = 'none';
    har.log.entries[1]._socketscope = { id: 7 }; // unusable: no id string
    const { session, findings, warnings } = fromHar(har);

    const chat = session.connections[0];
    expect(chat.close).toBeUndefined();
    // Sizes fall back to what the preview says.
    expect(chat.messages[0].size).toBe(utf8ByteLength(chat.messages[0].preview));
    expect(chat.messages.every((m) => m.heartbeat === undefined)).toBe(true);
    expect(session.connections.map((c) => c.id)).toEqual(['doc7-1', 'doc7-3']);
    expect(session.pageEvents).toEqual([{ type: 'online', time: 5 }]);
    expect(session.notes).toEqual([]);
    expect(findings).toEqual([sampleFinding]);
    expect(warnings.join('\n')).toMatch(/1 WebSocket entry was unreadable/);
    expect(warnings.join('\n')).toMatch(/1 page event was unreadable/);
    expect(warnings.join('\n')).toMatch(/1 saved finding was unreadable/);
  });
});

describe('byte helpers', () => {
  it('counts UTF-8 bytes like TextEncoder', () => {
    for (const text of ['', 'abc', 'é', '✓', '👋', 'a\uD800b', '\uDC00', 'mixed é✓👋 text']) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it('counts base64 bytes without decoding', () => {
    for (let n = 0; n < 12; n++) {
      const bytes = new Uint8Array(n).map((_, i) => i * 40);
      const base64 = bytesToBase64(bytes);
      expect(base64ByteLength(base64)).toBe(n);
      expect(base64ByteLength(base64.replace(/=+$/, ''))).toBe(n);
    }
    expect(base64ByteLength('AAEC\nAwQ=')).toBe(5);
  });
});

describe('sessionToJson', () => {
  it('wraps the session so it can be told apart from a HAR', () => {
    const session = richSession();
    const parsed = JSON.parse(sessionToJson(session, { findings: [sampleFinding] })) as Record<string, unknown>;
    expect(parsed).toEqual({ format: 'socketscope-session', version: 1, session, findings: [sampleFinding] });
  });
});

describe('messagesToCsv', () => {
  it('escapes per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('writes one row per message with the documented columns', () => {
    const csv = messagesToCsv(richSession());
    expect(csv.endsWith('\r\n')).toBe(true);
    const header = csv.slice(0, csv.indexOf('\r\n'));
    expect(header).toBe('connection id,url,index,direction,time,opcode,size,heartbeat,truncated,preview');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(1 + 6 + 1);
    expect(rows[1]).toEqual([
      'doc7-1',
      'wss://app.example.test/chat?x=1',
      '2',
      'send',
      new Date(T0 + 50.123).toISOString(),
      '1',
      String(utf8ByteLength('héllo, "world"\r\nline 2 ✓ 👋')),
      '',
      'false',
      'héllo, "world"\r\nline 2 ✓ 👋',
    ]);
    expect(rows[2][7]).toBe('ping');
    expect(rows[5].slice(6, 9)).toEqual(['200000', '', 'true']);
  });
});

/** A strict RFC 4180 reader, to prove the writer's output parses back to the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (text[i] === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else field += text[i++];
  }
  return rows;
}

describe('performance', () => {
  it('exports and imports 100k messages quickly', () => {
    const messageCount = 100_000;
    const messages: Message[] = [];
    for (let i = 0; i < messageCount; i++) {
      const preview = i % 10 === 0 ? 'AAECAwQFBgcICQ==' : `{"type":"tick","seq":${i},"value":${(i * 1.37).toFixed(2)}}`;
      messages.push({
        index: i,
        direction: i % 3 === 0 ? 'send' : 'receive',
        time: T0 + i * 10.25,
        opcode: i % 10 === 0 ? 2 : 1,
        size: preview.length,
        preview,
        truncated: false,
        ...(i % 50 === 0 ? { heartbeat: 'ping' as const } : {}),
      });
    }
    const session: Session = {
      id: 'big',
      startedAt: T0,
      connections: [
        { id: 'c1', frameUrl: '', url: 'wss://big.test/', protocols: [], createdAt: T0, openedAt: T0 + 5, messages },
      ],
      pageEvents: [],
      notes: [],
      dropped: { messages: 0, previews: 0, rejected: 0 },
    };

    const exportStart = performance.now();
    const text = JSON.stringify(toHar(session));
    const exportMs = performance.now() - exportStart;

    const importStart = performance.now();
    const imported = fromHar(JSON.parse(text) as unknown);
    const importMs = performance.now() - importStart;

    console.log(
      `HAR ${messageCount} messages: export ${exportMs.toFixed(0)} ms (toHar + stringify), ` +
        `import ${importMs.toFixed(0)} ms (parse + fromHar), ${(text.length / 1e6).toFixed(1)} MB`,
    );
    expect(imported.session.connections[0].messages).toHaveLength(messageCount);
    expect(imported.session.connections[0].messages[99_999]).toEqual(messages[99_999]);
    // Generous: a slow CI machine still passes; a quadratic regression does not.
    expect(exportMs).toBeLessThan(5000);
    expect(importMs).toBeLessThan(5000);
  });
});
