// Binary payload decoders for the message inspector: MessagePack, CBOR,
// Protocol Buffers (schemaless, or with the user's .proto), MQTT, and the
// Socket.IO binary attachments. Pure and synchronous; every result is plain
// JSON data (bigint → decimal string, bytes → `{ hex }`) within a depth and a
// node bound, and no function here throws.
//
// These modules pull in @msgpack/msgpack, cbor2 and protobufjs: import them
// from the panel and the viewer only (a dynamic `import()` keeps them out of
// the panel's first load), never from src/page/, src/content/ or
// src/background/.
//
// What is recognised without being asked (detectBinary), because a wrong
// guess would show a confident nonsense tree:
//  - CBOR that starts with the self-describe tag (d9 d9 f7);
//  - MQTT on a connection that negotiated the `mqtt` sub-protocol;
//  - MessagePack or CBOR when the whole payload is one map or array with no
//    trailing bytes and only one of the two formats reads it.
// Protocol Buffers never: almost any bytes are a valid message to a reader
// without a schema. Every decoder can be asked for by hand (decodeBinary).
import type { Message } from '../model';
import { decodeCbor, hasSelfDescribeTag, looksLikeCbor } from './cbor';
import { DecodeLimitError, type DecodeLimits } from './jsonSafe';
import { decodeMqtt, isMqttSubprotocol, type MqttLevel } from './mqtt';
import { decodeMsgpack, looksLikeMsgpack } from './msgpack';
import { decodeProtobufRaw } from './protobuf';
import { decodeProtobufWithSchema, type ProtoSchemaChoice } from './protobufSchema';
import { messageBytes } from './bytes';

export type DecoderId = 'msgpack' | 'cbor' | 'protobuf' | 'protobuf-schema' | 'mqtt';

export interface DecoderInfo {
  id: DecoderId;
  /** For a "Decode as" menu. */
  label: string;
  /** When it is chosen without the user: for a tooltip. */
  automatic: string;
}

export const DECODERS: readonly DecoderInfo[] = [
  { id: 'msgpack', label: 'MessagePack', automatic: 'when the whole payload is one MessagePack map or array' },
  { id: 'cbor', label: 'CBOR', automatic: 'with the self-describe tag, or when the whole payload is one CBOR map or array' },
  { id: 'protobuf', label: 'Protocol Buffers (no schema)', automatic: 'never: choose it' },
  { id: 'protobuf-schema', label: 'Protocol Buffers (with a .proto)', automatic: 'never: choose it and give the .proto text and the message type' },
  { id: 'mqtt', label: 'MQTT', automatic: 'on connections that negotiated the mqtt sub-protocol' },
];

/** Payloads larger than this are not decoded (a recorded preview is 64 KiB at most; an imported file may hold more). */
export const MAX_DECODE_INPUT_BYTES = 8 * 1024 * 1024;

export interface BinaryHints {
  /** The negotiated sub-protocol (Connection.protocol). */
  protocol?: string;
}

export interface DecodeOptions extends DecodeLimits {
  /** Required by 'protobuf-schema'. */
  protobufSchema?: ProtoSchemaChoice;
  /** 'mqtt': the connection's protocol level (see mqttProtocolLevel); 3.1.1 when absent. */
  mqttLevel?: MqttLevel;
}

export type DecodeResult = { ok: true; decoder: DecoderId; value: unknown } | { ok: false; decoder: DecoderId; error: string };

/** The decoder to apply without asking, or undefined when no guess is safe. */
export function detectBinary(bytes: Uint8Array, hints: BinaryHints = {}): DecoderId | undefined {
  if (bytes.length > MAX_DECODE_INPUT_BYTES || bytes.length < 2) return undefined;
  if (isMqttSubprotocol(hints.protocol)) return decodeBinary('mqtt', bytes).ok ? 'mqtt' : undefined;
  if (hasSelfDescribeTag(bytes)) return looksLikeCbor(bytes) ? 'cbor' : undefined;
  const msgpack = looksLikeMsgpack(bytes);
  const cbor = looksLikeCbor(bytes);
  // Both formats use 0x80–0x9f for containers: when both read the whole payload, neither guess is safe.
  if (msgpack === cbor) return undefined;
  return msgpack ? 'msgpack' : 'cbor';
}

/** Decodes `bytes` with the chosen decoder. Never throws; errors are sentences for people. */
export function decodeBinary(id: DecoderId, bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  if (bytes.length > MAX_DECODE_INPUT_BYTES) {
    return { ok: false, decoder: id, error: `The payload is ${bytes.length} bytes; payloads over ${MAX_DECODE_INPUT_BYTES} bytes are not decoded.` };
  }
  try {
    switch (id) {
      case 'msgpack':
        return { ok: true, decoder: id, value: decodeMsgpack(bytes, options) };
      case 'cbor':
        return { ok: true, decoder: id, value: decodeCbor(bytes, options) };
      case 'protobuf':
        return { ok: true, decoder: id, value: decodeProtobufRaw(bytes, options) };
      case 'protobuf-schema': {
        if (!options.protobufSchema) return { ok: false, decoder: id, error: 'Give the .proto text and the message type to decode with a schema.' };
        const result = decodeProtobufWithSchema(bytes, options.protobufSchema, options);
        return result.ok ? { ok: true, decoder: id, value: result.value } : { ok: false, decoder: id, error: result.error };
      }
      case 'mqtt':
        return { ok: true, decoder: id, value: decodeMqtt(bytes, options) };
      default:
        return { ok: false, decoder: id, error: `Unknown decoder "${String(id)}".` };
    }
  } catch (error) {
    return { ok: false, decoder: id, error: failureText(id, error) };
  }
}

function failureText(id: DecoderId, error: unknown): string {
  const label = DECODERS.find((decoder) => decoder.id === id)?.label ?? id;
  if (error instanceof DecodeLimitError) return `Too large to show as ${label}: ${error.message}.`;
  // Stack overflows and the libraries' own messages ("Extra 1 of 5 byte(s) found at buffer[4]") say what went wrong.
  const message = error instanceof Error ? error.message : String(error);
  return `Not valid ${label}: ${message}`;
}

/** A recorded message decoded with `id` (text messages as their UTF-8 bytes); a truncated or evicted preview is refused with the reason. */
export function decodeMessage(message: Pick<Message, 'opcode' | 'preview' | 'truncated' | 'evicted' | 'size'>, id: DecoderId, options?: DecodeOptions): DecodeResult {
  const bytes = messageBytes(message);
  if (!bytes.ok) return { ok: false, decoder: id, error: bytes.error };
  return decodeBinary(id, bytes.bytes, options);
}

/** A "decode as" choice the panel stores per endpoint: keyed by endpointKey(url) (src/core/chains.ts, the key of reconnect chains: no query, no fragment). */
export interface DecoderChoice {
  decoder: DecoderId;
  protobufSchema?: ProtoSchemaChoice;
}

export { endpointKey } from '../chains';
export { messageBytes, base64Bytes, type MessageBytes } from './bytes';
export { assembleSocketIoBinary, replacePlaceholders, type SocketIoBinaryPacket } from './socketIoBinary';
export { compileProtoSchema, decodeWithCompiledSchema, UNKNOWN_FIELDS_KEY, type CompiledProtoSchema, type ProtoSchemaChoice } from './protobufSchema';
export { mqttProtocolLevel, type MqttLevel, type MqttPacket } from './mqtt';
export { MAX_DECODED_DEPTH, MAX_DECODED_NODES, type DecodeLimits, type HexBytes } from './jsonSafe';
export type { ProtoRawField, ProtoWireType } from './protobuf';
