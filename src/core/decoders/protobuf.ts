// Protocol Buffers without a schema: the field-number / wire-type tree that
// `protoc --decode_raw` prints, read with protobufjs's Reader
// (protobufjs/minimal: the wire-format reader alone, no reflection, no eval).
// Never detected automatically: almost any byte string is a valid protobuf
// message to a reader without a schema, so the user asks for it.
// Wire format: https://protobuf.dev/programming-guides/encoding/
import { Reader } from 'protobufjs/minimal';
import { DecodeLimitError, lazyHexBytes, NodeBudget, printableText, type DecodeLimits, type HexBytes } from './jsonSafe';

export type ProtoWireType = 'varint' | 'i64' | 'len' | 'group' | 'i32';

/** One field as it is on the wire. Exactly one of the value fields is present, by wire type. */
export interface ProtoRawField {
  field: number;
  wireType: ProtoWireType;
  /** varint: the unsigned value (a decimal string beyond 2^53); i32/i64: the unsigned integer. */
  value?: number | string;
  /** varint at or above 2^63, and i32/i64 with the top bit set: the two's-complement reading (a negative int32/int64). */
  signed?: number | string;
  /** i32/i64: the IEEE 754 reading (float / double). */
  float?: number | string;
  /** len: printable UTF-8. */
  string?: string;
  /** len that parses completely as a message, and group: its fields. */
  message?: ProtoRawField[];
  /** len that is neither: the bytes. */
  bytes?: HexBytes;
}

const WIRE_TYPES: Readonly<Record<number, ProtoWireType | 'end-group'>> = { 0: 'varint', 1: 'i64', 2: 'len', 3: 'group', 4: 'end-group', 5: 'i32' };
const MAX_EXACT = 2n ** 53n;
const TWO_POW_63 = 2n ** 63n;

/** long.js's Long, as protobufjs returns 64-bit values. */
interface LongLike {
  toString(): string;
}

/** A protobufjs 64-bit value (a Long from long.js, or a number without it) as a JSON number when exact, else a decimal string. */
export function longToJson(value: number | bigint | LongLike): number | string {
  if (typeof value === 'number') return value;
  const big = typeof value === 'bigint' ? value : BigInt(value.toString());
  return big > -MAX_EXACT && big < MAX_EXACT ? Number(big) : big.toString();
}

function numberOrString(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** Throws a RangeError when a length runs past `end` (a truncated or wrong payload). */
export function checkedEnd(reader: Reader, length: number, end: number): number {
  const stop = reader.pos + length;
  if (stop > end) throw new RangeError(`length ${length} at byte ${reader.pos} runs past the end of the message`);
  return stop;
}

/**
 * Reads one field's value after its tag. `end` is where the enclosing
 * message ends. Exported for the schema decoder, which shows unknown fields
 * this way.
 */
export function readRawField(reader: Reader, field: number, wireType: number, end: number, budget: NodeBudget, depth: number): ProtoRawField {
  budget.take(depth);
  const kind = WIRE_TYPES[wireType];
  if (kind === undefined || kind === 'end-group') throw new Error(`invalid wire type ${wireType} for field ${field} at byte ${reader.pos}`);
  if (field === 0) throw new Error(`field number 0 at byte ${reader.pos} (not a protobuf message)`);
  switch (kind) {
    case 'varint': {
      const unsigned = BigInt((reader.uint64() as LongLike).toString());
      const node: ProtoRawField = { field, wireType: kind, value: longToJson(unsigned) };
      if (unsigned >= TWO_POW_63) node.signed = longToJson(BigInt.asIntN(64, unsigned));
      return node;
    }
    case 'i32': {
      checkedEnd(reader, 4, end);
      const start = reader.pos;
      const unsigned = reader.fixed32();
      const node: ProtoRawField = { field, wireType: kind, value: unsigned, float: numberOrString(new DataView(reader.buf.buffer, reader.buf.byteOffset + start, 4).getFloat32(0, true)) };
      if (unsigned >= 2 ** 31) node.signed = unsigned - 2 ** 32;
      return node;
    }
    case 'i64': {
      checkedEnd(reader, 8, end);
      const view = new DataView(reader.buf.buffer, reader.buf.byteOffset + reader.pos, 8);
      const unsigned = view.getBigUint64(0, true);
      reader.skip(8);
      const node: ProtoRawField = { field, wireType: kind, value: longToJson(unsigned), float: numberOrString(view.getFloat64(0, true)) };
      if (unsigned >= TWO_POW_63) node.signed = longToJson(BigInt.asIntN(64, unsigned));
      return node;
    }
    case 'len': {
      const length = reader.uint32();
      const stop = checkedEnd(reader, length, end);
      const bytes = reader.buf.subarray(reader.pos, stop);
      reader.pos = stop;
      return { field, wireType: kind, ...lenContent(bytes, budget, depth) };
    }
    case 'group':
      return { field, wireType: kind, message: readRawFields(reader, end, budget, depth + 1, field) };
  }
}

/** A length-delimited value: text if it is printable, else a message if it parses whole, else bytes. */
function lenContent(bytes: Uint8Array, budget: NodeBudget, depth: number): Pick<ProtoRawField, 'string' | 'message' | 'bytes'> {
  if (!budget.spendAttempt(bytes.length)) return { bytes: lazyHexBytes(bytes) };
  const text = printableText(bytes);
  if (text !== undefined) return { string: text };
  const mark = budget.mark();
  try {
    return { message: readRawFields(new Reader(bytes), bytes.length, budget, depth + 1) };
  } catch (error) {
    // Not a message (or too deep to show as one): keep the bytes, and give back what the attempt counted.
    if (error instanceof DecodeLimitError && error.bound === 'nodes') throw error;
    budget.reset(mark);
    return { bytes: lazyHexBytes(bytes) };
  }
}

/** Fields until `end`, or until the end-group tag of `group`. */
export function readRawFields(reader: Reader, end: number, budget: NodeBudget, depth: number, group?: number): ProtoRawField[] {
  if (depth > budget.maxDepth) throw new DecodeLimitError('depth', budget.maxDepth);
  const fields: ProtoRawField[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === 4) {
      if (group !== undefined && field === group) return fields;
      throw new Error(`unexpected end of group ${field} at byte ${reader.pos}`);
    }
    fields.push(readRawField(reader, field, wireType, end, budget, depth));
  }
  if (reader.pos > end) throw new RangeError('the last field runs past the end of the message');
  if (group !== undefined) throw new Error(`group ${group} is not closed`);
  return fields;
}

/** The whole buffer as one protobuf message, schemaless. Throws on malformed input. */
export function decodeProtobufRaw(bytes: Uint8Array, limits?: DecodeLimits): ProtoRawField[] {
  return readRawFields(new Reader(bytes), bytes.length, rawBudget(bytes, limits), 0);
}

/** Tentative readings may scan this many times the payload (plus 1 MiB) before fields are left as bytes. */
const ATTEMPT_FACTOR = 8;

/** A budget for reading `bytes` without a schema: nodes and depth as asked, and bounded tentative readings. */
export function rawBudget(bytes: Uint8Array, limits?: DecodeLimits): NodeBudget {
  const budget = new NodeBudget(limits);
  budget.limitAttempts(ATTEMPT_FACTOR * bytes.length + 1024 * 1024);
  return budget;
}
