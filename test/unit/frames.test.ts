// Decoding of library framings inside WebSocket messages (src/core/frames).
import { describe, expect, it } from 'vitest';
import { jsonTextDepth, MAX_JSON_DEPTH, parseJsonBounded, tooDeepNotice } from '../../src/core/jsonDepth';
import { decodeFrame } from '../../src/core/frames';

const EIO = { url: 'wss://chat.example/socket.io/?EIO=4&transport=websocket' };
const SOCKJS = { url: 'wss://app.example/stomp/123/abcdef/websocket' };

describe('decodeFrame', () => {
  it('reads Engine.IO packets on an Engine.IO socket', () => {
    expect(decodeFrame('2', EIO)).toMatchObject({ protocol: 'Engine.IO', type: 'ping', summary: 'ping (heartbeat)' });
    expect(decodeFrame('3', EIO)).toMatchObject({ protocol: 'Engine.IO', type: 'pong' });
    expect(decodeFrame('2probe', {})).toMatchObject({ protocol: 'Engine.IO', type: 'ping', summary: 'ping probe' });
    const open = decodeFrame('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}', {});
    expect(open).toMatchObject({ protocol: 'Engine.IO', type: 'open', summary: 'open (handshake): ping every 25000 ms, timeout 20000 ms' });
    expect(open?.fields).toContainEqual({ name: 'pingInterval', value: '25000' });
    // Without the hint, a lone digit is just a digit.
    expect(decodeFrame('2', {})).toBeUndefined();
  });

  it('reads Socket.IO packets: events, acks, namespaces, binary attachments, connect errors', () => {
    const event = decodeFrame('42["chat",{"text":"hi"}]', {});
    expect(event).toMatchObject({ protocol: 'Socket.IO', type: 'EVENT', summary: 'EVENT "chat" [{"text":"hi"}]', data: ['chat', { text: 'hi' }] });
    expect(event?.fields).toContainEqual({ name: 'namespace', value: '/' });
    const ack = decodeFrame('43/admin,17["ok"]', EIO);
    expect(ack).toMatchObject({ type: 'ACK' });
    expect(ack?.fields).toEqual(expect.arrayContaining([{ name: 'namespace', value: '/admin' }, { name: 'ack id', value: '17' }]));
    expect(decodeFrame('451-["upload",{"_placeholder":true,"num":0}]', EIO)?.fields).toContainEqual({ name: 'attachments', value: '1' });
    expect(decodeFrame('40{"sid":"x"}', {})).toMatchObject({ type: 'CONNECT', summary: 'CONNECT / {"sid":"x"}' });
    expect(decodeFrame('44{"message":"Not authorized"}', EIO)).toMatchObject({ type: 'CONNECT_ERROR' });
  });

  it('reads SockJS frames, and STOMP inside them', () => {
    expect(decodeFrame('o', SOCKJS)).toMatchObject({ protocol: 'SockJS', type: 'open' });
    expect(decodeFrame('h', SOCKJS)).toMatchObject({ protocol: 'SockJS', type: 'heartbeat' });
    expect(decodeFrame('h', {})).toBeUndefined();
    expect(decodeFrame('c[3000,"Go away!"]', SOCKJS)).toMatchObject({ type: 'close', summary: 'close 3000 "Go away!"' });
    const wrapped = decodeFrame('a["MESSAGE\\ndestination:/topic/prices\\ncontent-type:application/json\\n\\n{\\"p\\":1}\\u0000"]', SOCKJS);
    expect(wrapped).toMatchObject({ protocol: 'SockJS', type: 'messages', summary: '1 message (STOMP MESSAGE)' });
    expect(wrapped?.children?.[0]).toMatchObject({ protocol: 'STOMP', type: 'MESSAGE', summary: 'MESSAGE /topic/prices', data: { p: 1 } });
  });

  it('reads STOMP frames with their headers, and EOL heart-beats on a STOMP socket', () => {
    const connected = decodeFrame('CONNECTED\nversion:1.2\nheart-beat:10000,10000\n\n\u0000', { protocol: 'v12.stomp' });
    expect(connected).toMatchObject({ protocol: 'STOMP', type: 'CONNECTED', summary: 'CONNECTED (heart-beat 10000,10000 ms)' });
    expect(connected?.fields).toContainEqual({ name: 'version', value: '1.2' });
    expect(decodeFrame('\n', { protocol: 'v12.stomp' })).toMatchObject({ type: 'heart-beat' });
    expect(decodeFrame('\n', {})).toBeUndefined();
    expect(decodeFrame('ERROR\nmessage:bad\\cframe\n\nboom\u0000', {})).toMatchObject({ type: 'ERROR', summary: 'ERROR: bad:frame', data: 'boom' });
  });

  it('reads SignalR JSON hub messages separated by the record separator', () => {
    expect(decodeFrame('{"protocol":"json","version":1}\u001e', {})).toMatchObject({ protocol: 'SignalR', type: 'Handshake', summary: 'handshake request: json v1' });
    expect(decodeFrame('{}\u001e', {})).toMatchObject({ type: 'Handshake', summary: 'handshake accepted' });
    expect(decodeFrame('{"type":6}\u001e', {})).toMatchObject({ type: 'Ping', summary: 'Ping (keep-alive)' });
    expect(decodeFrame('{"type":1,"target":"ReceiveMessage","arguments":["ann","hi"]}\u001e', {})).toMatchObject({
      type: 'Invocation',
      summary: 'Invocation ReceiveMessage("ann","hi")',
    });
    const batch = decodeFrame('{"type":6}\u001e{"type":7,"error":"Server timeout"}\u001e', {});
    expect(batch).toMatchObject({ type: 'Batch', summary: '2 messages (Ping, Close)' });
  });

  it('leaves ordinary messages alone and never throws', () => {
    for (const text of ['hello', '{"type":"ping"}', '[1,2,3]', '4', 'a[', 'c[oops', 'MESSAGE', '42[', '\u001e', '0']) {
      expect(() => decodeFrame(text, {})).not.toThrow();
    }
    expect(decodeFrame('hello', {})).toBeUndefined();
    expect(decodeFrame('{"type":"ping"}', {})).toBeUndefined();
  });
});

