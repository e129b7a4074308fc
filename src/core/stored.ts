// How the background persists a tab to storage.session: one JSON string per
// tab, with each connection's messages as columns.
//
// Why a string: Chrome counts an object stored in storage.session by its
// in-memory size (measured here: 584 bytes for a message whose JSON is 215),
// and converting a large object tree took 270 ms for 10k messages against
// 12 ms for JSON.stringify and 40 ms to store the string. Why columns: a
// message's metadata is ~30 characters instead of ~110 as an object, so the
// same quota holds three to four times as many messages.
import type { Connection, HeartbeatRole, Message, Session } from './model';

export const STORED_VERSION = 2;

interface StoredColumns {
  /** Index of the first message; indices are consecutive unless `index` is present. */
  first: number;
  index?: number[];
  time: number[];
  size: number[];
  preview: string[];
  /** One character per message: direction (s/r) … */
  dir: string;
  /** … opcode (1/2) … */
  opcode: string;
  /** … flags as a digit: 1 truncated, 2 evicted, 4 simulated (sent or injected by the user) … */
  flags: string;
  /** … heartbeat role (-, i = ping, o = pong), only when any message has one. */
  heartbeat?: string;
  /** EventSource event types and lastEventIds, only when any message has one. */
  event?: string[];
  lastEventId?: string[];
}

type StoredConnection = Omit<Connection, 'messages'> & { m: StoredColumns };

export interface StoredTabV2<Docs> {
  v: typeof STORED_VERSION;
  session: Omit<Session, 'connections'> & { connections: StoredConnection[] };
  docs: Docs;
}

function encodeMessages(messages: Message[]): StoredColumns {
  const n = messages.length;
  const time = new Array<number>(n);
  const size = new Array<number>(n);
  const preview = new Array<string>(n);
  let dir = '';
  let opcode = '';
  let flags = '';
  let heartbeat = '';
  let anyHeartbeat = false;
  let consecutive = true;
  const first = n ? messages[0].index : 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    time[i] = m.time;
    size[i] = m.size;
    preview[i] = m.preview;
    dir += m.direction === 'send' ? 's' : 'r';
    opcode += m.opcode === 2 ? '2' : '1';
    flags += (m.truncated ? 1 : 0) + (m.evicted ? 2 : 0) + (m.simulated ? 4 : 0);
    heartbeat += m.heartbeat === 'ping' ? 'i' : m.heartbeat === 'pong' ? 'o' : '-';
    if (m.heartbeat) anyHeartbeat = true;
    if (m.index !== first + i) consecutive = false;
  }
  const columns: StoredColumns = { first, time, size, preview, dir, opcode, flags };
  if (!consecutive) columns.index = messages.map((m) => m.index);
  if (anyHeartbeat) columns.heartbeat = heartbeat;
  if (messages.some((m) => m.event !== undefined)) {
    columns.event = messages.map((m) => m.event ?? '');
    columns.lastEventId = messages.map((m) => m.lastEventId ?? '');
  }
  return columns;
}

function decodeMessages(columns: StoredColumns): Message[] {
  const messages = new Array<Message>(columns.time.length);
  for (let i = 0; i < messages.length; i++) {
    const flags = columns.flags.charCodeAt(i) - 48;
    const message: Message = {
      index: columns.index ? columns.index[i] : columns.first + i,
      direction: columns.dir[i] === 's' ? 'send' : 'receive',
      time: columns.time[i],
      opcode: columns.opcode[i] === '2' ? 2 : 1,
      size: columns.size[i],
      preview: columns.preview[i],
      truncated: (flags & 1) !== 0,
    };
    if (flags & 2) message.evicted = true;
    if (flags & 4) message.simulated = true;
    const role = columns.heartbeat?.[i];
    if (role === 'i' || role === 'o') message.heartbeat = (role === 'i' ? 'ping' : 'pong') satisfies HeartbeatRole;
    if (columns.event) {
      message.event = columns.event[i];
      message.lastEventId = columns.lastEventId?.[i] ?? '';
    }
    messages[i] = message;
  }
  return messages;
}

/** The string stored for one tab. */
export function encodeStoredTab<Docs>(session: Session, docs: Docs): string {
  const connections = session.connections.map(({ messages, ...rest }) => ({ ...rest, m: encodeMessages(messages) }));
  const stored: StoredTabV2<Docs> = { v: STORED_VERSION, session: { ...session, connections }, docs };
  return JSON.stringify(stored);
}

/**
 * encodeStoredTab for a tab written again and again: each connection's messages are encoded once and their JSON
 * kept until they change, so a write after a close record or a handshake (metadata only) costs the metadata and
 * string concatenation, not the whole tab's messages again. The cache is keyed by the connection's messages array
 * and checked by its length and its first and last message (appends and cuts); previews evicted in place keep
 * all three, so whoever evicts calls `forget()`. The output decodes to exactly what encodeStoredTab's does.
 */
export interface StoredTabEncoder {
  encode<Docs>(session: Session, docs: Docs): string;
  /** Messages were changed in place (an eviction): encode them all again at the next write. */
  forget(): void;
}

export function storedTabEncoder(): StoredTabEncoder {
  let cache = new WeakMap<Message[], { length: number; first: Message | undefined; last: Message | undefined; json: string }>();
  const messagesJson = (messages: Message[]): string => {
    const first = messages[0];
    const last = messages[messages.length - 1];
    let entry = cache.get(messages);
    if (!entry || entry.length !== messages.length || entry.first !== first || entry.last !== last) {
      entry = { length: messages.length, first, last, json: JSON.stringify(encodeMessages(messages)) };
      cache.set(messages, entry);
    }
    return entry.json;
  };
  /** `{...}` of `object` with `"name":json` added last. */
  const withMember = (object: object, name: string, json: string): string => {
    const text = JSON.stringify(object);
    return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(name)}:${json}}`;
  };
  return {
    encode<Docs>(session: Session, docs: Docs): string {
      const connections = session.connections.map(({ messages, ...rest }) => withMember(rest, 'm', messagesJson(messages)));
      const { connections: _connections, ...sessionRest } = session;
      return `{"v":${STORED_VERSION},"session":${withMember(sessionRest, 'connections', `[${connections.join(',')}]`)},"docs":${JSON.stringify(docs) ?? 'null'}}`;
    },
    forget(): void {
      cache = new WeakMap();
    },
  };
}

/** Reads what encodeStoredTab wrote, or the earlier format (the object itself, `{ session, docs }`). */
export function decodeStoredTab<Docs>(value: unknown): { session: Session; docs: Docs } {
  if (typeof value !== 'string') return value as { session: Session; docs: Docs };
  const stored = JSON.parse(value) as StoredTabV2<Docs>;
  const connections = stored.session.connections.map(({ m, ...rest }) => ({ ...rest, messages: decodeMessages(m) }) as Connection);
  return { session: { ...stored.session, connections }, docs: stored.docs };
}
