// MQTT control packets (3.1, 3.1.1 and 5.0) as they travel over WebSockets
// (sub-protocol `mqtt`, or `mqttv3.1`). A small table-driven parser: the
// maintained library, mqtt-packet (used by MQTT.js), depends on Node's
// Buffer and streams (`bl`, `process-nextick-args`, `debug`), which an
// extension page does not have without polyfills several times this file's
// size. Specs: MQTT 3.1.1 (OASIS, 2014) §2–3, MQTT 5.0 (OASIS, 2019) §2–3.
import { utf8DecodeStrict } from '../bytes';
import { parseJsonBounded } from '../jsonDepth';
import { hexBytes, NodeBudget, printableText, toJsonSafe, type DecodeLimits, type HexBytes } from './jsonSafe';

/** Protocol level as CONNECT carries it: 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0. */
export type MqttLevel = 3 | 4 | 5;

export interface MqttPacket {
  /** CONNECT, CONNACK, PUBLISH, SUBSCRIBE, PINGREQ… */
  type: string;
  /** One line for people. */
  summary: string;
  /** The packet's fields by their names in the specification (topic, qos, packetId, clientId, reasonCode…). */
  fields: Record<string, unknown>;
  /** PUBLISH: the application message, as text when it is printable UTF-8, else bytes. */
  payload?: string | HexBytes;
  /** PUBLISH: the payload parsed, when it is JSON. */
  payloadJson?: unknown;
}

const PACKET_TYPES = ['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'] as const;
/** Fixed-header flags that must be exactly so (§2.2.2); PUBLISH's carry DUP, QoS and RETAIN. */
const REQUIRED_FLAGS: Readonly<Record<string, number>> = { PUBREL: 2, SUBSCRIBE: 2, UNSUBSCRIBE: 2 };

type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'binary' | 'pair';

/** MQTT 5 properties (§2.2.2.2): identifier → name and type. */
const PROPERTIES: Readonly<Record<number, readonly [string, PropertyType]>> = {
  0x01: ['payloadFormatIndicator', 'byte'],
  0x02: ['messageExpiryInterval', 'u32'],
  0x03: ['contentType', 'utf8'],
  0x08: ['responseTopic', 'utf8'],
  0x09: ['correlationData', 'binary'],
  0x0b: ['subscriptionIdentifier', 'varint'],
  0x11: ['sessionExpiryInterval', 'u32'],
  0x12: ['assignedClientIdentifier', 'utf8'],
  0x13: ['serverKeepAlive', 'u16'],
  0x15: ['authenticationMethod', 'utf8'],
  0x16: ['authenticationData', 'binary'],
  0x17: ['requestProblemInformation', 'byte'],
  0x18: ['willDelayInterval', 'u32'],
  0x19: ['requestResponseInformation', 'byte'],
  0x1a: ['responseInformation', 'utf8'],
  0x1c: ['serverReference', 'utf8'],
  0x1f: ['reasonString', 'utf8'],
  0x21: ['receiveMaximum', 'u16'],
  0x22: ['topicAliasMaximum', 'u16'],
  0x23: ['topicAlias', 'u16'],
  0x24: ['maximumQoS', 'byte'],
  0x25: ['retainAvailable', 'byte'],
  0x26: ['userProperty', 'pair'],
  0x27: ['maximumPacketSize', 'u32'],
  0x28: ['wildcardSubscriptionAvailable', 'byte'],
  0x29: ['subscriptionIdentifierAvailable', 'byte'],
  0x2a: ['sharedSubscriptionAvailable', 'byte'],
};

/** CONNACK return codes of MQTT 3.1 / 3.1.1 (§3.2.2.3). */
const CONNACK_V3: Readonly<Record<number, string>> = {
  0: 'Connection accepted',
  1: 'Unacceptable protocol version',
  2: 'Identifier rejected',
  3: 'Server unavailable',
  4: 'Bad user name or password',
  5: 'Not authorized',
};

