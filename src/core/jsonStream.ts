// A JSON parser fed with UTF-8 bytes one chunk at a time, for files too large
// to hold as one string (the CLI: docs/decisions.md, 44). It builds the same
// values JSON.parse builds from the decoded text, except for the arrays a
// caller asks for: their elements are handed over one at a time as they are
// completed and never collected (`arraySink`), so a HAR's messages can be
// converted on arrival instead of living twice, as text and as a tree.
//
// Iterative (an explicit stack, so no depth limit and no recursion), and it never keeps a
// chunk: whatever spans two chunks (a string, a number, a literal) is copied
// or decoded before push() returns, so the caller may reuse its buffer.
//
// Pure: JSON.parse and the UTF-8 decoder its caller gives (core uses no platform API; the
// platform's UTF-8 decoder, built by the caller, fits),
// so it runs in node and in browsers.

export type JsonPathItem = string | number;

/** Receives the elements of one array, in order, instead of the array. */
export interface ArraySink {
  element(value: unknown): void;
  /** The value that stands for the array in its parent (what the caller wants to find there). */
  end(): unknown;
}

/** What the parser needs of a UTF-8 decoder: the platform's, made by the caller with `ignoreBOM: true`, is one. */
export interface Utf8Decoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

export interface JsonStreamOptions {
  /**
   * Makes a UTF-8 decoder (the parser keeps two, one of them streaming). It must not strip a leading U+FEFF
   * (the platform decoder's `ignoreBOM: true`): a string may begin with one, and it is content.
   */
  createDecoder: () => Utf8Decoder;
  /**
   * Asked when an array starts, with the keys and indices leading to it from the root (the array's own
   * key or index last). A sink returned receives the array's elements; undefined builds the array as usual.
   */
  arraySink?: (path: readonly JsonPathItem[]) => ArraySink | undefined;
  /** Arrays deeper than this (their path longer) are never offered to `arraySink`: the path costs its length to build. */
  arraySinkMaxPath?: number;
  /**
   * The longest string allowed, in UTF-16 units, counting its text as written in the file (escapes in) and its
   * two quotes: V8 cannot hold longer ones (default 2^29 - 24, V8's limit on 64-bit). A longer one is an error.
   */
  maxStringLength?: number;
}

/** Where and why the bytes are not JSON. `line` and `column` count from 1; the column is in bytes. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly byteOffset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column} (byte ${byteOffset})`);
    this.name = 'JsonSyntaxError';
  }
}

/** A string too long to be held: the JSON may be valid, but it cannot be read. */
export class JsonStringTooLongError extends JsonSyntaxError {
  override name = 'JsonStringTooLongError';
}

/** V8's longest string on 64-bit (node: buffer.constants.MAX_STRING_LENGTH). */
export const DEFAULT_MAX_STRING_LENGTH = 2 ** 29 - 24;

// What the parser expects next.
const EXPECT_VALUE = 0;
const EXPECT_VALUE_OR_ARRAY_END = 1;
const EXPECT_KEY_OR_OBJECT_END = 2;
const EXPECT_KEY = 3;
const EXPECT_COLON = 4;
const EXPECT_SEPARATOR = 5;
const IN_STRING = 6;
const IN_NUMBER = 7;
const IN_LITERAL = 8;
const DONE = 9;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

interface Frame {
  isArray: boolean;
  /** The object or array being built (undefined when a sink takes the elements). */
  container: Record<string, unknown> | unknown[] | undefined;
  sink: ArraySink | undefined;
  /** Objects: the key whose value comes next. */
  key: string;
  /** Arrays: elements so far. */
  count: number;
}

/** Short ASCII strings (keys, "send", "receive", heartbeats) are shared, not built again: one slot per hash. */
const INTERN_SLOTS = 4096;
const INTERN_MAX_BYTES = 24;

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

const NUMBER_SYNTAX = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isNumberByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x65 || byte === 0x45;
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

export class JsonStreamParser {
  private state = EXPECT_VALUE;
  private readonly stack: Frame[] = [];
  private root: unknown = undefined;
  private readonly arraySink: JsonStreamOptions['arraySink'];
  private readonly arraySinkMaxPath: number;
  private readonly maxStringLength: number;

  // Position: bytes before the current chunk, the current line and where it started.
  private chunkOffset = 0;
  private line = 1;
  private lineStart = 0;
  private bomBytesSeen = 0;
  private bomDone = false;

