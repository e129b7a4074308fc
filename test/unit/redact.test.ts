import { describe, expect, it } from 'vitest';

import { createRedactor, redactFindings, redactSession, REDACTED_MARKER } from '../../src/core/redact';
import { toHar, utf8ByteLength } from '../../src/core/har';
import { buildExport } from '../../src/core/exportFile';
import type { Connection, Message, Session } from '../../src/core/model';
import type { Finding } from '../../src/core/finding';

const T0 = 1_762_164_900_000;
const M = JSON.stringify(REDACTED_MARKER);

function text(index: number, time: number, preview: string, direction: Message['direction'] = 'send'): Message {
  return { index, direction, time, opcode: 1, size: utf8ByteLength(preview), preview, truncated: false };
}

/** Every secret below contains "SECRET" so a search of the output proves none survived. */
function sessionWithSecrets(): Session {
  const connection: Connection = {
    id: 'c1',
    frameUrl: 'https://app.test/room?code=SECRET-oauth-code&tab=2',
    url: 'wss://user:SECRET-pw@app.test/live?token=SECRET-t1&room=42&Access_Token=SECRET-t2#sig=SECRET-s',
    protocols: ['v1'],
    createdAt: T0,
    openedAt: T0 + 10,
    closedAt: T0 + 5000,
    close: { time: T0 + 5000, code: 4401, reason: 'expired Bearer SECRETabcdef123', wasClean: true, initiator: 'server' },
    messages: [
      text(0, T0 + 20, '{"type":"auth", "token" : "SECRET-t3", "nested":{"Authorization":"Bearer SECRET-b1","keep":1}}'),
      text(1, T0 + 30, '42["login",{"user":"ann","password":"SECRET-p1","email":"SECRET-ann@example.test"}]'),
      text(2, T0 + 40, 'CONNECT\naccept-version:1.2\npasscode:SECRET-p2\nhost:app\n\n\u0000'),
      text(3, T0 + 50, 'hello eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUNSRVQifQ.SECRETsig-part and bye'),
      { ...text(4, T0 + 60, '{"type":"data","api_key":"SECRET-k1","payload":"abcdefgh'), truncated: true, size: 5000 },
      text(5, T0 + 70, '{"type":"price","symbol":"ACME","value":101.50,  "list":[1,2,{"credentials":{"user":"x","pass":"SECRET-p3"}}]}', 'receive'),
      text(6, T0 + 80, 'plain text with no secret: key=value a Basic plan'),
      { index: 7, direction: 'receive', time: T0 + 90, opcode: 2, size: 3, preview: 'AAEC', truncated: false },
    ],
  };
  return {
    id: 's1',
    name: 'checkout flow',
    pageUrl: 'https://app.test/room?session=SECRET-sess',
    startedAt: T0,
    endedAt: T0 + 6000,
    connections: [connection],
    pageEvents: [{ type: 'navigation', time: T0 + 1, detail: 'https://app.test/next?apikey=SECRET-k2&x=1' }],
    notes: [{ id: 'n1', time: T0 + 2, text: 'logged in as ann' }],
    dropped: { messages: 0, previews: 0, rejected: 0 },
  };
}

