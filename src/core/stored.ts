// How the background persists a tab to storage.session: JSON strings, with
// each connection's messages as columns, appended in chunks (below) so that a
// tab written again writes only what is new.
//
// Why a string: Chrome counts an object stored in storage.session by its
// in-memory size (measured here: 584 bytes for a message whose JSON is 215),
// and converting a large object tree took 270 ms for 10k messages against
// 12 ms for JSON.stringify and 40 ms to store the string. Why columns: a
// message's metadata is ~30 characters instead of ~110 as an object, so the
// same quota holds three to four times as many messages.
import type { Connection, HeartbeatRole, Message, Session } from './model';

/** 3: messages in chunks under their own keys (v2 kept them all inline, and reads the same with no chunks). */
export const STORED_VERSION = 3;

/** A connection's messages as columns: what storage.session keeps, and what a panel's deltas carry (src/core/delta.ts). */
export interface StoredColumns {
  /** Index of the first message; indices are consecutive unless `index` is present. */
  first: number;
  index?: number[];
  /**
   * When present: the first message's time in whole epoch microseconds, and `time` holds each message's time in
   * whole microseconds after it (a live tab's times are whole microseconds: src/core/ingest.ts). Small integers
   * print several times faster than epoch milliseconds with a fraction, in half the characters. Absent: `time`
   * holds epoch milliseconds (times that are not whole microseconds, and what earlier builds wrote).
   */
  t?: number;
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

/** `m`: the messages after the last chunk (all of them without chunks); `k`: the chunks, in order. */
type StoredConnection = Omit<Connection, 'messages'> & { m: StoredColumns; k?: ChunkRef[] };

export interface StoredTabV3<Docs> {
  v: typeof STORED_VERSION;
  session: Omit<Session, 'connections'> & { connections: StoredConnection[] };
  docs: Docs;
}

/** Character codes to a string: TextDecoder takes ASCII bytes as they are, ~7x faster than appending a character per message. */
const ascii = new TextDecoder();

export function encodeMessages(messages: Message[]): StoredColumns {
  const n = messages.length;
  const time = new Array<number>(n);
  const size = new Array<number>(n);
  const preview = new Array<string>(n);
  const dir = new Uint8Array(n);
  const opcode = new Uint8Array(n);
  const flags = new Uint8Array(n);
  let heartbeat: Uint8Array | undefined;
  let consecutive = true;
  let anyEvent = false;
  const first = n ? messages[0].index : 0;
  // Whole microseconds after the first message when every time is a whole microsecond (exactly: decoding gives the same number back).
  const base = n ? Math.round(messages[0].time * 1000) : 0;
  let micros = Number.isSafeInteger(base);
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    const us = Math.round(m.time * 1000);
    if (micros && us / 1000 === m.time) time[i] = us - base;
    else {
      micros = false;
      time[i] = m.time;
    }
    size[i] = m.size;
    preview[i] = m.preview;
    dir[i] = m.direction === 'send' ? 0x73 : 0x72; // s, r
    opcode[i] = m.opcode === 2 ? 0x32 : 0x31; // 2, 1
    flags[i] = 0x30 + (m.truncated ? 1 : 0) + (m.evicted ? 2 : 0) + (m.simulated ? 4 : 0);
    if (m.heartbeat) (heartbeat ??= new Uint8Array(n).fill(0x2d))[i] = m.heartbeat === 'ping' ? 0x69 : 0x6f; // -, i, o
    if (m.index !== first + i) consecutive = false;
    if (m.event !== undefined) anyEvent = true;
  }
  // A time that was not a whole microsecond came after others that were: all of them as epoch milliseconds.
  if (!micros) for (let i = 0; i < n; i++) time[i] = messages[i].time;
  const columns: StoredColumns = { first, time, size, preview, dir: ascii.decode(dir), opcode: ascii.decode(opcode), flags: ascii.decode(flags) };
  if (micros && n) columns.t = base;
  if (!consecutive) columns.index = messages.map((m) => m.index);
  if (heartbeat) columns.heartbeat = ascii.decode(heartbeat);
  if (anyEvent) {
    columns.event = messages.map((m) => m.event ?? '');
    columns.lastEventId = messages.map((m) => m.lastEventId ?? '');
  }
  return columns;
}

