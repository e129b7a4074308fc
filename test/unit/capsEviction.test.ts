// The cost counts everything stored, and the cap can always free what it
// must: page events, then whole connections (closed first), all counted.
import { describe, expect, it } from 'vitest';
import { applyEviction, chooseEvictionCut, sessionCost } from '../../src/core/caps';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Connection, type Session } from '../../src/core/model';

const T0 = 1_790_000_000_000;

function connection(id: string, createdAt: number, options: Partial<Connection> = {}): Connection {
  return { id, frameUrl: 'https://app.example/', url: `wss://x/${id}`, protocols: [], createdAt, messages: [], ...options };
}

describe('session cost', () => {
  it('counts URLs, frame URLs, protocols, close reasons, page events and notes', () => {
    const s = emptySession('s', T0);
    s.connections.push(connection('a', T0));
    const base = sessionCost(s);
    const grow = (change: (s: Session) => void, bytes: number) => {
      const before = sessionCost(s);
      change(s);
      expect(sessionCost(s) - before).toBeGreaterThanOrEqual(bytes - 100);
    };
    grow((x) => (x.connections[0].frameUrl = 'f'.repeat(60_000)), 60_000);
    grow((x) => (x.connections[0].protocols = ['p'.repeat(4000), 'q'.repeat(4000)]), 8000);
    grow((x) => (x.connections[0].close = { time: T0 + 1, code: 1000, reason: 'r'.repeat(1000), wasClean: true, initiator: 'server' }), 1000);
    grow((x) => x.pageEvents.push({ type: 'navigation', time: T0 + 2, detail: 'n'.repeat(50_000), frameUrl: 'u'.repeat(10_000) }), 60_000);
    grow((x) => x.pageEvents.push({ type: 'online', time: T0 + 3 }), 1);
    grow((x) => x.notes.push({ id: 'n1', time: T0 + 4, text: 't'.repeat(2000) }), 2000);
    expect(base).toBeGreaterThan(0);
  });
});

describe('eviction of page events and connections', () => {
  /** 20 connections with 60 KB URLs and no messages: previews and messages free nothing. */
  function bigUrls(): Session {
    const s = emptySession('s', T0);
    for (let i = 0; i < 20; i++) {
      const closed = i % 2 === 0;
      s.connections.push(connection(`c${i}`, T0 + i, { url: `wss://x/${'u'.repeat(60_000)}${i}`, ...(closed ? { closedAt: T0 + 100 - i, close: { time: T0 + 100 - i, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' } } : {}) }));
    }
    s.pageEvents.push({ type: 'online', time: T0 + 1 }, { type: 'offline', time: T0 + 2 });
    return s;
  }

  it('drops page events, then whole closed connections (earliest closed first), counted', () => {
    const s = bigUrls();
    const before = sessionCost(s);
    const cut = chooseEvictionCut(s, 3 * 60_000)!;
    expect(cut.pageEvents).toBe(2);
    expect(cut.connections).toEqual(['c18', 'c16', 'c14']);
    const result = applyEviction(s, cut);
    expect(result.connections).toBe(3);
    expect(s.connections.length).toBe(17);
    expect(s.pageEvents.length).toBe(0);
    expect(s.dropped.droppedConnections).toBe(3);
    expect(s.dropped.droppedPageEvents).toBe(2);
    expect(before - sessionCost(s)).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('drops open connections (oldest first) only once no closed one is left', () => {
    const s = bigUrls();
    const cut = chooseEvictionCut(s, 12 * 60_000)!;
    expect(cut.connections!.slice(0, 10).every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
    expect(cut.connections!.slice(10)).toEqual(['c1', 'c3']);
  });

  it('counts the messages of a dropped connection, and gives identical copies through a delta', () => {
    const s = bigUrls();
    s.connections[0].messages.push({ index: 0, direction: 'send', time: T0 + 5, opcode: 1, size: 1, preview: 'a', truncated: false });
    const panel = structuredClone(s);
    const panelIndex = new Map(panel.connections.map((c) => [c.id, c]));
    const cut = chooseEvictionCut(s, 20 * 61_000)!;
    // Through JSON, as Chrome's ports carry it (Infinity becomes null).
    const sent = JSON.parse(JSON.stringify(cut));
    applyDelta(s, { evict: cut });
    applyDelta(panel, { evict: sent }, panelIndex);
    expect(panel).toEqual(s);
    expect(s.connections.length).toBe(0);
    expect(panelIndex.size).toBe(0);
    expect(s.dropped.messages).toBe(1);
    expect(s.dropped.droppedConnections).toBe(20);
  });
});

describe('exports show every loss', () => {
  it('writes the new drop counters in the HAR (log._socketscope.dropped)', async () => {
    const { toHar } = await import('../../src/core/har');
    const s = emptySession('s', T0);
    s.connections.push(connection('a', T0));
    s.dropped = { messages: 1, previews: 2, rejected: 3, droppedConnections: 4, droppedPageEvents: 5 };
    const har = toHar(s) as unknown as { log: { _socketscope: { dropped: unknown } } };
    expect(har.log._socketscope.dropped).toEqual({ messages: 1, previews: 2, rejected: 3, droppedConnections: 4, droppedPageEvents: 5 });
  });
});