/** MQTT 5 reason codes (§2.4). 0x00 reads "Success" (or "Granted QoS 0", "Normal disconnection" by packet). */
const REASONS_V5: Readonly<Record<number, string>> = {
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

/** SUBACK return codes of 3.1.1 (§3.9.3). */
const SUBACK_V3: Readonly<Record<number, string>> = { 0: 'Granted QoS 0', 1: 'Granted QoS 1', 2: 'Granted QoS 2', 0x80: 'Failure' };

class Cursor {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.at = start;
  }
  need(count: number, what: string): void {
    if (this.at + count > this.end) throw new Error(`${what} runs past the end of the packet (byte ${this.at})`);
  }
  get left(): number {
    return this.end - this.at;
  }
  byte(what = 'a byte'): number {
    this.need(1, what);
    return this.bytes[this.at++];
  }
  u16(what = 'a two-byte integer'): number {
    this.need(2, what);
    const value = (this.bytes[this.at] << 8) | this.bytes[this.at + 1];
    this.at += 2;
    return value;
  }
  u32(what = 'a four-byte integer'): number {
    this.need(4, what);
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 4).getUint32(0);
    this.at += 4;
    return value;
  }
  /** Variable Byte Integer (§1.5.5): at most four bytes. */
  varint(what = 'a variable byte integer'): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.byte(what);
      value += (byte & 0x7f) * 128 ** i;
      if (byte < 0x80) return value;
    }
    throw new Error(`${what} is longer than four bytes (byte ${this.at})`);
  }
  binary(what = 'binary data'): Uint8Array {
    const length = this.u16(what);
    this.need(length, what);
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }
  utf8(what = 'a string'): string {
    const text = utf8DecodeStrict(this.binary(what));
    if (text === undefined) throw new Error(`${what} is not UTF-8`);
    return text;
  }
  rest(): Uint8Array {
    const slice = this.bytes.subarray(this.at, this.end);
    this.at = this.end;
    return slice;
  }
}

function readProperties(cursor: Cursor): Record<string, unknown> {
  const length = cursor.varint('the properties length');
  cursor.need(length, 'the properties');
  const inner = new Cursor(cursor.bytes, cursor.at, cursor.at + length);
  cursor.at += length;
  const properties: Record<string, unknown> = {};
  while (inner.left > 0) {
    const id = inner.varint('a property identifier');
    const known = PROPERTIES[id];
    if (!known) throw new Error(`unknown property 0x${id.toString(16)}`);
    const [name, type] = known;
    let value: unknown;
    if (type === 'byte') value = inner.byte(name);
    else if (type === 'u16') value = inner.u16(name);
    else if (type === 'u32') value = inner.u32(name);
    else if (type === 'varint') value = inner.varint(name);
    else if (type === 'utf8') value = inner.utf8(name);
    else if (type === 'binary') value = hexBytes(inner.binary(name));
    else value = [inner.utf8(`${name} name`), inner.utf8(`${name} value`)];
    // User properties and subscription identifiers may repeat.
    if (name === 'userProperty' || name === 'subscriptionIdentifier') ((properties[name] ??= []) as unknown[]).push(value);
    else properties[name] = value;
  }
  return properties;
}

function reasonText(code: number, level: MqttLevel): string {
  return (level === 5 ? REASONS_V5[code] : undefined) ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** A PUBLISH payload: text when printable (with its JSON when it parses), else hex. */
function payloadOf(bytes: Uint8Array, budget: NodeBudget): Pick<MqttPacket, 'payload' | 'payloadJson'> {
  const text = printableText(bytes);
  if (text === undefined) return { payload: hexBytes(bytes) };
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = parseJsonBounded(trimmed, budget.maxDepth);
    if (parsed.ok) return { payload: text, payloadJson: toJsonSafe(parsed.value, budget, 1) };
  }
  return { payload: text };
}

type BodyParser = (cursor: Cursor, flags: number, level: MqttLevel, budget: NodeBudget) => Omit<MqttPacket, 'type'>;

function ackWithId(name: string): BodyParser {
  return (cursor, _flags, level) => {
    const packetId = cursor.u16('the packet identifier');
    const fields: Record<string, unknown> = { packetId };
    if (level === 5 && cursor.left > 0) {
      fields.reasonCode = cursor.byte('the reason code');
      fields.reason = reasonText(fields.reasonCode as number, level);
      if (cursor.left > 0) fields.properties = readProperties(cursor);
    }
    return { summary: `${name} ${packetId}${fields.reasonCode ? ` (${String(fields.reason)})` : ''}`, fields };
  };
}

function reasonOnly(name: string): BodyParser {
  return (cursor, _flags, level) => {
    const fields: Record<string, unknown> = {};
    if (level === 5 && cursor.left > 0) {
      fields.reasonCode = cursor.byte('the reason code');
      fields.reason = reasonText(fields.reasonCode as number, level);
      if (cursor.left > 0) fields.properties = readProperties(cursor);
    }
    return { summary: fields.reason !== undefined ? `${name} (${String(fields.reason)})` : name, fields };
  };
}

const empty = (name: string, summary: string): BodyParser => () => ({ summary: summary || name, fields: {} });

