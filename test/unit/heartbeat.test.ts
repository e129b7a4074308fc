import { describe, expect, it } from 'vitest';
import { annotateHeartbeats, heartbeatStats, scanHeartbeats } from '../../src/core/heartbeat';
import type { Connection, Direction, HeartbeatRole, Opcode } from '../../src/core/model';
import { addConnection, addMessage, beat, chatter, createRng, receive, send, session, sortMessages, T0, type ConnectionOptions } from './helpers/synth';

type Frame = [Direction, string, Opcode?];

/** Roles recognised for a list of frames sent one second apart. */
function rolesOf(frames: Frame[], options: Partial<ConnectionOptions> = {}): { roles: (HeartbeatRole | undefined)[]; protocol?: string } {
  const s = session();
  const connection = addConnection(s, { createdAt: T0, ...options });
  frames.forEach(([direction, preview, opcode], i) => addMessage(connection, direction, T0 + 1000 * (i + 1), preview, opcode));
  annotateHeartbeats(s);
  return { roles: connection.messages.map((message) => message.heartbeat), protocol: scanHeartbeats(connection).protocol };
}

describe('known heartbeat protocols', () => {
  it('Engine.IO v4: server pings 2, client pongs 3, probes, handshake declares the interval', () => {
    const frames: Frame[] = [
      ['receive', '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'],
      ['send', '40'],
      ['receive', '40{"sid":"x"}'],
      ['send', '2probe'],
      ['receive', '3probe'],
      ['receive', '2'],
      ['send', '3'],
      ['receive', '42["chat","hi"]'],
    ];
    const { roles, protocol } = rolesOf(frames);
    expect(protocol).toBe('Engine.IO');
    expect(roles).toEqual([undefined, undefined, undefined, 'ping', 'pong', 'ping', 'pong', undefined]);
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    frames.forEach(([direction, preview], i) => addMessage(connection, direction, T0 + i, preview));
    expect(heartbeatStats(connection)).toMatchObject({ protocol: 'Engine.IO', declaredIntervalMs: 25000, declaredTimeoutMs: 20000 });
  });

  it('Engine.IO v3: the client pings 2 and the server answers 3 (known from the EIO= URL)', () => {
    const { roles } = rolesOf([['send', '2'], ['receive', '3']], { url: 'wss://app.example/socket.io/?EIO=3&transport=websocket' });
    expect(roles).toEqual(['ping', 'pong']);
  });

  it('does not take a bare "2" for Engine.IO elsewhere', () => {
    expect(rolesOf([['receive', '2'], ['send', '3']]).roles).toEqual([undefined, undefined]);
  });

  it('SockJS: h is a heartbeat; o, a[...] and c[...] are framing', () => {
    const { roles, protocol } = rolesOf([
      ['receive', 'o'],
      ['receive', 'h'],
      ['receive', 'a["hello"]'],
      ['receive', 'c[3000,"Go away!"]'],
    ]);
    expect(protocol).toBe('SockJS');
    expect(roles).toEqual([undefined, 'ping', undefined, undefined]);
  });

  it('STOMP: EOL heart-beats, and the interval negotiated by CONNECT/CONNECTED', () => {
    const frames: Frame[] = [
      ['send', 'CONNECT\naccept-version:1.2\nheart-beat:10000,10000\n\n\u0000'],
      ['receive', 'CONNECTED\nversion:1.2\nheart-beat:25000,25000\n\n\u0000'],
      ['send', '\n'],
      ['receive', '\r\n'],
    ];
    const { roles, protocol } = rolesOf(frames);
    expect(protocol).toBe('STOMP');
    expect(roles).toEqual([undefined, undefined, 'ping', 'ping']);
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    frames.forEach(([direction, preview], i) => addMessage(connection, direction, T0 + i, preview));
    // Each side sends every max(offered, wanted): 25 s both ways.
    expect(heartbeatStats(connection).declaredIntervalMs).toBe(25000);
  });

  it('STOMP over SockJS: the heart-beat travels inside a["\\n"]', () => {
    const { roles } = rolesOf([
      ['receive', 'o'],
      ['send', '["CONNECT\\nheart-beat:10000,10000\\n\\n\\u0000"]'],
      ['receive', 'a["CONNECTED\\nheart-beat:10000,10000\\n\\n\\u0000"]'],
      ['receive', 'a["\\n"]'],
      ['send', '["\\n"]'],
    ]);
    expect(roles).toEqual([undefined, undefined, undefined, 'ping', 'ping']);
  });

  it('SignalR: {"type":6} with the record separator, both ways', () => {
    const { roles, protocol } = rolesOf([
      ['send', '{"protocol":"json","version":1}\u001e'],
      ['receive', '{}\u001e'],
      ['receive', '{"type":6}\u001e'],
      ['send', '{"type":6}\u001e'],
      ['receive', '{"type":1,"target":"send","arguments":["ping"]}\u001e'],
    ]);
    expect(protocol).toBe('SignalR');
    expect(roles).toEqual([undefined, undefined, 'ping', 'ping', undefined]);
  });

  it('Phoenix v1 JSON and v2 array heartbeats, phx_reply on topic phoenix only', () => {
    const v1 = rolesOf([
      ['send', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}'],
      ['receive', '{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"3"}'],
      ['receive', '{"topic":"room:lobby","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"4"}'],
    ]);
    expect(v1).toEqual({ roles: ['ping', 'pong', undefined], protocol: 'Phoenix Channels' });
    const v2 = rolesOf([
      ['send', '[null,"5","phoenix","heartbeat",{}]'],
      ['receive', '[null,"5","phoenix","phx_reply",{"status":"ok","response":{}}]'],
      ['receive', '["1","6","room:lobby","phx_reply",{"status":"ok","response":{}}]'],
    ]);
    expect(v2).toEqual({ roles: ['ping', 'pong', undefined], protocol: 'Phoenix Channels' });
  });

  it('graphql-ws ping/pong under the graphql-transport-ws sub-protocol', () => {
    const result = rolesOf(
      [
        ['send', '{"type":"ping"}'],
        ['receive', '{"type":"pong"}'],
        ['receive', '{"type":"next","id":"1","payload":{"data":{"ping":true}}}'],
      ],
      { protocol: 'graphql-transport-ws', protocols: ['graphql-transport-ws'] },
    );
    expect(result).toEqual({ roles: ['ping', 'pong', undefined], protocol: 'graphql-ws' });
  });

  it('subscriptions-transport-ws keep-alive {"type":"ka"}', () => {
    expect(rolesOf([['receive', '{"type":"ka"}']])).toEqual({ roles: ['pong'], protocol: 'subscriptions-transport-ws' });
  });

  it('Action Cable server pings', () => {
    expect(rolesOf([['receive', '{"type":"welcome"}'], ['receive', '{"type":"ping","message":1700000000}']])).toEqual({
      roles: [undefined, 'ping'],
      protocol: 'Action Cable',
    });
  });

  it('Pusher pusher:ping / pusher:pong and the activity timeout', () => {
    const frames: Frame[] = [
      ['receive', '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.2\\",\\"activity_timeout\\":120}"}'],
      ['send', '{"event":"pusher:ping","data":{}}'],
      ['receive', '{"event":"pusher:pong","data":{}}'],
    ];
    expect(rolesOf(frames)).toEqual({ roles: [undefined, 'ping', 'pong'], protocol: 'Pusher' });
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    frames.forEach(([direction, preview], i) => addMessage(connection, direction, T0 + i, preview));
    expect(heartbeatStats(connection).declaredIntervalMs).toBe(120_000);
  });

  it('Centrifugo v2 empty-object pings and pongs', () => {
    expect(rolesOf([['receive', '{}'], ['send', '{}']])).toEqual({ roles: ['ping', 'pong'], protocol: 'Centrifugo' });
  });

  it('MQTT PINGREQ / PINGRESP in binary, and the keepalive from CONNECT', () => {
    // CONNECT: 10 0c 00 04 'MQTT' 04 02 00 3c ... = keepalive 60 s.
    const connect = 'EAwABE1RVFQEAgA8AAA=';
    const frames: Frame[] = [
      ['send', connect, 2],
      ['receive', 'IAIAAA==', 2],
      ['send', 'wAA=', 2],
      ['receive', '0AA=', 2],
    ];
    expect(rolesOf(frames)).toEqual({ roles: [undefined, undefined, 'ping', 'pong'], protocol: 'MQTT' });
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    frames.forEach(([direction, preview, opcode], i) => addMessage(connection, direction, T0 + i, preview, opcode));
    expect(heartbeatStats(connection)).toMatchObject({ declaredIntervalMs: 60_000, declaredTimeoutMs: 90_000 });
  });

  it('does not take the text "wAA=" for MQTT', () => {
    expect(rolesOf([['send', 'wAA=']]).roles).toEqual([undefined]);
  });

  it('Discord op 1 / op 11, interval from the op 10 hello', () => {
    const frames: Frame[] = [
      ['receive', '{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["gateway"]}}'],
      ['send', '{"op":1,"d":null}'],
      ['receive', '{"t":null,"s":null,"op":11,"d":null}'],
      ['receive', '{"t":"MESSAGE_CREATE","s":2,"op":0,"d":{"content":"hi"}}'],
    ];
    expect(rolesOf(frames)).toEqual({ roles: [undefined, 'ping', 'pong', undefined], protocol: 'Discord gateway' });
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    frames.forEach(([direction, preview], i) => addMessage(connection, direction, T0 + i, preview));
    expect(heartbeatStats(connection).declaredIntervalMs).toBe(41250);
  });

  it('Slack RTM ping / pong', () => {
    expect(rolesOf([['send', '{"type":"ping","id":7}'], ['receive', '{"type":"pong","reply_to":7}']])).toEqual({
      roles: ['ping', 'pong'],
      protocol: 'Slack RTM',
    });
  });

  it('plain text ping / pong / PING / PONG / heartbeat', () => {
    expect(rolesOf([['send', 'ping'], ['receive', 'pong'], ['send', 'PING'], ['receive', 'PONG'], ['receive', 'heartbeat'], ['send', 'pingu']])).toEqual({
      roles: ['ping', 'pong', 'ping', 'pong', 'ping', undefined],
      protocol: 'plain text',
    });
  });

  it.each(['type', 'event', 'op', 'action'])('generic JSON {"%s":"ping"} / "pong"', (field) => {
    expect(rolesOf([['send', `{"${field}":"ping"}`], ['receive', `{"${field}":"pong","ts":1}`]])).toEqual({
      roles: ['ping', 'pong'],
      protocol: 'JSON ping/pong',
    });
  });

  it('leaves ordinary JSON alone even when it mentions ping', () => {
    expect(rolesOf([['receive', '{"type":"chat","text":"ping me later"}'], ['receive', '{"price":42}']]).roles).toEqual([undefined, undefined]);
  });

  it('skips truncated and evicted previews', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    send(connection, T0 + 1, 'ping');
    connection.messages[0].truncated = true;
    receive(connection, T0 + 2, '');
    expect(Array.from(scanHeartbeats(connection).roles)).toEqual([0, 0]);
  });
});

