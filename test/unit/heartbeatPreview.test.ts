// previewMayBeRecognised (src/core/heartbeat.ts) is what lets the CLI drop previews: a connection whose
// previews it refuses are emptied must get the same heartbeats, protocol, declared intervals and findings.
import { describe, expect, it } from 'vitest';

import { analyzeSession } from '../../src/core/analysis';
import { previewMayBeRecognised, scanHeartbeats } from '../../src/core/heartbeat';
import type { Connection, Direction, Opcode, Session } from '../../src/core/model';
import { addConnection, addMessage, createRng, session, T0 } from './helpers/synth';

type Form = [Direction, string, Opcode?];

/** Every form the recognisers read (test/unit/heartbeat.test.ts), and data that looks like them. */
const FORMS: Form[] = [
  ['receive', '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'],
  ['send', '40'],
  ['send', '2probe'],
  ['receive', '3probe'],
  ['receive', '2'],
  ['send', '3'],
  ['receive', '42["chat","hi"]'],
  ['receive', 'o'],
  ['receive', 'h'],
  ['receive', 'a["hello"]'],
  ['receive', 'a["\\n"]'],
  ['send', '["\\n"]'],
  ['send', '["CONNECT\\nheart-beat:10000,10000\\n\\n\\u0000"]'],
  ['receive', 'a["CONNECTED\\nheart-beat:10000,10000\\n\\n\\u0000"]'],
  ['send', 'CONNECT\naccept-version:1.2\nheart-beat:10000,10000\n\n\u0000'],
  ['receive', 'CONNECTED\nversion:1.2\nheart-beat:25000,25000\n\n\u0000'],
  ['send', 'STOMP\naccept-version:1.2\nheart-beat:5000,5000\n\n\u0000'],
  ['send', '\n'],
  ['receive', '\r\n'],
  ['send', '{"protocol":"json","version":1}\u001e'],
  ['receive', '{"type":6}\u001e'],
  ['send', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}'],
  ['receive', '{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"3"}'],
  ['send', '[null,"5","phoenix","heartbeat",{}]'],
  ['receive', '[null,"5","phoenix","phx_reply",{"status":"ok","response":{}}]'],
  ['send', '{"type":"ping"}'],
  ['receive', '{"type":"pong"}'],
  ['receive', '{"type":"ka"}'],
  ['receive', '{"type":"ping","message":1700000000}'],
  ['receive', '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.2\\",\\"activity_timeout\\":120}"}'],
  ['send', '{"event":"pusher:ping","data":{}}'],
  ['receive', '{}'],
  ['send', 'EAwABE1RVFQEAgA8AAA=', 2],
  ['send', 'wAA=', 2],
  ['receive', '0AA=', 2],
  ['receive', '{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["gateway"]}}'],
  ['send', '{"op":1,"d":null}'],
  ['send', '{"type":"ping","id":7}'],
  ['receive', '{"type":"pong","reply_to":7}'],
  ['send', 'ping'],
  ['receive', 'PONG'],
  ['receive', '{"type":"tick","seq":1,"symbol":"EURUSD","bid":1.08,"note":"spread 0.2 € per lot"}'],
  ['receive', 'Ünïcödé data beyond Latin-1: € 中文'],
  ['receive', 'AAECAwQFBgcICQoLDA0ODw==', 2],
];

/** The same form made longer without changing what it is (a JSON member, an array element, or text after it). */
function padded(text: string, length: number): string {
  const need = Math.max(0, length - text.length);
  if (need === 0) return text;
  if (text.startsWith('{') && text.length > 2 && !text.endsWith('\u001e')) return `{"pad":"${'x'.repeat(Math.max(0, need - 9))}",${text.slice(1)}`;
  // A SockJS frame of one STOMP frame stays one: a header of padding inside it.
  const firstNewline = text.indexOf('\\n');
  if ((text.startsWith('["') || text.startsWith('a["')) && firstNewline > 0 && text.length > 12) {
    return `${text.slice(0, firstNewline + 2)}pad:${'y'.repeat(Math.max(0, need - 6))}\\n${text.slice(firstNewline + 2)}`;
  }
  if (text.startsWith('[') || text.startsWith('a[')) return `${text.slice(0, -1)},"${'y'.repeat(Math.max(0, need - 3))}"]`;
  if (text.startsWith('0{')) return `0{"pad":"${'x'.repeat(Math.max(0, need - 9))}",${text.slice(2)}`;
  return text + 'z'.repeat(need);
}

function binaryPadded(base64: string, length: number): string {
  return base64.replace(/=+$/, '') + 'A'.repeat(Math.max(0, length - base64.length));
}

