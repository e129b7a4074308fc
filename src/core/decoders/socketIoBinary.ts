// Socket.IO binary packets (socket.io-protocol v5 §"Binary"): a
// BINARY_EVENT / BINARY_ACK text frame such as
// `451-["upload",{"_placeholder":true,"num":0}]` announces N attachments,
// which follow as the next N binary messages in the same direction. Here the
// placeholders are replaced by the attachments, so the event reads whole.
// Engine.IO 3 (EIO=3) prefixes each binary frame with the byte 4; Engine.IO 4
// sends the bytes as they are.
import type { Message } from '../model';
import { decodeFrame, type FrameHints } from '../frames';
import { hexBytes, NodeBudget, toJsonSafe, type CustomConverter, type DecodeLimits } from './jsonSafe';
import { messageBytes } from './bytes';

export interface SocketIoBinaryPacket {
  /** Index of the text message that announced the attachments. */
  index: number;
  type: 'BINARY_EVENT' | 'BINARY_ACK';
  /** The event name (BINARY_EVENT). */
  event?: string;
  /** Indexes of the binary messages taken as attachments, in order. */
  attachmentIndexes: number[];
  /** How many the packet announced. */
  attachments: number;
  /** The packet's data with `{ hex }` in place of every placeholder whose attachment was read; absent on error. */
  data?: unknown;
  /** Why the packet could not be put together (attachments missing, truncated, dropped). */
  error?: string;
}

const ENGINE_IO_3 = /[?&]EIO=3(?:&|$)/;
/** Placeholders are only accepted with a small integer `num` (the data is the page's: anything may look like one). */
const MAX_ATTACHMENTS = 10_000;

interface Pending {
  direction: Message['direction'];
  packet: SocketIoBinaryPacket;
  parts: (Uint8Array | string)[];
  rawData: unknown;
}

/**
 * Every binary Socket.IO packet of a connection, with its attachments in
 * place. `messages` are one connection's, in order. A packet whose
 * attachments are not all there (the connection ended, a preview was
 * truncated or evicted, messages were dropped by the memory cap) comes back
 * with `error` and the indexes found so far.
 */
export function assembleSocketIoBinary(messages: readonly Message[], hints: FrameHints = {}, limits?: DecodeLimits): SocketIoBinaryPacket[] {
  const packets: SocketIoBinaryPacket[] = [];
  const pending = new Map<Message['direction'], Pending>();
  let previousIndex: number | undefined;
  const engineIo3 = ENGINE_IO_3.test(hints.url ?? '');
  const finish = (item: Pending) => {
    pending.delete(item.direction);
    if (item.parts.length < item.packet.attachments) item.packet.error ??= `${item.packet.attachments - item.parts.length} of ${item.packet.attachments} attachments never arrived.`;
    if (!item.packet.error) {
      try {
        item.packet.data = replacePlaceholders(item.rawData, item.parts as Uint8Array[], limits);
      } catch (error) {
        item.packet.error = error instanceof Error ? error.message : String(error);
      }
    }
    packets.push(item.packet);
  };
  for (const message of messages) {
    // Indexes count every message: a gap is messages dropped by the memory cap, maybe attachments.
    if (previousIndex !== undefined && message.index > previousIndex + 1) {
      for (const item of pending.values()) item.packet.error ??= 'Messages were dropped by the memory cap after this packet: its attachments cannot be told apart.';
    }
    previousIndex = message.index;
    const open = pending.get(message.direction);
    if (message.opcode === 2) {
      if (!open) continue;
      const bytes = messageBytes(message);
      open.packet.attachmentIndexes.push(message.index);
      if (bytes.ok) open.parts.push(engineIo3 && bytes.bytes[0] === 4 ? bytes.bytes.subarray(1) : bytes.bytes);
      else {
        open.parts.push(bytes.error);
        open.packet.error ??= `Attachment ${open.parts.length - 1} (message #${message.index}): ${bytes.error}`;
      }
      if (open.parts.length === open.packet.attachments) finish(open);
      continue;
    }
    if (open) finish(open);
    if (message.truncated || message.evicted) continue;
    const frame = decodeFrame(message.preview, hints);
    if (!frame || frame.protocol !== 'Socket.IO' || (frame.type !== 'BINARY_EVENT' && frame.type !== 'BINARY_ACK')) continue;
    const count = Number(frame.fields.find((field) => field.name === 'attachments')?.value);
    if (!Number.isInteger(count) || count < 0 || count > MAX_ATTACHMENTS) continue;
    const packet: SocketIoBinaryPacket = {
      index: message.index,
      type: frame.type,
      attachmentIndexes: [],
      attachments: count,
    };
    const event = frame.fields.find((field) => field.name === 'event')?.value;
    if (event !== undefined) packet.event = event;
    const item: Pending = { direction: message.direction, packet, parts: [], rawData: frame.data };
    if (count === 0) finish(item);
    else pending.set(message.direction, item);
  }
  for (const item of [...pending.values()]) finish(item);
  return packets.sort((a, b) => a.index - b.index);
}

/** `{ "_placeholder": true, "num": n }` → the n-th attachment as `{ hex }`; JSON-safe and bounded like every decoded value. */
export function replacePlaceholders(data: unknown, attachments: readonly Uint8Array[], limits?: DecodeLimits): unknown {
  const placeholders: CustomConverter = (value) => {
    if (Array.isArray(value)) return undefined;
    const record = value as Record<string, unknown>;
    if (record._placeholder !== true || typeof record.num !== 'number' || Object.keys(record).length !== 2) return undefined;
    const attachment = attachments[record.num];
    if (!attachment) throw new Error(`placeholder ${record.num} has no attachment (the packet announced ${attachments.length})`);
    return hexBytes(attachment);
  };
  return toJsonSafe(data, new NodeBudget(limits), 0, placeholders);
}