describe('recognition by repetition and regularity', () => {
  it('finds an unknown regular keep-alive (identical up to digits) and its reply', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    const rng = createRng(7);
    beat(connection, { from: T0, to: T0 + 120_000, intervalMs: 5000, jitterMs: 200, direction: 'send', ping: '{"k":"alive","n":1}', pong: '#ok', rng });
    connection.messages.forEach((message, i) => {
      if (message.direction === 'send') message.preview = `{"k":"alive","n":${i}}`;
    });
    chatter(connection, T0, T0 + 120_000, 300, 9000, rng);
    sortMessages(connection);
    const stats = heartbeatStats(connection);
    expect(stats.protocol).toMatch(/^repeating message/);
    expect(stats.direction).toBe('send');
    expect(stats.intervalMs).toBeGreaterThan(4700);
    expect(stats.intervalMs).toBeLessThan(5300);
    expect(stats.replyLatencyMs).toBe(30);
    annotateHeartbeats(s);
    const alive = connection.messages.filter((message) => message.preview.startsWith('{"k"'));
    expect(alive.every((message) => message.heartbeat === 'ping')).toBe(true);
    expect(connection.messages.filter((message) => message.preview === '#ok').every((message) => message.heartbeat === 'pong')).toBe(true);
    expect(connection.messages.filter((message) => message.preview.includes('chat')).some((message) => message.heartbeat)).toBe(false);
  });

  it('ignores irregular repeats and too few repeats', () => {
    const s = session();
    const irregular = addConnection(s, { createdAt: T0 });
    [1000, 1300, 9000, 9500, 30_000, 31_000, 70_000].forEach((offset) => receive(irregular, T0 + offset, 'tick'));
    const few = addConnection(s, { createdAt: T0 });
    [5000, 10_000, 15_000].forEach((offset) => receive(few, T0 + offset, 'tick'));
    expect(heartbeatStats(irregular).protocol).toBeUndefined();
    expect(heartbeatStats(few).protocol).toBeUndefined();
  });

  it('keeps marks made by hand when nothing is recognised', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    send(connection, T0 + 1000, 'custom');
    send(connection, T0 + 2000, 'custom');
    connection.messages.forEach((message) => (message.heartbeat = 'ping'));
    expect(heartbeatStats(connection)).toMatchObject({ protocol: 'marked', intervalMs: 1000, direction: 'send' });
  });
});

