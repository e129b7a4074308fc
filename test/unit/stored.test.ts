import { describe, expect, it } from 'vitest';
import { decodeStoredTab, encodeStoredTab, storedTabEncoder } from '../../src/core/stored';
import { applyEviction } from '../../src/core/caps';
import { batchToDelta } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Session } from '../../src/core/model';
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
});

describe('the incremental encoder (a tab written again and again)', () => {
  it('writes what encodeStoredTab writes through appends, metadata patches, evictions and cuts', () => {
    const session = sample();
    const docs = { d: { frameId: 0, frameUrl: 'https://x/', lastSeq: 7 } };
    const encoder = storedTabEncoder();
    const same = () => expect(decodeStoredTab(encoder.encode(session, docs))).toEqual(decodeStoredTab(encodeStoredTab(session, docs)));
    same();
    same(); // from the cache
    const feed = session.connections[0];
    feed.messages.push({ index: 5, direction: 'receive', time: T0 + 5, opcode: 1, size: 3, preview: 'new', truncated: false });
    same();
    feed.close = { time: T0 + 10, code: 1000, reason: 'bye', wasClean: true, initiator: 'page' };
    session.connections[1].handshakeEvidence = 'unavailable';
    session.pageEvents.push({ type: 'online', time: T0 + 6 });
    same();
    // Previews emptied in place: same length, same first and last message. Stale until forget(), as the background calls it.
    applyEviction(session, { previewsUpTo: T0 + 4.5 }, new Map(session.connections.map((c) => [c.id, c])));
    expect(feed.messages.some((m) => m.evicted && m.preview === '' && m.index === 4)).toBe(true);
    expect(decodeStoredTab(encoder.encode(session, docs))).not.toEqual(decodeStoredTab(encodeStoredTab(session, docs)));
    encoder.forget();
    same();
    feed.messages.splice(0, 2);
    same();
    session.connections.push({ id: 'd:3', frameUrl: '', url: 'wss://x/3', protocols: [], createdAt: T0 + 7, messages: [] });
    same();
  });
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
