// Protocol Buffers with the user's schema: the .proto text is parsed by
// protobufjs (parse(), lookupType), and the message is read by walking
// protobufjs's reflection with its Reader.
//
// Why not protobufjs's own Type.decode / toObject: they are generated at run
// time with `new Function` (src/util/codegen.js), and an MV3 extension page's
// content security policy forbids eval, so they throw in the panel. parse(),
// lookup and the Reader use no eval; the walk below is the decode loop
// protobufjs would generate, interpreted.
//
// The result follows the proto3 JSON mapping where it can (field names as
// written in the .proto, 64-bit integers as strings past 2^53, enums by
// name), with bytes as `{ hex }`. Fields the schema does not know are kept,
// schemaless, under "#unknown".
import protobuf from 'protobufjs';
import { Reader } from 'protobufjs/minimal';
import { DecodeLimitError, hexBytes, NodeBudget, setKey, type DecodeLimits } from './jsonSafe';
import { checkedEnd, longToJson, rawBudget, readRawField, type ProtoRawField } from './protobuf';

/** What the user picked for an endpoint: the .proto text and the message type to read each message as. */
export interface ProtoSchemaChoice {
  /** The .proto file's text (proto2, proto3 or editions; imports of google/protobuf well-known types are understood). */
  proto: string;
  /** Full name, e.g. `chat.v1.Envelope` (a leading dot is accepted). */
  messageType: string;
}

export interface CompiledProtoSchema {
  root: protobuf.Root;
  /** Every message type the text declares, by full name, for a picker. */
  messageTypes: string[];
}

export type CompileResult = ({ ok: true } & CompiledProtoSchema) | { ok: false; error: string };

/** Key under which fields that the schema does not declare are listed (not a valid proto identifier, so it cannot clash). */
export const UNKNOWN_FIELDS_KEY = '#unknown';

/** Parses a .proto text. Never throws: the error says what is wrong (protobufjs's message, with the line). */
export function compileProtoSchema(proto: string): CompileResult {
  try {
    const root = new protobuf.Root();
    const parsed = protobuf.parse(proto, root, { keepCase: true, alternateCommentMode: true });
    for (const file of parsed.imports ?? []) {
      const known = protobuf.common.get(file);
      if (known) root.addJSON(known.nested ?? {});
    }
    root.resolveAll();
    const messageTypes: string[] = [];
    collectTypes(root, messageTypes, 0);
    return { ok: true, root, messageTypes };
  } catch (error) {
    return { ok: false, error: `The .proto text could not be read: ${errorText(error)}` };
  }
}

function collectTypes(namespace: protobuf.NamespaceBase, out: string[], depth: number): void {
  if (depth > 64) return;
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      // Map entries and synthetic types are not declared by the user.
      out.push(nested.fullName.replace(/^\./, ''));
    }
    if (nested instanceof protobuf.Namespace) collectTypes(nested, out, depth + 1);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A small memo of compiled texts: the panel decodes many messages with the same schema. */
const compiled = new Map<string, CompileResult>();
const COMPILED_KEEP = 4;

export function compileProtoSchemaCached(proto: string): CompileResult {
  let result = compiled.get(proto);
  if (!result) {
    result = compileProtoSchema(proto);
    if (compiled.size >= COMPILED_KEEP) compiled.delete(compiled.keys().next().value as string);
    compiled.set(proto, result);
  }
  return result;
}

// ---------------------------------------------------------------------------
// The walk

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const I32 = 5;

type ScalarReader = (reader: Reader) => unknown;

interface Scalar {
  wireType: number;
  read: ScalarReader;
}

const float = (value: number) => (Number.isFinite(value) ? value : String(value));
const long = (value: unknown) => longToJson(value as number | { toString(): string });

