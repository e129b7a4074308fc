// Decoding of library framings inside WebSocket messages (src/core/frames).
import { describe, expect, it } from 'vitest';
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