describe('redactSession', () => {
  const original = sessionWithSecrets();
  const redacted = redactSession(original, { keys: ['email'] });

  it('leaves no listed secret anywhere in the exported HAR, and says it was redacted', () => {
    const har = JSON.stringify(toHar(redacted));
    expect(har).not.toMatch(/SECRET/);
    expect(har).toContain(REDACTED_MARKER);
    expect(toHar(redacted).log._socketscope.redacted).toBe(true);
  });

  it('keeps everything else byte-identical', () => {
    const [c] = redacted.connections;
    expect(c.url).toBe(`wss://user:${REDACTED_MARKER}@app.test/live?token=${REDACTED_MARKER}&room=42&Access_Token=${REDACTED_MARKER}#sig=${REDACTED_MARKER}`);
    expect(c.frameUrl).toBe(`https://app.test/room?code=${REDACTED_MARKER}&tab=2`);
    expect(c.close!.reason).toBe(`expired Bearer ${REDACTED_MARKER}`);
    const previews = c.messages.map((m) => m.preview);
    expect(previews[0]).toBe(`{"type":"auth", "token" : ${M}, "nested":{"Authorization":${M},"keep":1}}`);
    expect(previews[1]).toBe(`42["login",{"user":"ann","password":${M},"email":${M}}]`);
    expect(previews[2]).toBe(`CONNECT\naccept-version:1.2\npasscode:${REDACTED_MARKER}\nhost:app\n\n\u0000`);
    expect(previews[3]).toBe(`hello ${REDACTED_MARKER} and bye`);
    // A truncated preview is not valid JSON: the loose matcher still finds the key.
    expect(previews[4]).toBe(`{"type":"data","api_key":${M},"payload":"abcdefgh`);
    // Spacing and number spelling of the untouched parts survive (no re-serialization).
    expect(previews[5]).toBe(`{"type":"price","symbol":"ACME","value":101.50,  "list":[1,2,{"credentials":${M}}]}`);
    // `name=value` after a space is read like a form field: `key` is a credential name (auth_key, secretKey), so it goes.
    expect(previews[6]).toBe(`plain text with no secret: key=${REDACTED_MARKER} a Basic plan`);
    expect(previews[7]).toBe('AAEC');
    // Metadata is untouched: sizes, times, indices, directions.
    expect(c.messages.map(({ preview: _p, ...rest }) => rest)).toEqual(original.connections[0].messages.map(({ preview: _p, ...rest }) => rest));
    expect(redacted.pageUrl).toBe(`https://app.test/room?session=${REDACTED_MARKER}`);
    expect(redacted.pageEvents[0].detail).toBe(`https://app.test/next?apikey=${REDACTED_MARKER}&x=1`);
    expect(redacted.notes).toEqual(original.notes);
    expect(redacted.name).toBe('checkout flow');
  });

  it('does not change its input', () => {
    expect(original).toEqual(sessionWithSecrets());
    expect(redacted.redacted).toBe(true);
    expect(original.redacted).toBeUndefined();
  });

  it('changes nothing in a session without secrets except the redacted flag', () => {
    const clean: Session = {
      ...sessionWithSecrets(),
      pageUrl: 'https://app.test/room?tab=2',
      pageEvents: [],
      connections: [{ ...sessionWithSecrets().connections[0], url: 'wss://app.test/live?room=42', frameUrl: 'https://app.test/', close: undefined, messages: [text(0, T0 + 5, '{"type":"price", "value": 1e3, "key_id": "k"}')] }],
    };
    const out = redactSession(clean);
    expect({ ...out, redacted: undefined }).toEqual({ ...clean, redacted: undefined });
  });

  it('matches user keys and default keys whatever their spelling', () => {
    const redactor = createRedactor({ keys: ['user_id'] });
    expect(redactor.payload('{"userId":7,"USER-ID":"x","accessToken":"a","x-api-key":"b","Refresh_Token":"c","tokens":["ok"]}')).toBe(
      `{"userId":${M},"USER-ID":${M},"accessToken":${M},"x-api-key":${M},"Refresh_Token":${M},"tokens":["ok"]}`,
    );
    expect(redactor.url('wss://h/p?userId=7&page=1&X-Amz-Signature=abc&myToken=z')).toBe(
      `wss://h/p?userId=${REDACTED_MARKER}&page=1&X-Amz-Signature=${REDACTED_MARKER}&myToken=${REDACTED_MARKER}`,
    );
  });

  it('redacts URLs quoted in findings', () => {
    const finding: Finding = {
      kind: 'idle-timeout',
      title: 'Connections to wss://h/live?token=SECRET die after 3 s of silence',
      detail: 'd',
      fix: 'f',
      confidence: 0.9,
      connections: ['c1'],
    };
    expect(redactFindings([finding])[0].title).toBe(`Connections to wss://h/live?token=${REDACTED_MARKER} die after 3 s of silence`);
  });

  it('is applied by buildExport with one option, and noted in the HAR comment and file name', () => {
    const file = buildExport(sessionWithSecrets(), { format: 'har', redact: { keys: ['email'] } }, new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    expect(file.text).not.toMatch(/SECRET/);
    const har = JSON.parse(file.text) as { log: { comment: string; _socketscope: { redacted: boolean } } };
    expect(har.log._socketscope.redacted).toBe(true);
    expect(har.log.comment).toMatch(/Redacted by SocketScope/);
    expect(file.fileName).toBe('socketscope-app.test-checkout_flow-2025-01-02T03-04-05-redacted.har');
    for (const format of ['json', 'csv'] as const) {
      expect(buildExport(sessionWithSecrets(), { format, redact: { keys: ['email'] } }).text).not.toMatch(/SECRET/);
    }
    // Off by default.
    expect(buildExport(sessionWithSecrets(), { format: 'har' }).text).toContain('SECRET-t3');
  });
});