/** protobufjs's scalar type names → wire type and how to read one value. */
const SCALARS: Readonly<Record<string, Scalar>> = {
  double: { wireType: I64, read: (r) => float(r.double()) },
  float: { wireType: I32, read: (r) => float(r.float()) },
  int32: { wireType: VARINT, read: (r) => r.int32() },
  uint32: { wireType: VARINT, read: (r) => r.uint32() },
  sint32: { wireType: VARINT, read: (r) => r.sint32() },
  fixed32: { wireType: I32, read: (r) => r.fixed32() },
  sfixed32: { wireType: I32, read: (r) => r.sfixed32() },
  int64: { wireType: VARINT, read: (r) => long(r.int64()) },
  uint64: { wireType: VARINT, read: (r) => long(r.uint64()) },
  sint64: { wireType: VARINT, read: (r) => long(r.sint64()) },
  fixed64: { wireType: I64, read: (r) => long(r.fixed64()) },
  sfixed64: { wireType: I64, read: (r) => long(r.sfixed64()) },
  bool: { wireType: VARINT, read: (r) => r.bool() },
  string: { wireType: LEN, read: (r) => r.string() },
  bytes: { wireType: LEN, read: (r) => hexBytes(r.bytes()) },
};

class SchemaWalk {
  constructor(
    private readonly reader: Reader,
    private readonly budget: NodeBudget,
  ) {}

  /** Fields of `type` until `end`, or until the end-group tag of field `group`. */
  message(type: protobuf.Type, end: number, depth: number, group?: number): Record<string, unknown> {
    this.budget.take(depth);
    const reader = this.reader;
    const out: Record<string, unknown> = {};
    const unknown: ProtoRawField[] = [];
    while (reader.pos < end) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const wireType = tag & 7;
      if (wireType === END_GROUP) {
        if (group === id) return this.finish(out, unknown);
        throw new Error(`unexpected end of group ${id} at byte ${reader.pos}`);
      }
      const field = type.fieldsById[id];
      if (!field || !this.fieldInto(out, field, wireType, end, depth + 1)) {
        unknown.push(readRawField(reader, id, wireType, end, this.budget, depth + 1));
      }
    }
    if (reader.pos > end) throw new RangeError('the last field runs past the end of the message');
    if (group !== undefined) throw new Error(`group ${group} is not closed`);
    return this.finish(out, unknown);
  }

  private finish(out: Record<string, unknown>, unknown: ProtoRawField[]): Record<string, unknown> {
    if (unknown.length) setKey(out, UNKNOWN_FIELDS_KEY, unknown);
    return out;
  }

  /** Reads one occurrence of a known field into `out`; false when the wire type does not fit the declaration (then it is shown raw). */
  private fieldInto(out: Record<string, unknown>, field: protobuf.Field, wireType: number, end: number, depth: number): boolean {
    field.resolve();
    if (field instanceof protobuf.MapField) return this.mapEntryInto(out, field, wireType, end, depth);
    const scalar = SCALARS[field.type];
    const resolved = field.resolvedType;
    const expected = scalar ? scalar.wireType : resolved instanceof protobuf.Enum ? VARINT : wireType === START_GROUP ? START_GROUP : LEN;
    const packable = field.repeated && wireType === LEN && expected !== LEN && expected !== START_GROUP;
    if (wireType !== expected && !packable) return false;
    const values: unknown[] = [];
    if (packable) {
      const length = this.reader.uint32();
      const stop = checkedEnd(this.reader, length, end);
      while (this.reader.pos < stop) {
        this.budget.take(depth);
        values.push(this.single(field, resolved, scalar, wireType, stop, depth));
      }
      if (this.reader.pos !== stop) throw new RangeError(`packed field ${field.name} runs past its length`);
    } else {
      this.budget.take(depth);
      values.push(this.single(field, resolved, scalar, wireType, end, depth));
    }
    if (field.repeated) {
      const list = Object.prototype.hasOwnProperty.call(out, field.name) ? (out[field.name] as unknown[]) : [];
      list.push(...values);
      setKey(out, field.name, list);
    } else if (resolved instanceof protobuf.Type && out[field.name] && typeof out[field.name] === 'object') {
      // A message field seen twice is merged (the wire format's rule); a scalar's last value wins.
      Object.assign(out[field.name] as object, values[0]);
    } else setKey(out, field.name, values[0]);
    return true;
  }

  private single(field: protobuf.FieldBase, resolved: protobuf.Type | protobuf.Enum | null, scalar: Scalar | undefined, wireType: number, end: number, depth: number): unknown {
    const reader = this.reader;
    if (scalar) {
      if (scalar.wireType === LEN) checkedEnd(reader, 0, end);
      const value = scalar.read(reader);
      if (reader.pos > end) throw new RangeError(`field ${field.name} runs past the end of the message`);
      return value;
    }
    if (resolved instanceof protobuf.Enum) {
      const number = reader.int32();
      return resolved.valuesById[number] ?? number;
    }
    if (resolved instanceof protobuf.Type) {
      if (wireType === START_GROUP) return this.message(resolved, end, depth + 1, field.id);
      const length = reader.uint32();
      const stop = checkedEnd(reader, length, end);
      const value = this.message(resolved, stop, depth + 1);
      reader.pos = stop;
      return value;
    }
    throw new Error(`field ${field.name} has an unresolved type ${field.type}`);
  }

  private mapEntryInto(out: Record<string, unknown>, field: protobuf.MapField, wireType: number, end: number, depth: number): boolean {
    if (wireType !== LEN) return false;
    const reader = this.reader;
    const length = reader.uint32();
    const stop = checkedEnd(reader, length, end);
    const keyScalar = SCALARS[field.keyType];
    const valueScalar = SCALARS[field.type];
    const resolved = field.resolvedType;
    let key: unknown = keyScalar?.wireType === LEN ? '' : keyScalar ? (field.keyType === 'bool' ? false : 0) : '';
    let value: unknown = null;
    this.budget.take(depth);
    while (reader.pos < stop) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const entryWire = tag & 7;
      if (id === 1 && keyScalar && entryWire === keyScalar.wireType) key = keyScalar.read(reader);
      else if (id === 2 && valueScalar && entryWire === valueScalar.wireType) value = valueScalar.read(reader);
      else if (id === 2 && resolved instanceof protobuf.Enum && entryWire === VARINT) value = this.single(field, resolved, undefined, entryWire, stop, depth);
      else if (id === 2 && resolved instanceof protobuf.Type && entryWire === LEN) value = this.single(field, resolved, undefined, entryWire, stop, depth);
      else readRawField(reader, id, entryWire, stop, this.budget, depth + 1);
      if (reader.pos > stop) throw new RangeError(`map ${field.name} entry runs past its length`);
    }
    const map = (Object.prototype.hasOwnProperty.call(out, field.name) ? out[field.name] : {}) as Record<string, unknown>;
    setKey(map, String(key), value);
    setKey(out, field.name, map);
    return true;
  }
}