/** How to read each packet type's variable header and payload. */
const BODY: Readonly<Record<string, BodyParser>> = {
  CONNECT: (cursor) => {
    const protocolName = cursor.utf8('the protocol name');
    const protocolLevel = cursor.byte('the protocol level');
    const flags = cursor.byte('the connect flags');
    const keepAliveSeconds = cursor.u16('the keep alive');
    const level = (protocolLevel === 5 ? 5 : protocolLevel === 3 ? 3 : 4) as MqttLevel;
    const fields: Record<string, unknown> = {
      protocolName,
      protocolLevel,
      cleanSession: (flags & 0x02) !== 0,
      keepAliveSeconds,
    };
    if (level === 5) fields.properties = readProperties(cursor);
    fields.clientId = cursor.utf8('the client identifier');
    if (flags & 0x04) {
      const will: Record<string, unknown> = { qos: (flags >> 3) & 3, retain: (flags & 0x20) !== 0 };
      if (level === 5) will.properties = readProperties(cursor);
      will.topic = cursor.utf8('the will topic');
      const message = cursor.binary('the will message');
      will.message = printableText(message) ?? hexBytes(message);
      fields.will = will;
    }
    if (flags & 0x80) fields.username = cursor.utf8('the user name');
    if (flags & 0x40) {
      // Shown like every other field: the panel shows the raw bytes anyway; exports redact through redact.ts.
      const password = cursor.binary('the password');
      fields.password = printableText(password) ?? hexBytes(password);
    }
    const version = protocolLevel === 5 ? '5.0' : protocolLevel === 4 ? '3.1.1' : protocolLevel === 3 ? '3.1' : `level ${protocolLevel}`;
    return { summary: `CONNECT ${JSON.stringify(fields.clientId)} (MQTT ${version}, keep alive ${keepAliveSeconds} s)`, fields };
  },
  CONNACK: (cursor, _flags, level) => {
    const acknowledge = cursor.byte('the acknowledge flags');
    const code = cursor.byte('the return code');
    const fields: Record<string, unknown> = { sessionPresent: (acknowledge & 1) === 1, returnCode: code };
    fields.reason = level === 5 ? reasonText(code, level) : (CONNACK_V3[code] ?? `0x${code.toString(16)}`);
    if (level === 5 && cursor.left > 0) fields.properties = readProperties(cursor);
    return { summary: `CONNACK ${String(fields.reason)}`, fields };
  },
  PUBLISH: (cursor, flags, level, budget) => {
    const qos = (flags >> 1) & 3;
    if (qos === 3) throw new Error('PUBLISH with QoS 3 (not MQTT)');
    const topic = cursor.utf8('the topic name');
    const fields: Record<string, unknown> = { topic, qos, retain: (flags & 1) === 1, dup: (flags & 8) === 8 };
    if (qos > 0) fields.packetId = cursor.u16('the packet identifier');
    if (level === 5) fields.properties = readProperties(cursor);
    const body = cursor.rest();
    fields.payloadBytes = body.length;
    const payload = payloadOf(body, budget);
    return { summary: `PUBLISH ${topic} (QoS ${qos}${fields.retain ? ', retained' : ''}, ${body.length} bytes)`, fields, ...payload };
  },
  PUBACK: ackWithId('PUBACK'),
  PUBREC: ackWithId('PUBREC'),
  PUBREL: ackWithId('PUBREL'),
  PUBCOMP: ackWithId('PUBCOMP'),
  SUBSCRIBE: (cursor, _flags, level) => {
    const packetId = cursor.u16('the packet identifier');
    const fields: Record<string, unknown> = { packetId };
    if (level === 5) fields.properties = readProperties(cursor);
    const subscriptions: Record<string, unknown>[] = [];
    while (cursor.left > 0) {
      const topicFilter = cursor.utf8('a topic filter');
      const options = cursor.byte('the subscription options');
      const subscription: Record<string, unknown> = { topicFilter, qos: options & 3 };
      if (level === 5) Object.assign(subscription, { noLocal: (options & 4) !== 0, retainAsPublished: (options & 8) !== 0, retainHandling: (options >> 4) & 3 });
      subscriptions.push(subscription);
    }
    if (!subscriptions.length) throw new Error('SUBSCRIBE without a topic filter');
    fields.subscriptions = subscriptions;
    return { summary: `SUBSCRIBE ${subscriptions.map((s) => `${String(s.topicFilter)} (QoS ${String(s.qos)})`).join(', ')}`, fields };
  },
  SUBACK: (cursor, _flags, level) => {
    const packetId = cursor.u16('the packet identifier');
    const fields: Record<string, unknown> = { packetId };
    if (level === 5) fields.properties = readProperties(cursor);
    const codes = Array.from(cursor.rest());
    fields.returnCodes = codes;
    fields.reasons = codes.map((code) => (level === 5 ? reasonText(code, level) : (SUBACK_V3[code] ?? `0x${code.toString(16)}`)));
    return { summary: `SUBACK ${packetId}: ${(fields.reasons as string[]).join(', ')}`, fields };
  },
  UNSUBSCRIBE: (cursor, _flags, level) => {
    const packetId = cursor.u16('the packet identifier');
    const fields: Record<string, unknown> = { packetId };
    if (level === 5) fields.properties = readProperties(cursor);
    const topicFilters: string[] = [];
    while (cursor.left > 0) topicFilters.push(cursor.utf8('a topic filter'));
    fields.topicFilters = topicFilters;
    return { summary: `UNSUBSCRIBE ${topicFilters.join(', ')}`, fields };
  },
  UNSUBACK: (cursor, _flags, level) => {
    const packetId = cursor.u16('the packet identifier');
    const fields: Record<string, unknown> = { packetId };
    if (level === 5) {
      fields.properties = readProperties(cursor);
      fields.reasons = Array.from(cursor.rest(), (code) => reasonText(code, level));
    }
    return { summary: `UNSUBACK ${packetId}`, fields };
  },
  PINGREQ: empty('PINGREQ', 'PINGREQ (keep-alive ping)'),
  PINGRESP: empty('PINGRESP', 'PINGRESP (keep-alive reply)'),
  DISCONNECT: reasonOnly('DISCONNECT'),
  AUTH: reasonOnly('AUTH'),
};