const LENGTHS = [0, 64, 65, 200, 1024, 1025, 3000];

function allForms(): Form[] {
  const forms: Form[] = [];
  for (const [direction, text, opcode = 1] of FORMS) {
    for (const length of LENGTHS) forms.push([direction, opcode === 2 ? binaryPadded(text, length) : padded(text, length), opcode]);
  }
  return forms;
}

/** What the CLI's import does: previews the recogniser cannot read become ''. */
function withoutUnreadablePreviews(connection: Connection): Connection {
  return {
    ...connection,
    messages: connection.messages.map((message) => ({ ...message, preview: previewMayBeRecognised(message.opcode, message.preview) ? message.preview : '' })),
  };
}

const URLS = ['wss://app.example/ws', 'wss://app.example/socket.io/?EIO=4&transport=websocket', 'wss://app.example/stomp/123/abcdef/websocket'];

function connectionOf(s: Session, forms: Form[], times: number[], url: string, protocols: string[] = []): Connection {
  const connection = addConnection(s, { createdAt: T0, url, protocols });
  forms.forEach(([direction, preview, opcode], i) => addMessage(connection, direction, times[i], preview, opcode));
  return connection;
}

function expectSameScan(connection: Connection, label: string): void {
  const full = scanHeartbeats(connection);
  const reduced = scanHeartbeats(withoutUnreadablePreviews(connection));
  expect({ ...reduced, roles: Array.from(reduced.roles) }, label).toEqual({ ...full, roles: Array.from(full.roles) });
}

describe('previewMayBeRecognised', () => {
  it('keeps every preview a recogniser reads: each form, at every length, alone and repeated as a heartbeat', () => {
    for (const form of allForms()) {
      for (const url of URLS) {
        for (const protocols of [[], ['graphql-transport-ws']]) {
          const label = `${JSON.stringify(form[1].slice(0, 40))} (${form[1].length}) on ${url} ${protocols.join()}`;
          expectSameScan(connectionOf(session(), [form], [T0 + 1000], url, protocols), `${label} alone`);
          const beats = Array.from({ length: 8 }, () => form);
          expectSameScan(connectionOf(session(), beats, beats.map((_, i) => T0 + 1000 + i * 5000), url, protocols), `${label} every 5 s`);
        }
      }
    }
  });

  it('keeps the same recognition over random mixes of the forms (known protocols, patterns, handshakes first or later)', () => {
    const random = createRng(44);
    const forms = allForms();
    for (let n = 0; n < 400; n++) {
      const picked: Form[] = [];
      const times: number[] = [];
      let time = T0;
      const count = 5 + Math.floor(random() * 40);
      const beat = forms[Math.floor(random() * forms.length)];
      for (let i = 0; i < count; i++) {
        time += random() < 0.5 ? 10_000 : 50 + random() * 2000;
        picked.push(random() < 0.4 ? beat : forms[Math.floor(random() * forms.length)]);
        times.push(time);
      }
      expectSameScan(connectionOf(session(), picked, times, URLS[n % URLS.length], n % 7 === 0 ? ['graphql-transport-ws'] : []), `mix #${n}`);
    }
  });

  it('leaves the whole analysis (facts and findings) unchanged on a session of mixed connections', () => {
    const random = createRng(45);
    const forms = allForms();
    const s = session();
    for (let c = 0; c < 12; c++) {
      const picked: Form[] = [];
      const times: number[] = [];
      let time = T0 + c * 120_000;
      const beat = forms[Math.floor(random() * forms.length)];
      for (let i = 0; i < 60; i++) {
        time += random() < 0.5 ? 10_000 : 100 + random() * 3000;
        picked.push(random() < 0.5 ? beat : forms[Math.floor(random() * forms.length)]);
        times.push(time);
      }
      const connection = connectionOf(s, picked, times, URLS[c % URLS.length]);
      connection.closedAt = time + 60_000;
      connection.close = { time: time + 60_000, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' };
    }
    const reduced: Session = { ...s, connections: s.connections.map(withoutUnreadablePreviews) };
    const full = analyzeSession(s);
    const after = analyzeSession(reduced);
    expect(after.findings).toEqual(full.findings);
    expect([...after.facts.values()]).toEqual([...full.facts.values()]);
  });

  it('lets go of long data, which is what the CLI saves memory on', () => {
    expect(previewMayBeRecognised(1, '{"type":"tick","seq":12345,"symbol":"EURUSD","bid":1.08423,"ask":1.08431,"note":"spread 0.2 € per lot"}')).toBe(false);
    expect(previewMayBeRecognised(2, 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==')).toBe(false);
    expect(previewMayBeRecognised(1, 'x'.repeat(64))).toBe(true);
  });
});