export function decodeMessages(columns: StoredColumns): Message[] {
  const messages = new Array<Message>(columns.time.length);
  const base = columns.t;
  for (let i = 0; i < messages.length; i++) {
    const flags = columns.flags.charCodeAt(i) - 48;
    const message: Message = {
      index: columns.index ? columns.index[i] : columns.first + i,
      direction: columns.dir[i] === 's' ? 'send' : 'receive',
      time: base === undefined ? columns.time[i] : (base + columns.time[i]) / 1000,
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

/** A whole tab as one string, every message inline (what the writer's entries decode to, chunks put back). */
export function encodeStoredTab<Docs>(session: Session, docs: Docs): string {
  const connections = session.connections.map(({ messages, ...rest }) => ({ ...rest, m: encodeMessages(messages) }));
  const stored: StoredTabV3<Docs> = { v: STORED_VERSION, session: { ...session, connections }, docs };
  return JSON.stringify(stored);
}

/** `{...}` of `object` with `"name":json` added last. */
function withMember(object: object, name: string, json: string): string {
  const text = JSON.stringify(object);
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(name)}:${json}}`;
}

// ---- v3: append-only chunks --------------------------------------------------------------------------------
//
// A tab written again and again (the background persists it up to once a second) writes only what is new: each
// connection's messages are cut into sealed chunks, each stored once under its own key (`msgs:<tab>:<name>`),
// and the tab's own entry (`tab:<tab>`) holds the metadata, the list of chunks and the last, unsealed messages
// (at most a chunk's worth). A full tab receiving a message a second rewrites its metadata and that tail, not
// 4 MiB. Messages changed in place (previews evicted) make the writer rewrite its chunks under the same keys, so
// storage never holds two copies of a tab (the quota is 10 MiB for 8 MiB of tabs).

export const TAB_KEY_PREFIX = 'tab:';
export const CHUNK_KEY_PREFIX = 'msgs:';
/** A chunk is sealed at this many messages… */
export const CHUNK_MAX_MESSAGES = 2048;
/** …or at this many characters of previews and metadata (estimated), whichever comes first. */
export const CHUNK_MAX_CHARS = 64 * 1024;
/** Characters a message's metadata takes in the columns (time, size, flags), for sealing. */
const CHUNK_MESSAGE_CHARS = 24;

/** A connection's reference to one chunk: its key and how many messages it holds. */
type ChunkRef = [key: string, count: number];

interface Chunk {
  key: string;
  count: number;
  first: Message;
  last: Message;
  chars: number;
}

/** Per connection id, its stored chunks as decodeStoredTabs read them: handed to storedTabWriter after a restart. */
export type RestoredChunks = Map<string, Chunk[]>;

/** What the background stores for a tab now, and what it removes once that is stored. */
export interface TabWrite {
  /** For storage.session.set: the tab's entry and each chunk that is new or changed since the last successful write. */
  items: Record<string, string>;
  /** Keys to remove once `items` are stored (chunks no longer referenced). */
  remove: string[];
  /** Every key the tab occupies once this write is stored. */
  keys: string[];
  /** Characters the tab occupies in storage once this write is stored. */
  chars: number;
  /** The write's outcome: only a successful write becomes the base of the next one. */
  done(ok: boolean): void;
}

export interface StoredTabWriter {
  write<Docs>(session: Session, docs: Docs): TabWrite;
  /**
   * Messages were changed in place (an eviction emptied previews): rewrite, at the next write, every chunk that
   * starts at or before `upToTime` (evictions empty a prefix of each connection's messages, up to a time).
   */
  changed(upToTime?: number): void;
  /** Every key this tab may occupy in storage (its entry, its chunks, leftovers of failed writes): for removing the tab. */
  keys(): string[];
}

/** The message at or after `from`, before `to`, that is `message`; -1 if none. */
function positionOf(messages: Message[], message: Message, from: number, to: number): number {
  const end = Math.min(to, messages.length);
  for (let i = from; i < end; i++) if (messages[i] === message) return i;
  return -1;
}

/**
 * The writer of one tab. `chunkName()` names a new chunk (unique across service-worker restarts: the background
 * gives a time-based prefix and a counter); `restored` is what decodeStoredTabs read back, so a restarted service
 * worker goes on appending instead of writing the tab again.
 */
export function storedTabWriter(tabId: number, chunkName: () => string, restored?: RestoredChunks): StoredTabWriter {
  const mainKey = TAB_KEY_PREFIX + tabId;
  /** Chunks per connection id as last stored successfully. */
  let committed = restored ?? new Map<string, Chunk[]>();
  /** Chunk keys the last successful write left in storage. */
  let stored = new Set<string>([...committed.values()].flatMap((chunks) => chunks.map((chunk) => chunk.key)));
  /** Keys a failed write may have left (set is one call, but nothing here depends on it being atomic). */
  const leftovers = new Set<string>();
  /** Bumped by changed(): a write planned before an eviction is not a clean base. */
  let generation = 0;
  /** Chunks whose first message is this old or older are rewritten at the next write. */
  let dirtyUpTo = -Infinity;

  const encodeChunk = (messages: Message[], from: number, to: number): string => JSON.stringify(encodeMessages(messages.slice(from, to)));

  return {
    write<Docs>(session: Session, docs: Docs): TabWrite {
      const plan = new Map<string, Chunk[]>();
      const items: Record<string, string> = {};
      const referenced = new Set<string>();
      const planGeneration = generation;
      const rewriteUpTo = dirtyUpTo;
      let chars = 0;
      const connections = session.connections.map(({ messages, ...rest }) => {
        const chunks: Chunk[] = [];
        let p = 0;
        for (const chunk of committed.get(rest.id) ?? []) {
          // Where the chunk's last message is now: in place, or earlier if older messages were cut; gone if not found.
          let q = p + chunk.count - 1;
          if (messages[q] !== chunk.last) q = positionOf(messages, chunk.last, p, p + chunk.count);
          if (q < 0) continue;
          if (q - p + 1 !== chunk.count || messages[p] !== chunk.first || messages[p].time <= rewriteUpTo) {
            const json = encodeChunk(messages, p, q + 1);
            items[chunk.key] = json;
            chunks.push({ key: chunk.key, count: q - p + 1, first: messages[p], last: messages[q], chars: json.length });
          } else chunks.push(chunk);
          p = q + 1;
        }
        // Seal what filled up since.
        let start = p;
        let size = 0;
        for (let i = p; i < messages.length; i++) {
          size += messages[i].preview.length + CHUNK_MESSAGE_CHARS;
          if (i + 1 - start < CHUNK_MAX_MESSAGES && size < CHUNK_MAX_CHARS) continue;
          const key = `${CHUNK_KEY_PREFIX}${tabId}:${chunkName()}`;
          const json = encodeChunk(messages, start, i + 1);
          items[key] = json;
          chunks.push({ key, count: i + 1 - start, first: messages[start], last: messages[i], chars: json.length });
          start = i + 1;
          size = 0;
        }
        if (chunks.length) plan.set(rest.id, chunks);
        const refs: ChunkRef[] = [];
        for (const chunk of chunks) {
          referenced.add(chunk.key);
          refs.push([chunk.key, chunk.count]);
          chars += chunk.key.length + chunk.chars;
        }
        const json = withMember(rest, 'm', JSON.stringify(encodeMessages(start === 0 ? messages : messages.slice(start))));
        return refs.length ? `${json.slice(0, -1)},"k":${JSON.stringify(refs)}}` : json;
      });
      const { connections: _connections, ...sessionRest } = session;
      const main = `{"v":${STORED_VERSION},"session":${withMember(sessionRest, 'connections', `[${connections.join(',')}]`)},"docs":${JSON.stringify(docs) ?? 'null'}}`;
      items[mainKey] = main;
      chars += mainKey.length + main.length;
      const remove = [...new Set([...stored, ...leftovers])].filter((key) => !referenced.has(key));
      return {
        items,
        remove,
        keys: [mainKey, ...referenced],
        chars,
        done(ok: boolean): void {
          if (ok) {
            committed = plan;
            stored = referenced;
            leftovers.clear();
            for (const key of remove) leftovers.add(key); // until removed: the background removes them now
            if (generation === planGeneration) dirtyUpTo = -Infinity;
          } else {
            // Chunks it would have added may be in storage all the same; the ones it rewrote in place stay dirty.
            for (const key of Object.keys(items)) if (key !== mainKey && !stored.has(key)) leftovers.add(key);
          }
        },
      };
    },
    changed(upToTime = Infinity): void {
      generation++;
      if (upToTime > dirtyUpTo) dirtyUpTo = upToTime;
    },
    keys(): string[] {
      return [mainKey, ...new Set([...stored, ...leftovers])];
    },
  };
}

/** What decodeStoredTabs read: each tab's session and docs, and keys referenced by no tab (left by an interrupted write). */
export interface StoredTabs<Docs> {
  tabs: Map<number, { session: Session; docs: Docs; chunks: RestoredChunks }>;
  orphans: string[];
}

/**
 * Reads everything the background stored (storage.session.get(null)): each `tab:<id>` entry with its chunks, in
 * this format or the earlier ones. A chunk that is missing (it should not be) has its messages counted as dropped.
 * Entries that do not parse are skipped.
 */
export function decodeStoredTabs<Docs>(all: Record<string, unknown>): StoredTabs<Docs> {
  const tabs: StoredTabs<Docs>['tabs'] = new Map();
  const used = new Set<string>();
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(TAB_KEY_PREFIX)) continue;
    const tabId = Number(key.slice(TAB_KEY_PREFIX.length));
    if (!Number.isInteger(tabId)) continue;
    const chunks: RestoredChunks = new Map();
    let decoded: { session: Session; docs: Docs };
    try {
      decoded = decodeTab<Docs>(value, (connection, refs) => {
        const messages: Message[] = [];
        const list: Chunk[] = [];
        for (const [chunkKey, count] of refs) {
          const text = all[chunkKey];
          if (typeof text !== 'string') {
            connection.droppedMessages = (connection.droppedMessages ?? 0) + count;
            continue;
          }
          used.add(chunkKey);
          const part = decodeMessages(JSON.parse(text) as StoredColumns);
          if (!part.length) continue;
          list.push({ key: chunkKey, count: part.length, first: part[0], last: part[part.length - 1], chars: text.length });
          for (const message of part) messages.push(message);
        }
        if (list.length) chunks.set(connection.id, list);
        return messages;
      });
    } catch {
      continue;
    }
    tabs.set(tabId, { ...decoded, chunks });
  }
  const orphans = Object.keys(all).filter((key) => key.startsWith(CHUNK_KEY_PREFIX) && !used.has(key));
  return { tabs, orphans };
}

/** Reads one tab's entry: this format (chunks through `chunked`), v2 (every message inline), or the earlier object. */
function decodeTab<Docs>(value: unknown, chunked: (connection: Connection, refs: ChunkRef[]) => Message[]): { session: Session; docs: Docs } {
  if (typeof value !== 'string') return value as { session: Session; docs: Docs };
  const stored = JSON.parse(value) as StoredTabV3<Docs>;
  const connections = stored.session.connections.map(({ m, k, ...rest }) => {
    const connection = rest as Connection;
    const tail = decodeMessages(m);
    if (!k?.length) connection.messages = tail;
    else {
      const messages = chunked(connection, k);
      for (const message of tail) messages.push(message);
      connection.messages = messages;
    }
    return connection;
  });
  return { session: { ...stored.session, connections }, docs: stored.docs };
}

/** Reads what encodeStoredTab wrote (one string, every message inline), or the earlier format (the object itself, `{ session, docs }`). */
export function decodeStoredTab<Docs>(value: unknown): { session: Session; docs: Docs } {
  return decodeTab<Docs>(value, () => {
    throw new Error('this tab keeps messages in chunks: read it with decodeStoredTabs');
  });
}