export interface MqttOptions extends DecodeLimits {
  /** The connection's protocol level (from its CONNECT, see mqttProtocolLevel); 4 (3.1.1) when unknown. Only CONNECT says it itself. */
  mqttLevel?: MqttLevel;
}

/**
 * Every MQTT control packet in one WebSocket message (usually one; a message
 * may hold several). Throws when a packet is malformed or continues past the
 * message (MQTT allows splitting a packet across WebSocket messages; each
 * message is read on its own here).
 */
export function decodeMqtt(bytes: Uint8Array, options: MqttOptions = {}): MqttPacket[] {
  const budget = new NodeBudget(options);
  let level: MqttLevel = options.mqttLevel ?? 4;
  const packets: MqttPacket[] = [];
  const cursor = new Cursor(bytes, 0, bytes.length);
  if (!bytes.length) throw new Error('empty message');
  while (cursor.left > 0) {
    budget.take(1);
    const first = cursor.byte('the fixed header');
    const type = PACKET_TYPES[first >> 4];
    if (!type) throw new Error(`packet type 0 is reserved (byte ${cursor.at - 1}): not MQTT`);
    const flags = first & 0x0f;
    const required = REQUIRED_FLAGS[type] ?? (type === 'PUBLISH' ? undefined : 0);
    if (required !== undefined && flags !== required) throw new Error(`${type} with flags ${flags} (must be ${required}): not MQTT`);
    const remaining = cursor.varint('the remaining length');
    if (cursor.at + remaining > bytes.length) {
      throw new Error(`${type} needs ${remaining} bytes after its header, the message has ${bytes.length - cursor.at}: the packet continues in another message or the message is not MQTT`);
    }
    const body = new Cursor(bytes, cursor.at, cursor.at + remaining);
    cursor.at += remaining;
    if (type === 'CONNECT') {
      const levelByte = peekConnectLevel(body);
      if (levelByte === 3 || levelByte === 4 || levelByte === 5) level = levelByte;
    }
    const parsed = BODY[type](body, flags, level, budget);
    if (body.left > 0) throw new Error(`${type} has ${body.left} bytes left over: not MQTT or another version (try setting the protocol level)`);
    packets.push({ type, ...parsed });
  }
  return packets;
}

function peekConnectLevel(body: Cursor): number | undefined {
  const probe = new Cursor(body.bytes, body.at, body.end);
  try {
    probe.utf8();
    return probe.byte();
  } catch {
    return undefined;
  }
}

/** The protocol level a CONNECT packet asks for (3, 4 or 5), else undefined: for the panel to read a connection's later packets right. */
export function mqttProtocolLevel(bytes: Uint8Array): MqttLevel | undefined {
  if (bytes.length < 2 || bytes[0] >> 4 !== 1) return undefined;
  const cursor = new Cursor(bytes, 1, bytes.length);
  try {
    cursor.varint();
    const level = peekConnectLevel(cursor);
    return level === 3 || level === 4 || level === 5 ? level : undefined;
  } catch {
    return undefined;
  }
}

/** MQTT over WebSocket negotiates the `mqtt` sub-protocol (`mqttv3.1` for 3.1): the only case where packets are recognised without being asked. */
export function isMqttSubprotocol(protocol: string | undefined): boolean {
  return /^mqtt(v3\.1)?$/i.test((protocol ?? '').trim());
}
