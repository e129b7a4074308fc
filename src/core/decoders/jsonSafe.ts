// Turns whatever a binary decoder returned (bigints, byte arrays, Maps with
// object keys, Dates, library wrapper objects) into plain JSON data that a
// view can walk and JSON.stringify can print, within a depth and a node
// budget: a hostile payload of a few kilobytes can describe a value nested
// 100,000 deep (msgpack `91 91 91 …`) or a million tiny items, and every view
// after the decoder recurses.

import { utf8DecodeStrict } from '../bytes';

/** Deepest nesting a decoded value may have (the same bound as JSON previews, see jsonDepth.ts). */
export const MAX_DECODED_DEPTH = 200;
/** Most values (containers and leaves) a decoded value may hold. */
export const MAX_DECODED_NODES = 100_000;

const MAX_EXACT = 2n ** 53n;

export interface DecodeLimits {
  maxDepth?: number;
  maxNodes?: number;
}

/** Bytes are shown as lowercase hex, the way the panel's hex view reads them. */
export interface HexBytes {
  hex: string;
}

/** Thrown (and turned into `{ ok: false }` by decodeBinary) when a value is over a bound. */
export class DecodeLimitError extends Error {
  constructor(readonly bound: 'depth' | 'nodes', limit: number) {
    super(bound === 'depth' ? `nested deeper than ${limit} levels` : `more than ${limit} values`);
  }
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return hex;
}

export function hexBytes(bytes: Uint8Array): HexBytes {
  return { hex: bytesToHex(bytes) };
}

/**
 * `{ hex }` whose text is made when first read (then kept): a tentative
 * reading may build thousands of byte fields it then throws away, and hex of
 * large payloads is costly. Reads like a plain `{ hex }` (JSON.stringify,
 * structured clone and Object.keys see an own enumerable property).
 */
export function lazyHexBytes(bytes: Uint8Array): HexBytes {
  const holder = {} as HexBytes;
  Object.defineProperty(holder, 'hex', {
    enumerable: true,
    configurable: true,
    get() {
      const hex = bytesToHex(bytes);
      Object.defineProperty(holder, 'hex', { value: hex, enumerable: true, writable: false, configurable: false });
      return hex;
    },
  });
  return holder;
}

/** Sets a key on a plain object, also `__proto__` (as an own property, never the prototype). */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function limitsOf(limits: DecodeLimits = {}): Required<DecodeLimits> {
  return { maxDepth: limits.maxDepth ?? MAX_DECODED_DEPTH, maxNodes: limits.maxNodes ?? MAX_DECODED_NODES };
}

/** Counts values against the budget; shared by a decoder's own walk and toJsonSafe. */
export class NodeBudget {
  private used = 0;
  readonly maxDepth: number;
  readonly maxNodes: number;
  constructor(limits: DecodeLimits = {}) {
    const { maxDepth, maxNodes } = limitsOf(limits);
    this.maxDepth = maxDepth;
    this.maxNodes = maxNodes;
  }
  /** One more value at `depth` (0 = the top). */
  take(depth: number): void {
    if (depth > this.maxDepth) throw new DecodeLimitError('depth', this.maxDepth);
    if (++this.used > this.maxNodes) throw new DecodeLimitError('nodes', this.maxNodes);
  }
  /**
   * Bytes that tentative readings (is this field a nested message?) may scan
   * in all: nested attempts rescan their content once per level, so a
   * hostile payload could cost length × depth. Past it, fields stay bytes.
   */
  private attemptBytesLeft = Infinity;
  limitAttempts(bytes: number): void {
    this.attemptBytesLeft = bytes;
  }
  /** False when the attempt budget is spent. */
  spendAttempt(bytes: number): boolean {
    if (bytes > this.attemptBytesLeft) return false;
    this.attemptBytesLeft -= bytes;
    return true;
  }
  /** For a tentative reading (is this field a nested message?): `reset(mark())` gives back what a failed attempt counted. */
  mark(): number {
    return this.used;
  }
  reset(mark: number): void {
    this.used = mark;
  }
}