describe('deeply nested JSON', () => {
  const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
  const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
  const engineIo = { url: 'wss://h.test/socket.io/?EIO=4&transport=websocket' };

  it.each([
    ['Socket.IO event with a deep array argument', `42["ev",${deepArray}]`, engineIo],
    ['Socket.IO event with 5000 nested objects', `42["ev",${deepObject}]`, engineIo],
    ['Socket.IO packet that is only a deep array', `42${deepArray}`, engineIo],
    ['Socket.IO ack with a deep payload', `431${deepArray}`, engineIo],
    ['Socket.IO connect with a deep payload', `40${deepObject}`, engineIo],
    ['Engine.IO message', `4x${deepArray}`, engineIo],
    ['SockJS array', `a["${'['.repeat(5000)}"]`, {}],
    ['SockJS array with a deep value', `a[${deepArray}]`, {}],
    ['SignalR record', `{"type":1,"target":"t","arguments":${deepArray}}\u001e`, {}],
    ['STOMP body', `MESSAGE\ndestination:/q\n\n${deepObject}\u0000`, { protocol: 'v12.stomp' }],
  ])('%s: does not throw, keeps the payload as text', (_name, text, hints) => {
    const frame = decodeFrame(text, hints);
    if (frame?.data !== undefined) {
      // Never a value too deep to stringify: the raw text instead.
      expect(() => JSON.stringify(frame.data)).not.toThrow();
    }
    expect(frame === undefined || frame.summary.length < 200).toBe(true);
  });

  it('still decodes moderately nested payloads as JSON', () => {
    const nested = '['.repeat(150) + '1' + ']'.repeat(150);
    const frame = decodeFrame(`42["ev",${nested}]`, engineIo)!;
    expect(frame.summary).toMatch(/^EVENT "ev" \[\[\[/);
    expect(Array.isArray((frame.data as unknown[])[1])).toBe(true);
  });

  it('says how deep a too-deep Socket.IO payload is', () => {
    const frame = decodeFrame(`42["ev",${deepArray}]`, engineIo)!;
    expect(frame.protocol).toBe('Socket.IO');
    expect(frame.data).toBe(`["ev",${deepArray}]`);
    expect(frame.fields).toContainEqual({ name: 'payload', value: tooDeepNotice(100_001) });
  });
});

describe('jsonTextDepth / parseJsonBounded', () => {
  it.each([
    ['1', 0],
    ['[]', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['["[[[[", "\\"[["]', 1],
    ['42["ev",{"x":[1]}]', 3],
    ['[[[', 3],
    [']]][', 1],
  ])('%j is %i deep', (text, depth) => {
    expect(jsonTextDepth(text)).toBe(depth);
  });

  it('refuses texts deeper than the limit, and parses the rest', () => {
    expect(parseJsonBounded('['.repeat(201) + ']'.repeat(201))).toEqual({ ok: false, tooDeep: 201 });
    expect(parseJsonBounded('['.repeat(200) + ']'.repeat(200)).ok).toBe(true);
    expect(parseJsonBounded('{"a":')).toEqual({ ok: false });
    expect(MAX_JSON_DEPTH).toBe(200);
  });
});
