import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { encode as cborEncode, Tag } from 'cbor2';
import { Writer } from 'protobufjs/minimal';
import { Encoder as SocketIoEncoder, PacketType } from 'socket.io-parser';
import {
  assembleSocketIoBinary,
  decodeBinary,
  decodeMessage,
  detectBinary,
  endpointKey,
  messageBytes,
  mqttProtocolLevel,
  MAX_DECODED_DEPTH,
  type DecodeResult,
} from '../../src/core/decoders';
import { compileProtoSchema } from '../../src/core/decoders/protobufSchema';
import type { Message } from '../../src/core/model';

const hex = (text: string) => Uint8Array.from((text.replace(/\s+/g, '').match(/../g) ?? []).map((pair) => parseInt(pair, 16)));
const ascii = (text: string) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function value(result: DecodeResult): unknown {
  if (!result.ok) throw new Error(`expected a value, got: ${result.error}`);
  return result.value;
}
function failure(result: DecodeResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('MessagePack', () => {
  test('hand-written bytes: {"a":1} is 81 a1 61 01, detected', () => {
    const bytes = hex('81 a1 61 01');
    expect(detectBinary(bytes)).toBe('msgpack');
    expect(value(decodeBinary('msgpack', bytes))).toEqual({ a: 1 });
  });

  test("the library's encoder: bigints, bytes, dates, nesting, extension types come back JSON-safe", () => {
    const bytes = msgpackEncode(
      { id: 2n ** 60n + 1n, small: 7n, blob: Uint8Array.from([0, 1, 254, 255]), when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), list: [1, 'two', null, true, 2.5], nested: { deeper: [[{}]] } },
      { useBigInt64: true },
    );
    expect(detectBinary(bytes)).toBe('msgpack');
    const decoded = value(decodeBinary('msgpack', bytes));
    expect(decoded).toEqual({
      id: '1152921504606846977',
      small: 7,
      blob: { hex: '0001feff' },
      when: '2026-01-02T03:04:05.000Z',
      list: [1, 'two', null, true, 2.5],
      nested: { deeper: [[{}]] },
    });
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(decoded);
    expect(value(decodeBinary('msgpack', hex('c7 03 05 01 02 03')))).toEqual({ ext: 5, data: { hex: '010203' } });
  });

  test('not detected: a lone value, trailing bytes, text, too short', () => {
    expect(detectBinary(msgpackEncode('just a string'))).toBeUndefined();
    // With the trailing byte this is valid CBOR ([{"\u0001": 0}]), but a key made of a control character is no one's data.
    expect(detectBinary(hex('81 a1 61 01 00'))).toBeUndefined();
    expect(value(decodeBinary('cbor', hex('81 a1 61 01 00')))).toEqual([{ '\u0001': 0 }]);
    expect(detectBinary(new TextEncoder().encode('{"a":1}'))).toBeUndefined();
    expect(detectBinary(hex('90'))).toBeUndefined();
    expect(failure(decodeBinary('msgpack', hex('81 a1 61 01 00')))).toMatch(/Not valid MessagePack: Extra 1 of 5 byte/);
  });

  test('hostile input: 100,000 levels deep, 200,000 items, a 4 GiB length claim, a __proto__ key', () => {
    const deep = hex('91'.repeat(100_000) + '01');
    expect(failure(decodeBinary('msgpack', deep))).toMatch(`nested deeper than ${MAX_DECODED_DEPTH} levels`);
    const wide = new Uint8Array(5 + 200_000).fill(1);
    wide.set([0xdd, 0x00, 0x03, 0x0d, 0x40]);
    expect(failure(decodeBinary('msgpack', wide))).toMatch('more than 100000 values');
    expect(decodeBinary('msgpack', hex('dd ffffffff')).ok).toBe(false);
    expect(decodeBinary('msgpack', hex('81 a9' + ascii('__proto__') + '01')).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('CBOR', () => {
  test('hand-written bytes (RFC 8949 appendix A): {"a": 1, "b": [2, 3]}, detected', () => {
    const bytes = hex('a2 61 61 01 61 62 82 02 03');
    expect(detectBinary(bytes)).toBe('cbor');
    expect(value(decodeBinary('cbor', bytes))).toEqual({ a: 1, b: [2, 3] });
  });

  test('the self-describe tag (d9 d9 f7) is detected even around a lone value, and unwrapped', () => {
    const bytes = hex('d9 d9 f7 63' + ascii('abc'));
    expect(detectBinary(bytes)).toBe('cbor');
    expect(value(decodeBinary('cbor', bytes))).toBe('abc');
  });

  test("the library's encoder: bignums, bytes, dates, Maps with number keys, unknown tags", () => {
    const bytes = cborEncode({ big: 2n ** 70n, neg: -(2n ** 70n), bytes: Uint8Array.from([1, 2]), when: new Date(Date.UTC(2025, 5, 1)), byNumber: new Map([[1, 'one'], [2, 'two']]), custom: new Tag(40_000, ['x']), half: 1.5, nan: NaN });
    expect(detectBinary(bytes)).toBe('cbor');
    expect(value(decodeBinary('cbor', bytes))).toEqual({
      big: '1180591620717411303424',
      neg: '-1180591620717411303424',
      bytes: { hex: '0102' },
      when: '2025-06-01T00:00:00.000Z',
      byNumber: { '1': 'one', '2': 'two' },
      custom: { tag: 40_000, value: ['x'] },
      half: 1.5,
      nan: 'NaN',
    });
  });

  test('indefinite-length byte strings (RFC 8949 §3.2.3), which cbor-x refuses', () => {
    expect(value(decodeBinary('cbor', hex('81 5f 42 0102 43 030405 ff')))).toEqual([{ hex: '0102030405' }]);
  });

  test('hostile and malformed input fails with a sentence', () => {
    expect(failure(decodeBinary('cbor', hex('81'.repeat(300) + '01')))).toMatch(/Not valid CBOR: .*depth/i);
    expect(failure(decodeBinary('cbor', hex('a1 61 61 01 00')))).toMatch(/Extra data/);
    expect(decodeBinary('cbor', hex('9b 00000000ffffffff')).ok).toBe(false);
  });

  test('a payload both formats read whole is not guessed', () => {
    // MessagePack: {24: 24}; CBOR: [24].
    const both = hex('81 18 18');
    expect(value(decodeBinary('msgpack', both))).toEqual({ '24': 24 });
    expect(value(decodeBinary('cbor', both))).toEqual([24]);
    expect(detectBinary(both)).toBeUndefined();
  });
});

describe('Protocol Buffers without a schema', () => {
  test('the encoding guide: field 1 varint 150 is 08 96 01; a string; a nested message', () => {
    expect(value(decodeBinary('protobuf', hex('08 96 01')))).toEqual([{ field: 1, wireType: 'varint', value: 150 }]);
    expect(value(decodeBinary('protobuf', hex('12 07 74 65 73 74 69 6e 67')))).toEqual([{ field: 2, wireType: 'len', string: 'testing' }]);
    expect(value(decodeBinary('protobuf', hex('1a 03 08 96 01')))).toEqual([{ field: 3, wireType: 'len', message: [{ field: 1, wireType: 'varint', value: 150 }] }]);
  });

  test('never detected', () => {
    expect(detectBinary(hex('08 96 01'))).toBeUndefined();
    expect(detectBinary(hex('1a 03 08 96 01'))).toBeUndefined();
  });

  test("protobufjs's Writer: negative int32, 64-bit, fixed, floats, bytes, a group", () => {
    const writer = Writer.create();
    writer.uint32((1 << 3) | 0).int32(-1);
    writer.uint32((2 << 3) | 0).uint64('18446744073709551615');
    writer.uint32((3 << 3) | 5).float(1.5);
    writer.uint32((4 << 3) | 1).double(-2.25);
    writer.uint32((5 << 3) | 2).bytes(Uint8Array.from([0, 0xff, 0x10]));
    writer.uint32((6 << 3) | 3).uint32((1 << 3) | 0).uint32(7).uint32((6 << 3) | 4);
    writer.uint32((7 << 3) | 5).sfixed32(-2);
    const bytes = writer.finish();
    expect(value(decodeBinary('protobuf', bytes))).toEqual([
      { field: 1, wireType: 'varint', value: '18446744073709551615', signed: -1 },
      { field: 2, wireType: 'varint', value: '18446744073709551615', signed: -1 },
      { field: 3, wireType: 'i32', value: 0x3fc00000, float: 1.5 },
      { field: 4, wireType: 'i64', value: '13835621005235585024', signed: '-4611123068473966592', float: -2.25 },
      { field: 5, wireType: 'len', bytes: { hex: '00ff10' } },
      { field: 6, wireType: 'group', message: [{ field: 1, wireType: 'varint', value: 7 }] },
      { field: 7, wireType: 'i32', value: 4294967294, signed: -2, float: 'NaN' },
    ]);
  });

  test('malformed: a length past the end, field 0, an unterminated group', () => {
    expect(failure(decodeBinary('protobuf', hex('0a 05 01')))).toMatch(/past the end/);
    expect(decodeBinary('protobuf', hex('00 01')).ok).toBe(false);
    expect(failure(decodeBinary('protobuf', hex('0b 08 01')))).toMatch(/not closed/);
  });

  test('hostile nesting: 100,000 nested messages and groups return promptly without a stack overflow', () => {
    let nested = hex('08 01');
    for (let i = 0; i < 300; i++) {
      const length = nested.length;
      const header = [0x0a];
      let rest = length;
      while (rest >= 0x80) {
        header.push((rest & 0x7f) | 0x80);
        rest >>>= 7;
      }
      header.push(rest);
      const next = new Uint8Array(header.length + length);
      next.set(header);
      next.set(nested, header.length);
      nested = next;
    }
    const started = performance.now();
    const deep = decodeBinary('protobuf', nested);
    expect(deep.ok).toBe(true); // levels past the bound are shown as bytes
    expect(JSON.stringify(deep).length).toBeGreaterThan(0);
    const groups = hex('0b'.repeat(100_000));
    expect(failure(decodeBinary('protobuf', groups))).toMatch(/deeper than 200 levels/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
  test('hostile nesting that fails at every level (1 MiB, 190 levels) costs no more than a few passes over the payload', () => {
    const wrap = (inner: Uint8Array) => {
      // Each level: field 1, length-delimited, holding the level below and then a byte of the invalid wire type 7.
      const body = new Uint8Array(inner.length + 1);
      body.set(inner);
      body[inner.length] = 0x07;
      const header = [0x0a];
      for (let rest = body.length; ; rest >>>= 7) {
        if (rest < 0x80) {
          header.push(rest);
          break;
        }
        header.push((rest & 0x7f) | 0x80);
      }
      const level = new Uint8Array(header.length + body.length);
      level.set(header);
      level.set(body, header.length);
      return level;
    };
    let payload = new Uint8Array(1024 * 1024).fill(0x01);
    payload[0] = 0x07;
    for (let i = 0; i < 190; i++) payload = wrap(payload);
    const started = performance.now();
    const result = value(decodeBinary('protobuf', payload)) as { bytes?: { hex: string } }[];
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toHaveLength(1);
    expect(result[0].bytes?.hex.length).toBe(2 * (payload.length - 4));
  }, 20_000);
});

const CHAT_PROTO = `
syntax = "proto3";
package chat.v1;
import "google/protobuf/timestamp.proto";

enum Kind { KIND_UNSPECIFIED = 0; KIND_TEXT = 1; KIND_IMAGE = 2; }

message Author { string name = 1; uint32 id = 2; }

message Envelope {
  uint64 seq = 1;
  Kind kind = 2;
  Author author = 3;
  repeated int32 scores = 4;
  map<string, Author> by_name = 5;
  bytes blob = 6;
  sint64 delta = 7;
  oneof body { string text = 8; double value = 9; }
  repeated string tags = 10;
  google.protobuf.Timestamp sent_at = 11;
  bool urgent = 12;
  map<int32, Kind> kinds = 13;
}
`;

describe('Protocol Buffers with a schema', () => {
  const compiled = compileProtoSchema(CHAT_PROTO);
  if (!compiled.ok) throw new Error(compiled.error);
  const Envelope = compiled.root.lookupType('chat.v1.Envelope');
  const sample = {
    seq: '9007199254740993',
    kind: 1,
    author: { name: 'ada', id: 7 },
    scores: [3, -4, 500],
    by_name: { bob: { name: 'bob', id: 2 } },
    blob: Uint8Array.from([9, 8]),
    delta: -5,
    text: 'héllo "quoted"',
    tags: ['a', 'b'],
    sent_at: { seconds: 1_700_000_000, nanos: 5 },
    urgent: true,
    kinds: { 3: 2 },
  };
  const expected = {
    seq: '9007199254740993',
    kind: 'KIND_TEXT',
    author: { name: 'ada', id: 7 },
    scores: [3, -4, 500],
    by_name: { bob: { name: 'bob', id: 2 } },
    blob: { hex: '0908' },
    delta: -5,
    text: 'héllo "quoted"',
    tags: ['a', 'b'],
    sent_at: { seconds: 1_700_000_000, nanos: 5 },
    urgent: true,
    kinds: { '3': 'KIND_IMAGE' },
  };

  test("a message encoded by protobufjs's own encoder reads back by the schema (proto3 JSON names, enums by name, 64-bit as strings)", () => {
    const bytes = Envelope.encode(Envelope.fromObject(sample)).finish();
    expect(compiled.messageTypes).toEqual(expect.arrayContaining(['chat.v1.Author', 'chat.v1.Envelope', 'google.protobuf.Timestamp']));
    const result = decodeBinary('protobuf-schema', bytes, { protobufSchema: { proto: CHAT_PROTO, messageType: '.chat.v1.Envelope' } });
    expect(value(result)).toEqual(expected);
  });

  test('works without eval: an MV3 page forbids new Function, which protobufjs decode() needs', () => {
    const bytes = Envelope.encode(Envelope.fromObject(sample)).finish();
    const fresh = `${CHAT_PROTO}\n// a text not compiled yet\n`;
    const original = globalThis.Function;
    const blocked = new Proxy(original, {
      apply() {
        throw new EvalError('Function blocked (content security policy)');
      },
      construct() {
        throw new EvalError('Function blocked (content security policy)');
      },
    });
    globalThis.Function = blocked;
    let ours: DecodeResult;
    let theirs: unknown;
    try {
      ours = decodeBinary('protobuf-schema', bytes, { protobufSchema: { proto: fresh, messageType: 'chat.v1.Envelope' } });
      const control = compileProtoSchema(fresh);
      try {
        if (control.ok) control.root.lookupType('chat.v1.Envelope').decode(bytes);
      } catch (error) {
        theirs = error;
      }
    } finally {
      globalThis.Function = original;
    }
    expect(theirs).toBeInstanceOf(EvalError);
    expect(value(ours)).toEqual(expected);
  });

  test('fields the schema does not declare are kept under #unknown; wrong wire types too', () => {
    const bytes = hex('08 05 f8 06 2a 12 03 61 62 63');
    expect(value(decodeBinary('protobuf-schema', bytes, { protobufSchema: { proto: CHAT_PROTO, messageType: 'chat.v1.Envelope' } }))).toEqual({
      seq: 5,
      '#unknown': [
        { field: 111, wireType: 'varint', value: 42 },
        { field: 2, wireType: 'len', string: 'abc' },
      ],
    });
  });

  test('errors for people: a bad .proto, an unknown type, bytes that are not that message, no schema', () => {
    expect(failure(decodeBinary('protobuf-schema', hex('08 01'), { protobufSchema: { proto: 'message {', messageType: 'X' } }))).toMatch(/could not be read/);
    expect(failure(decodeBinary('protobuf-schema', hex('08 01'), { protobufSchema: { proto: CHAT_PROTO, messageType: 'Nope' } }))).toMatch(/No message type "Nope".*chat\.v1\.Author/);
    expect(failure(decodeBinary('protobuf-schema', hex('1a 09 0a'), { protobufSchema: { proto: CHAT_PROTO, messageType: 'chat.v1.Envelope' } }))).toMatch(/Not a valid chat\.v1\.Envelope message/);
    expect(failure(decodeBinary('protobuf-schema', hex('08 01')))).toMatch(/Give the \.proto text/);
  });

  test('a self-nesting schema and hostile depth', () => {
    const proto = 'syntax = "proto3"; message Node { Node child = 1; int32 v = 2; }';
    let bytes = hex('10 01');
    for (let i = 0; i < 250; i++) bytes = Uint8Array.from([0x0a, ...(bytes.length < 128 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7]), ...bytes]);
    expect(failure(decodeBinary('protobuf-schema', bytes, { protobufSchema: { proto, messageType: 'Node' } }))).toMatch(/too large to show: nested deeper than 200 levels/);
    const shallow = hex('0a 04 0a 02 10 07');
    expect(value(decodeBinary('protobuf-schema', shallow, { protobufSchema: { proto, messageType: 'Node' } }))).toEqual({ child: { child: { v: 7 } } });
  });
});

describe('MQTT', () => {
  const connect311 = hex('10 19' + '0004' + ascii('MQTT') + '04' + 'c2' + '003c' + '0002' + ascii('c1') + '0004' + ascii('user') + '0003' + ascii('pwd'));

  test('hand-written packets from the 3.1.1 specification', () => {
    expect(value(decodeBinary('mqtt', connect311))).toEqual([
      {
        type: 'CONNECT',
        summary: 'CONNECT "c1" (MQTT 3.1.1, keep alive 60 s)',
        fields: { protocolName: 'MQTT', protocolLevel: 4, cleanSession: true, keepAliveSeconds: 60, clientId: 'c1', username: 'user', password: 'pwd' },
      },
    ]);
    expect(mqttProtocolLevel(connect311)).toBe(4);
    expect(value(decodeBinary('mqtt', hex('20 02 00 00')))).toEqual([{ type: 'CONNACK', summary: 'CONNACK Connection accepted', fields: { sessionPresent: false, returnCode: 0, reason: 'Connection accepted' } }]);
    expect(value(decodeBinary('mqtt', hex('20 02 01 05')))).toMatchObject([{ fields: { sessionPresent: true, reason: 'Not authorized' } }]);
    expect(value(decodeBinary('mqtt', hex('c0 00')))).toEqual([{ type: 'PINGREQ', summary: 'PINGREQ (keep-alive ping)', fields: {} }]);
    expect(value(decodeBinary('mqtt', hex('d0 00')))).toEqual([{ type: 'PINGRESP', summary: 'PINGRESP (keep-alive reply)', fields: {} }]);
    expect(value(decodeBinary('mqtt', hex('e0 00')))).toEqual([{ type: 'DISCONNECT', summary: 'DISCONNECT', fields: {} }]);
  });

  test('PUBLISH with topic and payload (JSON, binary, QoS 1); SUBSCRIBE and SUBACK', () => {
    const json = '{"t":21.5}';
    const publish = hex(`30 ${(5 + json.length).toString(16).padStart(2, '0')} 0003 ${ascii('a/b')} ${ascii(json)}`);
    expect(value(decodeBinary('mqtt', publish))).toEqual([
      { type: 'PUBLISH', summary: 'PUBLISH a/b (QoS 0, 10 bytes)', fields: { topic: 'a/b', qos: 0, retain: false, dup: false, payloadBytes: 10 }, payload: json, payloadJson: { t: 21.5 } },
    ]);
    expect(value(decodeBinary('mqtt', hex(`33 09 0003 ${ascii('a/b')} 0007 00 ff`)))).toEqual([
      { type: 'PUBLISH', summary: 'PUBLISH a/b (QoS 1, retained, 2 bytes)', fields: { topic: 'a/b', qos: 1, retain: true, dup: false, packetId: 7, payloadBytes: 2 }, payload: { hex: '00ff' } },
    ]);
    expect(value(decodeBinary('mqtt', hex(`82 08 0001 0003 ${ascii('a/#')} 01`)))).toEqual([
      { type: 'SUBSCRIBE', summary: 'SUBSCRIBE a/# (QoS 1)', fields: { packetId: 1, subscriptions: [{ topicFilter: 'a/#', qos: 1 }] } },
    ]);
    expect(value(decodeBinary('mqtt', hex('90 04 0001 01 80')))).toMatchObject([{ type: 'SUBACK', fields: { packetId: 1, returnCodes: [1, 128], reasons: ['Granted QoS 1', 'Failure'] } }]);
  });

  test('MQTT 5: CONNECT says its level; properties and reason codes', () => {
    const connect5 = hex('10 12' + '0004' + ascii('MQTT') + '05' + '02' + '001e' + '05 11 00000e10' + '0000');
    expect(mqttProtocolLevel(connect5)).toBe(5);
    expect(value(decodeBinary('mqtt', connect5))).toMatchObject([{ type: 'CONNECT', fields: { protocolLevel: 5, properties: { sessionExpiryInterval: 3600 }, clientId: '' } }]);
    const publish5 = hex(`30 0f 0003 ${ascii('a/b')} 07 26 0001 ${ascii('k')} 0001 ${ascii('v')} ${ascii('hi')}`);
    expect(value(decodeBinary('mqtt', publish5, { mqttLevel: 5 }))).toMatchObject([{ fields: { topic: 'a/b', properties: { userProperty: [['k', 'v']] } }, payload: 'hi' }]);
    expect(value(decodeBinary('mqtt', hex('e0 01 8e'), { mqttLevel: 5 }))).toMatchObject([{ summary: 'DISCONNECT (Session taken over)' }]);
  });

  test('several packets in one message; a packet cut short; detection only on the mqtt sub-protocol', () => {
    expect((value(decodeBinary('mqtt', hex('c0 00 d0 00'))) as unknown[]).length).toBe(2);
    expect(failure(decodeBinary('mqtt', hex('30 20 0003 61')))).toMatch(/continues in another message/);
    expect(detectBinary(hex('c0 00'), { protocol: 'mqtt' })).toBe('mqtt');
    expect(detectBinary(connect311, { protocol: 'mqttv3.1' })).toBe('mqtt');
    expect(detectBinary(connect311)).toBeUndefined();
    expect(detectBinary(hex('81 a1 61 01'), { protocol: 'mqtt' })).toBeUndefined();
  });
});

function message(index: number, direction: Message['direction'], opcode: 1 | 2, preview: string, extra: Partial<Message> = {}): Message {
  return { index, direction, time: 1000 + index, opcode, size: preview.length, preview, truncated: false, ...extra };
}

describe('Socket.IO binary attachments', () => {
  test('a hand-written packet: the placeholder is replaced by the next binary message of the same direction', () => {
    const messages = [
      message(0, 'send', 1, '451-["upload",{"_placeholder":true,"num":0},"name.png"]'),
      message(1, 'receive', 1, '2'),
      message(2, 'send', 2, base64(hex('89 50 4e 47'))),
      message(3, 'send', 1, '42["after",1]'),
    ];
    expect(assembleSocketIoBinary(messages, { url: 'wss://h/socket.io/?EIO=4&transport=websocket' })).toEqual([
      { index: 0, type: 'BINARY_EVENT', event: 'upload', attachments: 1, attachmentIndexes: [2], data: ['upload', { hex: '89504e47' }, 'name.png'] },
    ]);
  });

  test("socket.io-parser's encoder: two attachments inside an ack, Engine.IO 4 framing", () => {
    const encoded = new SocketIoEncoder().encode({ type: PacketType.ACK, nsp: '/chat', id: 12, data: [{ a: Buffer.from([1, 2]), b: [Buffer.from([3])] }] }) as (string | Buffer)[];
    expect(typeof encoded[0]).toBe('string');
    const messages = [
      message(5, 'receive', 1, `4${encoded[0] as string}`),
      message(6, 'receive', 2, base64(encoded[1] as Buffer)),
      message(7, 'receive', 2, base64(encoded[2] as Buffer)),
    ];
    expect(assembleSocketIoBinary(messages, { url: 'wss://h/socket.io/?EIO=4' })).toEqual([
      { index: 5, type: 'BINARY_ACK', attachments: 2, attachmentIndexes: [6, 7], data: [{ a: { hex: '0102' }, b: [{ hex: '03' }] }] },
    ]);
  });

  test('Engine.IO 3 prefixes binary frames with 4; a truncated attachment, a missing one and dropped messages are said', () => {
    const v3 = assembleSocketIoBinary([message(0, 'send', 1, '451-["e",{"_placeholder":true,"num":0}]'), message(1, 'send', 2, base64(hex('04 aa bb')))], { url: 'ws://h/socket.io/?EIO=3&transport=websocket' });
    expect(v3[0].data).toEqual(['e', { hex: 'aabb' }]);
    const truncated = assembleSocketIoBinary([message(0, 'send', 1, '451-["e",{"_placeholder":true,"num":0}]'), message(1, 'send', 2, 'AAAA', { truncated: true, size: 100_000 })]);
    expect(truncated[0].error).toMatch(/preview truncated/);
    const missing = assembleSocketIoBinary([message(0, 'send', 1, '452-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'), message(1, 'send', 2, 'AAAA')]);
    expect(missing[0]).toMatchObject({ attachmentIndexes: [1], error: '1 of 2 attachments never arrived.' });
    const dropped = assembleSocketIoBinary([message(0, 'send', 1, '451-["e",{"_placeholder":true,"num":0}]'), message(4, 'send', 2, 'AAAA')]);
    expect(dropped[0].error).toMatch(/dropped by the memory cap/);
  });
});

describe('recorded messages', () => {
  test('truncated and evicted previews are refused with the reason; binary previews are base64', () => {
    expect(failure(decodeMessage({ opcode: 2, preview: 'gaFhAQ==', truncated: true, size: 70_000 }, 'msgpack'))).toMatch(/preview truncated.*cannot be decoded/);
    expect(failure(decodeMessage({ opcode: 2, preview: '', truncated: false, evicted: true, size: 4 }, 'msgpack'))).toMatch(/evicted/);
    expect(value(decodeMessage({ opcode: 2, preview: 'gaFhAQ==', truncated: false, size: 4 }, 'msgpack'))).toEqual({ a: 1 });
    expect(messageBytes({ opcode: 1, preview: 'é', truncated: false, size: 2 })).toEqual({ ok: true, bytes: Uint8Array.from([0xc3, 0xa9]) });
    expect(messageBytes({ opcode: 2, preview: '@@@', truncated: false, size: 2 }).ok).toBe(false);
  });

  test('a choice is remembered per endpoint: the reconnect chains\' key, without query or fragment (tokens, cache busters)', () => {
    expect(endpointKey('wss://api.example.com/feed?token=abc#x')).toBe('wss://api.example.com:443/feed');
    expect(endpointKey('wss://API.example.com:443/feed?t=2')).toBe(endpointKey('wss://api.example.com/feed?t=1'));
  });
});

describe('where the decoder libraries load', () => {
  /** Every TypeScript file under a folder. */
  function sources(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.tsx?$/.test(file))
      .map((file) => join(dir, file));
  }
  const LIBRARIES = /from\s+['"](@msgpack\/msgpack|cbor2|protobufjs(\/[^'"]*)?|[^'"]*\/decoders(\/[^'"]*)?)['"]/;

  test('never in the page hook, the content script, the background or the protocol; in core only under core/decoders', () => {
    const offenders = [...['src/page', 'src/content', 'src/background', 'src/protocol'].flatMap(sources), ...sources('src/core').filter((file) => !file.includes(`core${sep}decoders${sep}`))].filter((file) =>
      LIBRARIES.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