/**
 * A library's own classes (a CBOR tag, a msgpack extension): returns their
 * JSON-safe form, converting children with `child`, or undefined to let the
 * generic rules apply.
 */
export type CustomConverter = (value: object, child: (item: unknown) => unknown) => unknown;

function isTypedArray(value: object): value is ArrayBufferView & ArrayLike<number | bigint> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/**
 * A JSON-safe copy of `value`: bigint → number when exact, else decimal string, Uint8Array (and
 * ArrayBuffer) → `{ hex }`, other typed arrays → arrays, Map → object (a
 * non-string key is written as its JSON), Set → array, Date → ISO string,
 * NaN/±Infinity → their names, undefined → null, a library's wrapper (a CBOR
 * tag, a msgpack extension) → its own fields. Throws DecodeLimitError past the
 * bounds.
 */
export function toJsonSafe(value: unknown, budget: NodeBudget = new NodeBudget(), depth = 0, custom?: CustomConverter): unknown {
  budget.take(depth);
  const walk = (item: unknown, at: number) => toJsonSafe(item, budget, at, custom);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      // Exact as a JSON number up to 2^53; beyond, a decimal string.
      return value > -MAX_EXACT && value < MAX_EXACT ? Number(value) : value.toString();
    case 'undefined':
      return null;
    case 'symbol':
    case 'function':
      return String(value);
  }
  if (value === null) return null;
  const object = value as object;
  if (custom) {
    const converted = custom(object, (item) => walk(item, depth + 1));
    if (converted !== undefined) return converted;
  }
  if (object instanceof Uint8Array) return hexBytes(object);
  if (object instanceof ArrayBuffer) return hexBytes(new Uint8Array(object));
  if (isTypedArray(object)) return Array.from(object as ArrayLike<number | bigint>, (item) => walk(item, depth + 1));
  if (Array.isArray(object)) return object.map((item) => walk(item, depth + 1));
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of object) {
      const name = typeof key === 'string' ? key : JSON.stringify(walk(key, depth + 1));
      setKey(out, name, walk(item, depth + 1));
    }
    return out;
  }
  if (object instanceof Set) return Array.from(object, (item) => walk(item, depth + 1));
  if (object instanceof RegExp || (typeof URL !== 'undefined' && object instanceof URL)) return String(object);
  if (object instanceof Number || object instanceof String || object instanceof Boolean || object instanceof BigInt) {
    return walk(object.valueOf(), depth);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) setKey(out, key, walk((object as Record<string, unknown>)[key], depth + 1));
  return out;
}

/** Text a person would call text: no control characters but tab and line breaks, no replacement character (U+FFFD, what broken UTF-8 decodes to). */
export function isPrintable(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
}

/**
 * For automatic detection: does a decoded value look like someone's data?
 * Random bytes that happen to parse as CBOR or MessagePack carry keys and
 * strings made of control characters; real payloads do not. Walks at most
 * `maxNodes` values, without recursion.
 */
export function looksLikeData(value: unknown, maxNodes = MAX_DECODED_NODES): boolean {
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length) {
    if (++seen > maxNodes) return true;
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!isPrintable(item)) return false;
    } else if (item instanceof Map) {
      for (const [key, entry] of item) stack.push(key, entry);
    } else if (Array.isArray(item)) {
      for (const entry of item) stack.push(entry);
    } else if (item && typeof item === 'object' && !ArrayBuffer.isView(item) && Object.getPrototypeOf(item) === Object.prototype) {
      for (const key of Object.keys(item)) stack.push(key, (item as Record<string, unknown>)[key]);
    }
  }
  return true;
}

/** UTF-8 with no control characters other than tab and line breaks: what a person would call text. */
export function printableText(bytes: Uint8Array): string | undefined {
  const text = utf8DecodeStrict(bytes);
  return text !== undefined && isPrintable(text) ? text : undefined;
}