  // A string that spans chunks: its raw bytes (escapes still in), decoded as they come.
  private stringIsKey = false;
  private stringStart = 0;
  private stringParts: string[] = [];
  private stringLength = 0;
  private stringHasEscape = false;
  private stringAfterBackslash = false;
  private readonly streamDecoder: Utf8Decoder;
  private readonly decoder: Utf8Decoder;
  private readonly interned: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

  // A number or literal that spans chunks.
  private tokenText = '';
  private tokenStart = 0;
  private literal: readonly [string, unknown] = LITERALS[0];

  constructor(options: JsonStreamOptions) {
    this.streamDecoder = options.createDecoder();
    this.decoder = options.createDecoder();
    this.arraySink = options.arraySink;
    this.arraySinkMaxPath = options.arraySinkMaxPath ?? Infinity;
    this.maxStringLength = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
  }

  /** Parses the next bytes of the JSON text; the chunk is not kept. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const length = chunk.length;
    if (!this.bomDone) i = this.skipBom(chunk);
    while (i < length) {
      switch (this.state) {
        case IN_STRING:
          i = this.continueString(chunk, i);
          break;
        case IN_NUMBER:
          i = this.continueNumber(chunk, i);
          break;
        case IN_LITERAL:
          i = this.continueLiteral(chunk, i);
          break;
        default: {
          const byte = chunk[i];
          if (byte === 0x20 || byte === 0x09 || byte === 0x0d) i++;
          else if (byte === 0x0a) {
            i++;
            this.line++;
            this.lineStart = this.chunkOffset + i;
          } else i = this.token(chunk, i, byte);
        }
      }
    }
    this.chunkOffset += length;
  }

  /** The document's value, once every byte was pushed. Throws JsonSyntaxError when the document is incomplete. */
  end(): unknown {
    const at = this.chunkOffset;
    if (!this.bomDone && this.bomBytesSeen > 0) this.fail('an incomplete byte order mark', 0);
    if (this.state === IN_NUMBER) this.finishNumber(at);
    if (this.state === IN_LITERAL) this.fail(`unexpected end of the file inside '${this.literal[0]}'`, at);
    if (this.state === IN_STRING) this.fail('unexpected end of the file inside a string', at);
    if (this.state !== DONE) this.fail(this.stack.length === 0 && this.state === EXPECT_VALUE ? 'no JSON value (the file is only whitespace)' : 'unexpected end of the file', at);
    return this.root;
  }

  private skipBom(chunk: Uint8Array): number {
    let i = 0;
    while (i < chunk.length && this.bomBytesSeen < 3) {
      if (chunk[i] !== UTF8_BOM[this.bomBytesSeen]) {
        // Part of a byte order mark and then something else: not UTF-8 text that JSON.parse would read.
        if (this.bomBytesSeen > 0) this.fail('an incomplete byte order mark', 0);
        this.bomDone = true;
        return 0;
      }
      this.bomBytesSeen++;
      i++;
    }
    if (this.bomBytesSeen === 3) {
      this.bomDone = true;
      this.lineStart = 3;
    }
    return i;
  }

  private fail(reason: string, byteOffset: number): never {
    throw new JsonSyntaxError(reason, byteOffset, this.line, byteOffset - this.lineStart + 1);
  }

  private unexpected(byte: number, at: number, expected: string): never {
    this.fail(`unexpected ${describeByte(byte)}, expected ${expected}`, at);
  }

  /** A structural byte, or the first byte of a value. Returns where to continue. */
  private token(chunk: Uint8Array, i: number, byte: number): number {
    const at = this.chunkOffset + i;
    switch (this.state) {
      case EXPECT_VALUE_OR_ARRAY_END:
        if (byte === 0x5d) {
          this.closeContainer();
          return i + 1;
        }
        return this.startValue(chunk, i, byte);
      case EXPECT_VALUE:
        return this.startValue(chunk, i, byte);
      case EXPECT_KEY_OR_OBJECT_END:
        if (byte === 0x7d) {
          this.closeContainer();
          return i + 1;
        }
        if (byte !== QUOTE) this.unexpected(byte, at, "a property name in double quotes or '}'");
        return this.startString(chunk, i + 1, true);
      case EXPECT_KEY:
        if (byte !== QUOTE) this.unexpected(byte, at, 'a property name in double quotes');
        return this.startString(chunk, i + 1, true);
      case EXPECT_COLON:
        if (byte !== 0x3a) this.unexpected(byte, at, "':' after a property name");
        this.state = EXPECT_VALUE;
        return i + 1;
      case EXPECT_SEPARATOR: {
        const frame = this.stack[this.stack.length - 1];
        if (frame.isArray) {
          if (byte === 0x2c) this.state = EXPECT_VALUE;
          else if (byte === 0x5d) this.closeContainer();
          else this.unexpected(byte, at, "',' or ']' after an array element");
        } else if (byte === 0x2c) this.state = EXPECT_KEY;
        else if (byte === 0x7d) this.closeContainer();
        else this.unexpected(byte, at, "',' or '}' after a property value");
        return i + 1;
      }
      default:
        this.fail(`unexpected ${describeByte(byte)} after the end of the JSON value`, at);
    }
  }

