// One HAR entry's messages as the import reads them, in columns: each raw
// element of `_webSocketMessages` (or `_eventSourceMessages`) narrowed once, on
// arrival, to what the conversion to the model uses (src/core/har/import.ts).
// The streaming reader (importStream.ts) pushes the elements as the parser
// completes them, so neither the file's text nor a tree of its messages is
// ever held whole; fromHar pushes the elements of the parsed arrays. Either
// way the conversion reads the same columns: one implementation.

import { base64ByteLength, utf8ByteLength } from '../bytes';
import { isObject } from '../json';
import { DIRECTIONS, OPCODES, type Direction, type Opcode } from '../model';

/** Whether a message's preview is kept; when not, the message keeps its size and gets an empty preview. */
export type PreviewFilter = (opcode: Opcode, preview: string) => boolean;

const IS_OBJECT = 1;
// Bits 1-2: the `type` field: 1 + its position in DIRECTIONS (the list the model's type is derived from), or one of these.
const TYPE_SHIFT = 1;
const TYPE_MASK = 3 << TYPE_SHIFT;
const TYPE_OTHER = 0;
const TYPE_ERROR = 3;
// Bits 3-4: the opcode, one of OPCODES (1, 2), or 0 for anything else.
const OPCODE_SHIFT = 3;
const OPCODE_MASK = 3 << OPCODE_SHIFT;
const TYPE_RECEIVE = 1 + DIRECTIONS.indexOf('receive');

const INITIAL_CAPACITY = 16;

function typeCode(type: unknown): number {
  const direction = (DIRECTIONS as readonly unknown[]).indexOf(type);
  return direction >= 0 ? 1 + direction : type === 'error' ? TYPE_ERROR : TYPE_OTHER;
}

function opcodeCode(opcode: unknown): Opcode | 0 {
  return (OPCODES as readonly unknown[]).includes(opcode) ? (opcode as Opcode) : 0;
}

export function payloadSize(opcode: Opcode, data: string): number {
  return opcode === 2 ? base64ByteLength(data) : utf8ByteLength(data);
}

export class RawMessages {
  length = 0;
  private flags = new Uint8Array(INITIAL_CAPACITY);
  /** The element's `time` (epoch seconds in Chrome's format), NaN when it is not a finite number. */
  private times = new Float64Array(INITIAL_CAPACITY);
  private readonly previews: string[] = [];
  /** Payload sizes of the previews the filter left out (NaN: the preview is there, measure it). Allocated at the first. */
  private sizes: Float64Array | undefined;
  /** Event streams: the event type and id, by position (absent: the element had no string `eventName`). */
  private events: Map<number, { name: string; id: string }> | undefined;

  /**
   * `eventSource`: the elements are `_eventSourceMessages` ({ time, eventName, eventId, data }), each read as a
   * received text message (see importEntries's entryMessages). `keepPreview`: absent keeps every preview.
   */
  constructor(
    readonly eventSource: boolean,
    private readonly keepPreview?: PreviewFilter,
  ) {}

  static from(elements: readonly unknown[], eventSource: boolean, keepPreview?: PreviewFilter): RawMessages {
    const messages = new RawMessages(eventSource, keepPreview);
    for (const element of elements) messages.push(element);
    return messages;
  }

  push(raw: unknown): void {
    const position = this.length;
    if (position === this.flags.length) this.grow();
    this.length++;
    if (!isObject(raw)) {
      this.flags[position] = 0;
      this.times[position] = NaN;
      this.previews.push('');
      return;
    }
    // An event is a received text message, whatever else its element says (DevTools' EventSourceMessage has no type or opcode).
    const type = this.eventSource ? TYPE_RECEIVE : typeCode(raw.type);
    const opcode: Opcode | 0 = this.eventSource ? 1 : opcodeCode(raw.opcode);
    this.flags[position] = IS_OBJECT | (type << TYPE_SHIFT) | (opcode << OPCODE_SHIFT);
    this.times[position] = typeof raw.time === 'number' && Number.isFinite(raw.time) ? raw.time : NaN;
    let preview = typeof raw.data === 'string' ? raw.data : '';
    if (this.keepPreview && opcode !== 0 && preview.length > 0 && !this.keepPreview(opcode, preview)) {
      this.sizes ??= new Float64Array(this.flags.length).fill(NaN);
      this.sizes[position] = payloadSize(opcode, preview);
      preview = '';
    }
    this.previews.push(preview);
    if (typeof raw.eventName === 'string') {
      this.events ??= new Map();
      this.events.set(position, { name: raw.eventName, id: typeof raw.eventId === 'string' ? raw.eventId : '' });
    }
  }

  private grow(): void {
    const capacity = this.flags.length * 2;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    const times = new Float64Array(capacity);
    times.set(this.times);
    this.times = times;
    if (this.sizes) {
      const sizes = new Float64Array(capacity).fill(NaN);
      sizes.set(this.sizes);
      this.sizes = sizes;
    }
  }

  /** The element was a JSON object. */
  isObject(position: number): boolean {
    return (this.flags[position] & IS_OBJECT) !== 0;
  }

  /** `send` or `receive`; undefined for anything else (an 'error' frame included). */
  direction(position: number): Direction | undefined {
    const type = (this.flags[position] & TYPE_MASK) >> TYPE_SHIFT;
    return type >= 1 && type <= DIRECTIONS.length ? DIRECTIONS[type - 1] : undefined;
  }

  /** Chrome's `type: "error"`: a failure reported by the network stack, not a message. */
  isErrorFrame(position: number): boolean {
    return (this.flags[position] & TYPE_MASK) >> TYPE_SHIFT === TYPE_ERROR;
  }

  opcode(position: number): Opcode | undefined {
    const opcode = (this.flags[position] & OPCODE_MASK) >> OPCODE_SHIFT;
    return opcode === 0 ? undefined : (opcode as Opcode);
  }

  /** The element's `time` when it is a finite number (epoch seconds). */
  seconds(position: number): number | undefined {
    const seconds = this.times[position];
    return Number.isNaN(seconds) ? undefined : seconds;
  }

  /** The `data` string ('' when absent, not a string, or left out by the filter). */
  preview(position: number): string {
    return this.previews[position];
  }

  /** The payload's size from its data: UTF-8 bytes for text, decoded bytes for base64 (also when the preview was left out). */
  payloadSize(position: number, opcode: Opcode): number {
    const size = this.sizes?.[position];
    return size !== undefined && !Number.isNaN(size) ? size : payloadSize(opcode, this.previews[position]);
  }

  event(position: number): { name: string; id: string } | undefined {
    return this.events?.get(position);
  }
}