describe('heartbeatStats', () => {
  it('measures interval, jitter, direction and reply latency with jittery beats', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    beat(connection, { from: T0, to: T0 + 300_000, intervalMs: 25_000, jitterMs: 300, direction: 'receive', ping: '2', pong: '3', replyDelayMs: 12, rng: createRng(3) });
    receive(connection, T0 + 60, '0{"pingInterval":25000,"pingTimeout":20000}');
    sortMessages(connection);
    const stats = heartbeatStats(connection);
    expect(stats).toMatchObject({ protocol: 'Engine.IO', direction: 'receive', replyLatencyMs: 12, declaredIntervalMs: 25000 });
    expect(Math.abs((stats.intervalMs ?? 0) - 25_000)).toBeLessThan(300);
    expect(stats.jitterMs).toBeLessThan(400);
  });

  it('reports both directions and the faster interval', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    beat(connection, { from: T0, to: T0 + 100_000, intervalMs: 15_000, direction: 'receive', ping: '{"type":6}\u001e' });
    beat(connection, { from: T0, to: T0 + 100_000, intervalMs: 10_000, direction: 'send', ping: '{"type":6}\u001e' });
    sortMessages(connection);
    expect(heartbeatStats(connection)).toMatchObject({ protocol: 'SignalR', direction: 'both', intervalMs: 10_000, jitterMs: 0 });
  });

  it('beats with pongs when a protocol has only keep-alives', () => {
    const s = session();
    const connection = addConnection(s, { createdAt: T0 });
    beat(connection, { from: T0, to: T0 + 60_000, intervalMs: 10_000, direction: 'receive', ping: '{"type":"ka"}' });
    expect(heartbeatStats(connection)).toMatchObject({ direction: 'receive', intervalMs: 10_000 });
  });

  it('returns only the protocol fields for a connection without heartbeats', () => {
    const s = session();
    const connection: Connection = addConnection(s, { createdAt: T0 });
    chatter(connection, T0, T0 + 60_000, 100, 5000, createRng(9));
    expect(heartbeatStats(connection).intervalMs).toBeUndefined();
    expect(heartbeatStats(connection).direction).toBeUndefined();
  });
});