  private startValue(chunk: Uint8Array, i: number, byte: number): number {
    switch (byte) {
      case 0x7b:
        this.stack.push({ isArray: false, container: {}, sink: undefined, key: '', count: 0 });
        this.state = EXPECT_KEY_OR_OBJECT_END;
        return i + 1;
      case 0x5b: {
        const sink = this.stack.length <= this.arraySinkMaxPath ? this.arraySink?.(this.path()) : undefined;
        this.stack.push({ isArray: true, container: sink ? undefined : [], sink, key: '', count: 0 });
        this.state = EXPECT_VALUE_OR_ARRAY_END;
        return i + 1;
      }
      case QUOTE:
        return this.startString(chunk, i + 1, false);
      case 0x74:
      case 0x66:
      case 0x6e:
        this.literal = LITERALS[byte === 0x74 ? 0 : byte === 0x66 ? 1 : 2];
        this.tokenText = '';
        this.tokenStart = this.chunkOffset + i;
        this.state = IN_LITERAL;
        return this.continueLiteral(chunk, i);
      default:
        if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
          this.tokenText = '';
          this.tokenStart = this.chunkOffset + i;
          this.state = IN_NUMBER;
          return this.continueNumber(chunk, i);
        }
        this.unexpected(byte, this.chunkOffset + i, 'a JSON value');
    }
  }

  /** Keys and indices from the root to the value about to start. */
  private path(): JsonPathItem[] {
    return this.stack.map((frame) => (frame.isArray ? frame.count : frame.key));
  }

  private closeContainer(): void {
    const frame = this.stack.pop() as Frame;
    this.valueDone(frame.sink ? frame.sink.end() : frame.container);
  }

  private valueDone(value: unknown): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined) {
      this.root = value;
      this.state = DONE;
      return;
    }
    if (frame.isArray) {
      if (frame.sink) frame.sink.element(value);
      else (frame.container as unknown[]).push(value);
      frame.count++;
    } else {
      const object = frame.container as Record<string, unknown>;
      // JSON.parse makes "__proto__" an own property (CreateDataProperty); an assignment would set the prototype.
      if (frame.key === '__proto__') Object.defineProperty(object, frame.key, { value, writable: true, enumerable: true, configurable: true });
      else object[frame.key] = value;
    }
    this.state = EXPECT_SEPARATOR;
  }

  // ---- Strings

  /** `start` is just after the opening quote. A string inside the chunk is read at once; others continue in IN_STRING. */
  private startString(chunk: Uint8Array, start: number, isKey: boolean): number {
    let i = start;
    let high = 0;
    let escaped = false;
    const length = chunk.length;
    while (i < length) {
      const byte = chunk[i];
      if (byte === QUOTE) break;
      if (byte === BACKSLASH) {
        escaped = true;
        i += 2;
        continue;
      }
      if (byte < 0x20) this.fail(`a control character (${describeByte(byte)}) inside a string: it must be escaped`, this.chunkOffset + i);
      high |= byte;
      i++;
    }
    if (i < length) {
      const at = this.chunkOffset + start - 1;
      let text: string;
      if (high < 0x80 && !escaped && i - start <= INTERN_MAX_BYTES) {
        if (i - start + 2 > this.maxStringLength) this.tooLong(at);
        text = this.intern(chunk, start, i);
      } else {
        text = this.decoder.decode(chunk.subarray(start, i));
        // The same rule as a string read across chunks: its text as written (escapes in), with its quotes.
        if (text.length + 2 > this.maxStringLength) this.tooLong(at);
        if (escaped) text = this.unescape(text, at);
      }
      this.stringDone(text, isKey);
      return i + 1;
    }
    // The string goes on in the next chunk.
    this.stringIsKey = isKey;
    this.stringStart = this.chunkOffset + start - 1;
    this.stringParts = [];
    this.stringLength = 0;
    this.stringHasEscape = false;
    this.stringAfterBackslash = false;
    this.state = IN_STRING;
    return this.continueString(chunk, start);
  }

  private continueString(chunk: Uint8Array, start: number): number {
    let i = start;
    const length = chunk.length;
    if (this.stringAfterBackslash && i < length) {
      this.stringAfterBackslash = false;
      i++;
    }
    while (i < length) {
      const byte = chunk[i];
      if (byte === QUOTE) break;
      if (byte === BACKSLASH) {
        this.stringHasEscape = true;
        if (i + 1 === length) {
          this.stringAfterBackslash = true;
          i++;
          break;
        }
        i += 2;
        continue;
      }
      if (byte < 0x20) this.fail(`a control character (${describeByte(byte)}) inside a string: it must be escaped`, this.chunkOffset + i);
      i++;
    }
    const end = Math.min(i, length);
    if (end > start) this.addStringPart(this.streamDecoder.decode(chunk.subarray(start, end), { stream: true }));
    if (i >= length) return length;
    this.addStringPart(this.streamDecoder.decode());
    const raw = this.stringParts.length === 1 ? this.stringParts[0] : this.stringParts.join('');
    this.stringParts = [];
    this.stringDone(this.stringHasEscape ? this.unescape(raw, this.stringStart) : raw, this.stringIsKey);
    return i + 1;
  }

  private addStringPart(part: string): void {
    if (part.length === 0) return;
    this.stringLength += part.length;
    // +2: unescaping parses the raw text with its quotes.
    if (this.stringLength + 2 > this.maxStringLength) this.tooLong(this.stringStart);
    this.stringParts.push(part);
  }

  private tooLong(at: number): never {
    throw new JsonStringTooLongError(`a string longer than ${this.maxStringLength} characters, the longest JavaScript can hold,`, at, this.line, at - this.lineStart + 1);
  }

  /** The escapes of a string's raw text, read by JSON.parse itself: the same \u and surrogate rules, at native speed. */
  private unescape(raw: string, at: number): string {
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      const escape = /\\(?:u(?![0-9a-fA-F]{4})|[^"\\/bfnrtu])/.exec(raw);
      this.fail(`an invalid escape${escape ? ` (${JSON.stringify(escape[0])})` : ''} in the string starting`, at);
    }
  }

  private intern(chunk: Uint8Array, start: number, end: number): string {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ chunk[i], 16777619);
    const slot = (hash >>> 0) & (INTERN_SLOTS - 1);
    const cached = this.interned[slot];
    if (cached !== undefined && cached.length === end - start) {
      let same = true;
      for (let i = start; i < end; i++) {
        if (cached.charCodeAt(i - start) !== chunk[i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const text = String.fromCharCode.apply(null, chunk.subarray(start, end) as unknown as number[]);
    this.interned[slot] = text;
    return text;
  }

  private stringDone(text: string, isKey: boolean): void {
    if (isKey) {
      this.stack[this.stack.length - 1].key = text;
      this.state = EXPECT_COLON;
    } else this.valueDone(text);
  }

  // ---- Numbers and literals

  private continueNumber(chunk: Uint8Array, start: number): number {
    let i = start;
    while (i < chunk.length && isNumberByte(chunk[i])) i++;
    if (i > start) this.tokenText += String.fromCharCode.apply(null, chunk.subarray(start, i) as unknown as number[]);
    if (i === chunk.length) return i;
    this.finishNumber(this.chunkOffset + i);
    return i;
  }

  private finishNumber(at: number): void {
    const text = this.tokenText;
    if (!NUMBER_SYNTAX.test(text)) this.fail(`an invalid number ${JSON.stringify(text.slice(0, 40))}`, at > this.tokenStart ? this.tokenStart : at);
    this.tokenText = '';
    this.valueDone(Number(text));
  }

  private continueLiteral(chunk: Uint8Array, start: number): number {
    const [word, value] = this.literal;
    let i = start;
    while (i < chunk.length && this.tokenText.length < word.length) {
      const byte = chunk[i];
      if (byte !== word.charCodeAt(this.tokenText.length)) this.unexpected(byte, this.chunkOffset + i, `'${word}'`);
      this.tokenText += word[this.tokenText.length];
      i++;
    }
    if (this.tokenText.length === word.length) {
      this.tokenText = '';
      this.valueDone(value);
    }
    return i;
  }
}

/** Parses a whole document given as chunks: a convenience for tests and small inputs. */
export function parseJsonChunks(chunks: Iterable<Uint8Array>, options: JsonStreamOptions): unknown {
  const parser = new JsonStreamParser(options);
  for (const chunk of chunks) parser.push(chunk);
  return parser.end();
}
