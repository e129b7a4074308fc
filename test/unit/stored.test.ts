import { describe, expect, it } from 'vitest';
import { CHUNK_KEY_PREFIX, CHUNK_MAX_CHARS, decodeStoredTab, decodeStoredTabs, encodeStoredTab, storedTabWriter, type TabWrite } from '../../src/core/stored';
import { createRng } from './helpers/synth';
import { applyEviction } from '../../src/core/caps';
import { batchToDelta } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Message, type Session } from '../../src/core/model';
import type { PageBatch } from '../../src/protocol/page';

const T0 = 1_790_000_000_000;

function sample(): Session {
  const s = { ...emptySession('s', T0), tabId: 3, pageUrl: 'https://x/', source: 'live' as const };
  s.connections.push({
    id: 'd:1',
    frameId: 0,
    frameUrl: 'https://x/',
    url: 'wss://x/feed',
    protocols: ['v1'],
    createdAt: T0,
    openedAt: T0 + 1.5,
    close: { time: T0 + 9, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
    droppedMessages: 2,
    evictedPreviews: 1,
    messages: [
      { index: 2, direction: 'send', time: T0 + 2.25, opcode: 1, size: 5, preview: '', truncated: false, evicted: true },
      { index: 3, direction: 'receive', time: T0 + 3.125, opcode: 2, size: 70000, preview: 'AAEC', truncated: true, heartbeat: 'pong' },
      { index: 4, direction: 'send', time: T0 + 4, opcode: 1, size: 4, preview: 'ping', truncated: false, heartbeat: 'ping' },
    ],
  });
  s.connections.push({ id: 'd:2', frameUrl: '', url: 'wss://x/empty', protocols: [], createdAt: T0 + 5, messages: [] });
  return s;
}

describe('stored tabs (storage.session format)', () => {
  it('round-trips a session exactly, as one compact string', () => {
    const session = sample();
    const docs = { d: { frameId: 0, frameUrl: 'https://x/', lastSeq: 7 } };
    const stored = encodeStoredTab(session, docs);
    expect(typeof stored).toBe('string');
    expect(stored.length).toBeLessThan(JSON.stringify({ session, docs }).length);
    expect(decodeStoredTab(stored)).toEqual({ session, docs });
  });

  it('keeps non-consecutive indices and reads the earlier object format', () => {
    const session = sample();
    session.connections[0].messages[2].index = 9;
    expect(decodeStoredTab(encodeStoredTab(session, {})).session).toEqual(session);
    expect(decodeStoredTab({ session, docs: {} }).session).toBe(session);
  });

  it('stores whole-microsecond times as small integers after the first, and any other time exactly as it is', () => {
    const session = sample();
    const messages = session.connections[0].messages;
    // What ingest makes of a live batch (t0 with a fraction, whole microseconds after it): whole epoch microseconds.
    const t0 = 1_790_000_000_123.456;
    const batch: PageBatch = {
      v: 1, seq: 1, t0, droppedMessages: 0,
      records: [{ k: 'create', at: 0, id: 1, time: t0, url: 'wss://x/', protocols: [] }],
      messages: { id: [1, 1, 1], dir: [1, 1, 0], time: [1_000, 2_345_678, 59_999_999_999], opcode: [1, 1, 1], size: [1, 1, 1], preview: ['a', 'b', 'c'], truncated: [0, 0, 0] },
    };
    const fresh = emptySession('live', t0);
    applyDelta(fresh, batchToDelta(batch, { docId: 'd', frameId: 0, frameUrl: 'https://x/' }, fresh, new Map()));
    const live = fresh.connections[0].messages;
    expect(live.map((m) => Math.round(m.time * 1000) / 1000 === m.time)).toEqual([true, true, true]);
    session.connections[0].messages = live;
    const stored = encodeStoredTab(session, {});
    const columns = (JSON.parse(stored) as { session: { connections: { m: { t?: number; time: number[] } }[] } }).session.connections[0].m;
    expect(columns.t).toBe(Math.round(live[0].time * 1000));
    expect(columns.time).toEqual([0, 2_344_678, 59_999_998_999]);
    expect(decodeStoredTab(stored).session).toEqual(session);
    // A time that is not a whole microsecond (an import, an earlier build) keeps the whole column in epoch milliseconds.
    session.connections[0].messages = [...messages, { ...messages[2], index: 5, time: T0 + 1 / 3 }];
    const exact = encodeStoredTab(session, {});
    expect((JSON.parse(exact) as { session: { connections: { m: { t?: number } }[] } }).session.connections[0].m.t).toBeUndefined();
    expect(decodeStoredTab(exact).session).toEqual(session);
  });
});

/** storage.session as a map of strings: a write's items stored, then its leftovers removed (unless told otherwise). */
class Storage {
  data = new Map<string, string>();
  written = 0;
  apply(write: TabWrite, ok = true, removeLeftovers = true): void {
    if (ok) {
      for (const [key, value] of Object.entries(write.items)) {
        this.data.set(key, value);
        this.written += value.length;
      }
      if (removeLeftovers) for (const key of write.remove) this.data.delete(key);
    }
    write.done(ok);
  }
  read(): ReturnType<typeof decodeStoredTabs<unknown>> {
    return decodeStoredTabs(Object.fromEntries(this.data));
  }
  /** The tab as stored, without the writer's chunk list. */
  tab(tabId: number): { session: Session; docs: unknown } | undefined {
    const tab = this.read().tabs.get(tabId);
    return tab && { session: tab.session, docs: tab.docs };
  }
  chars(): number {
    let chars = 0;
    for (const [key, value] of this.data) chars += key.length + value.length;
    return chars;
  }
}

/** JSON with every object's keys sorted. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

const message = (index: number, preview = `m${index}`.padEnd(100, '.')): Message => ({ index, direction: index % 3 ? 'receive' : 'send', time: T0 + index, opcode: 1, size: preview.length, preview, truncated: false });
let names = 0;
const nextName = (): string => `n${names++}`;

/** The sample tab with messages 5 … upTo - 1 added to its first connection, written once. */
function writtenTab(upTo: number) {
  const session = sample();
  const feed = session.connections[0];
  const storage = new Storage();
  const writer = storedTabWriter(3, nextName);
  for (let i = 5; i < upTo; i++) feed.messages.push(message(i));
  storage.apply(writer.write(session, {}));
  return { session, feed, storage, writer };
}

describe('the append-only writer (a tab written again and again)', () => {
  it('stores what encodeStoredTab writes through appends, metadata patches, evictions, cuts and new connections', () => {
    const session = sample();
    const docs = { d: { frameId: 0, frameUrl: 'https://x/', lastSeq: 7 } };
    const storage = new Storage();
    const writer = storedTabWriter(3, nextName);
    const same = () => {
      storage.apply(writer.write(session, docs));
      expect(storage.tab(3)).toEqual(decodeStoredTab(encodeStoredTab(session, docs)));
      expect(storage.read().orphans).toEqual([]);
    };
    same();
    const feed = session.connections[0];
    for (let i = 5; i < 5000; i++) feed.messages.push(message(i));
    same();
    same(); // nothing new
    feed.close = { time: T0 + 10, code: 1000, reason: 'bye', wasClean: true, initiator: 'page' };
    session.connections[1].handshakeEvidence = 'unavailable';
    session.pageEvents.push({ type: 'online', time: T0 + 6 });
    same();
    // Previews emptied in place: the chunks keep their messages and keys, so only changed() tells the writer.
    applyEviction(session, { previewsUpTo: T0 + 1500 }, new Map(session.connections.map((c) => [c.id, c])));
    expect(feed.messages.some((m) => m.evicted && m.preview === '' && m.index === 1200)).toBe(true);
    const stale = writer.write(session, docs);
    storage.apply(stale);
    expect(storage.read().tabs.get(3)?.session).not.toEqual(decodeStoredTab(encodeStoredTab(session, docs)).session);
    writer.changed(T0 + 1500);
    same();
    feed.messages.splice(0, 1700); // the oldest cut, across chunk boundaries
    writer.changed(T0 + 1700);
    same();
    session.connections.push({ id: 'd:3', frameUrl: '', url: 'wss://x/3', protocols: [], createdAt: T0 + 7, messages: [message(0)] });
    same();
    session.connections.splice(0, 1); // a connection dropped whole: its chunks go
    same();
    expect([...storage.data.keys()].filter((key) => key.startsWith(CHUNK_KEY_PREFIX))).toEqual([]);
  });

  it('writes only what is new: a full connection with one more message costs its tail, not the tab', () => {
    const { session, feed, storage, writer } = writtenTab(40_000);
    const full = storage.chars();
    expect(full).toBeGreaterThan(4_000_000);
    for (let i = 40_000; i < 40_010; i++) {
      feed.messages.push(message(i));
      const before = storage.written;
      const write = writer.write(session, {});
      storage.apply(write);
      // The entry: metadata, the chunk list and at most a chunk's worth of messages.
      expect(storage.written - before).toBeLessThan(CHUNK_MAX_CHARS + 8_000);
      expect(Object.keys(write.items).length).toBeLessThanOrEqual(2);
    }
    expect(storage.read().tabs.get(3)?.session.connections[0].messages).toEqual(feed.messages);
    // A write's size reported is what storage holds.
    expect(writer.write(session, {}).chars).toBe(storage.chars());
  });

  it('rewrites chunks in place after an eviction, so storage never holds two copies of a tab', () => {
    const { session, storage, writer } = writtenTab(30_000);
    const keysBefore = new Set(storage.data.keys());
    applyEviction(session, { previewsUpTo: T0 + 10_000 }, new Map(session.connections.map((c) => [c.id, c])));
    writer.changed(T0 + 10_000);
    const write = writer.write(session, {});
    // Only the chunks that start at or before the bound, under their old keys.
    for (const key of Object.keys(write.items)) expect(keysBefore.has(key)).toBe(true);
    const rewritten = Object.keys(write.items).length - 1;
    const chunks = [...keysBefore].filter((key) => key.startsWith(CHUNK_KEY_PREFIX)).length;
    expect(rewritten).toBeGreaterThan(0);
    expect(rewritten).toBeLessThan(chunks);
    storage.apply(write);
    expect(storage.read().tabs.get(3)?.session).toEqual(decodeStoredTab(encodeStoredTab(session, {})).session);
  });

  it('survives failed writes and a restarted service worker, and counts a missing chunk as dropped messages', () => {
    const { session, feed, storage, writer: first } = writtenTab(9000);
    let writer = first;
    for (let i = 9000; i < 14_000; i++) feed.messages.push(message(i));
    // A failed write (quota) that nevertheless stored some of its chunks: they are leftovers, removed later.
    const failed = writer.write(session, {});
    const newKeys = Object.keys(failed.items).filter((key) => key.startsWith(CHUNK_KEY_PREFIX));
    expect(newKeys.length).toBeGreaterThan(0);
    storage.data.set(newKeys[0], failed.items[newKeys[0]]);
    storage.apply(failed, false);
    expect(storage.read().orphans).toEqual([newKeys[0]]);
    storage.apply(writer.write(session, {}));
    expect(storage.read()).toMatchObject({ orphans: [] });
    expect(storage.read().tabs.get(3)?.session).toEqual(decodeStoredTab(encodeStoredTab(session, {})).session);
    // Restart: the writer restored from storage appends instead of writing the tab again.
    const restored = storage.read().tabs.get(3)!;
    writer = storedTabWriter(3, nextName, restored.chunks);
    restored.session.connections[0].messages.push(message(14_000));
    const next = writer.write(restored.session, {});
    expect(Object.keys(next.items)).toEqual(['tab:3']);
    storage.apply(next);
    expect(storage.read().tabs.get(3)?.session.connections[0].messages.length).toBe(feed.messages.length + 1);
    // Keys of the tab, for removing it: everything it has in storage.
    expect(new Set(writer.keys())).toEqual(new Set(storage.data.keys()));
    // A chunk lost (it should not happen): its messages are counted, not silently gone.
    const chunk = [...storage.data.keys()].find((key) => key.startsWith(CHUNK_KEY_PREFIX))!;
    const count = decodeStoredTabs<unknown>({ [chunk]: storage.data.get(chunk)!, 'tab:9': encodeStoredTab(emptySession('e', T0), {}) }).orphans.length;
    expect(count).toBe(1);
    storage.data.delete(chunk);
    const after = storage.read().tabs.get(3)!.session.connections[0];
    expect(after.messages.length + (after.droppedMessages ?? 0) - (feed.droppedMessages ?? 0)).toBe(feed.messages.length + 1);
  });

  it('matches encodeStoredTab under random appends, evictions, cuts, failures and restarts', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const random = createRng(seed);
      const session = { ...emptySession('s', T0), tabId: 5 };
      const storage = new Storage();
      let writer = storedTabWriter(5, nextName);
      let next = 0;
      for (let step = 0; step < 40; step++) {
        const r = random();
        if (r < 0.1 || !session.connections.length) session.connections.push({ id: `c${step}`, frameUrl: '', url: `wss://x/${step}`, protocols: [], createdAt: T0, messages: [] });
        else if (r < 0.6) {
          const connection = session.connections[Math.floor(random() * session.connections.length)];
          const n = Math.floor(random() * (random() < 0.1 ? 4000 : 200));
          for (let i = 0; i < n; i++) connection.messages.push(message(next++, random() < 0.5 ? '' : 'x'.repeat(Math.floor(random() * 200))));
        } else if (r < 0.7) {
          const upTo = T0 + Math.floor(random() * next);
          applyEviction(session, random() < 0.5 ? { previewsUpTo: upTo } : { messagesUpTo: upTo }, new Map(session.connections.map((c) => [c.id, c])));
          writer.changed(upTo);
        } else if (r < 0.75) session.connections.splice(Math.floor(random() * session.connections.length), 1);
        else if (r < 0.8) storage.apply(writer.write(session, { step }), false, false);
        else if (r < 0.85) {
          const restored = storage.read().tabs.get(5);
          if (restored) {
            // As the background does: the restored session goes on (its messages are the ones the writer knows).
            Object.assign(session, restored.session);
            writer = storedTabWriter(5, nextName, restored.chunks);
          }
        }
        const write = writer.write(session, { step });
        const upTo = T0 + Math.floor(random() * next);
        const evictMeanwhile = random() < 0.15; // an eviction while the write is under way
        if (evictMeanwhile) {
          applyEviction(session, { previewsUpTo: upTo }, new Map(session.connections.map((c) => [c.id, c])));
          writer.changed(upTo);
        }
        storage.apply(write, true, random() < 0.9);
        if (evictMeanwhile) storage.apply(writer.write(session, { step }));
        // toEqual only when the canonical JSON differs: its cost on thousands of messages, 480 times, is seconds.
        const stored = storage.tab(5);
        const expected = decodeStoredTab(encodeStoredTab(session, { step }));
        if (canonical(stored) !== canonical(expected)) expect(stored, `seed ${seed}, step ${step}`).toEqual(expected);
      }
    }
  }, 30_000);
});

describe('messages over the hook preview budget', () => {
  it('are recorded without preview and counted as evicted previews', () => {
    const session = emptySession('s', T0);
    const index = new Map();
    const batch: PageBatch = {
      v: 1,
      seq: 1,
      records: [{ k: 'create', at: 0, id: 1, time: T0, url: 'wss://x/', protocols: [] }],
      messages: { id: [1, 1], dir: [1, 1], time: [T0 + 1, T0 + 2], opcode: [2, 2], size: [65536, 65536], preview: ['AAAA', ''], truncated: [0, 2] },
      droppedMessages: 0,
    };
    const delta = batchToDelta(batch, { docId: 'd', frameUrl: 'https://x/' }, session, index);
    applyDelta(session, delta, index);
    const [kept, skipped] = session.connections[0].messages;
    expect(kept).toMatchObject({ index: 0, preview: 'AAAA', truncated: false });
    expect(skipped).toMatchObject({ index: 1, preview: '', truncated: true, evicted: true, size: 65536 });
    expect(session.connections[0].evictedPreviews).toBe(1);
    expect(session.dropped).toMatchObject({ previews: 1, rejected: 0, messages: 0 });
  });
});