export type SchemaDecodeResult = { ok: true; value: Record<string, unknown>; messageType: string } | { ok: false; error: string };

/** Reads `bytes` as one message of `messageType` from an already compiled schema. Never throws. */
export function decodeWithCompiledSchema(bytes: Uint8Array, schema: CompiledProtoSchema, messageType: string, limits?: DecodeLimits): SchemaDecodeResult {
  const name = messageType.trim().replace(/^\./, '');
  let type: protobuf.Type;
  try {
    type = schema.root.lookupType(name);
  } catch {
    const some = schema.messageTypes.slice(0, 8).join(', ');
    return { ok: false, error: `No message type "${name}" in the schema${some ? ` (it declares ${some}${schema.messageTypes.length > 8 ? ', …' : ''})` : ''}.` };
  }
  try {
    const reader = new Reader(bytes);
    const value = new SchemaWalk(reader, rawBudget(bytes, limits)).message(type, bytes.length, 0);
    return { ok: true, value, messageType: type.fullName.replace(/^\./, '') };
  } catch (error) {
    const what = error instanceof DecodeLimitError ? `too large to show: ${error.message}` : errorText(error);
    return { ok: false, error: `Not a valid ${name} message: ${what}.` };
  }
}

/** Compiles (memoised) and decodes: the pure function the panel calls with the choice it remembers for an endpoint. Never throws. */
export function decodeProtobufWithSchema(bytes: Uint8Array, choice: ProtoSchemaChoice, limits?: DecodeLimits): SchemaDecodeResult {
  const schema = compileProtoSchemaCached(choice.proto);
  if (!schema.ok) return schema;
  return decodeWithCompiledSchema(bytes, schema, choice.messageType, limits);
}