describe('SockJS detection from the URL', () => {
  it('unwraps page frames on a SockJS transport URL even without the open frame', () => {
    const { roles } = rolesOf([['send', '["\\n"]']], { url: 'wss://app.example/stomp/123/abcdef/websocket' });
    expect(roles).toEqual(['ping']);
    expect(rolesOf([['send', '["\\n"]']], { url: 'wss://app.example/ws/websocket' }).roles).toEqual([undefined]);
  });
});

describe('deeply nested JSON', () => {
  it('never throws on deep payloads that mention a heartbeat word, short or long', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const frames: Frame[] = [
      ['send', `{"type":"ping","d":${deep(480)}}`],
      ['receive', `{"type":"pong","d":${deepObject(160)}}`],
      ['receive', `a["{\\"type\\":\\"ping\\",\\"d\\":${deep(200)}}"]`],
      ['receive', `["1","2","phoenix","heartbeat",${deep(400)}]`],
      ['receive', `{"event":"pusher:connection_established","data":"{\\"activity_timeout\\":120,\\"d\\":${deep(300)}}"}`],
      ['send', `{"type":"ping","d":${deep(100_000)}}`],
      ['send', `{"type":"ping","d":${deepObject(5000)}}`],
    ];
    expect(() => rolesOf(frames)).not.toThrow();
    expect(rolesOf(frames).roles.slice(0, 2)).toEqual(['ping', 'pong']);
  });
});
