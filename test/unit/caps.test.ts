import { describe, expect, it } from 'vitest';
import { applyEviction, chooseEvictionCut, sessionCost, MESSAGE_OVERHEAD_BYTES } from '../../src/core/caps';
import { applyDelta } from '../../src/core/delta';
import { emptySession, type Message, type Session } from '../../src/core/model';

const T0 = 1_790_000_000_000;

/** Two connections with interleaved times, previews of 100 characters. */
function session(messagesEach = 50): Session {
  const s = emptySession('s', T0);
  for (const [n, offset] of [
    [1, 0],
    [2, 0.5],
  ] as const) {
    const messages: Message[] = Array.from({ length: messagesEach }, (_, i) => ({
      index: i,
      direction: i % 2 ? 'receive' : 'send',
      time: T0 + i + offset,
      opcode: 1,
      size: 100,
      preview: String(n).repeat(100),
      truncated: false,
    }));
    s.connections.push({ id: `c${n}`, frameUrl: '', url: `wss://x/${n}`, protocols: [], createdAt: T0, messages });
  }
  return s;
}

describe('memory caps', () => {
  it('evicts the oldest previews first, across connections, and counts them', () => {
    const s = session();
    const before = sessionCost(s);
    const cut = chooseEvictionCut(s, 1000)!;
    expect(cut.messagesUpTo).toBeUndefined();
    const result = applyEviction(s, cut);
    expect(result).toEqual({ previews: 10, messages: 0 });
    expect(sessionCost(s)).toBe(before - 1000);
    // The ten oldest by time: five from each connection, interleaved.
    for (const connection of s.connections) {
      expect(connection.messages.slice(0, 5).every((m) => m.evicted && m.preview === '')).toBe(true);
      expect(connection.messages.slice(5).every((m) => !m.evicted && m.preview.length === 100)).toBe(true);
      expect(connection.evictedPreviews).toBe(5);
    }
    expect(s.dropped).toEqual({ messages: 0, previews: 10, rejected: 0 });
  });

  it('drops whole messages, oldest first, only when previews are not enough', () => {
    const s = session(10);
    const previewBytes = 20 * 100;
    const cut = chooseEvictionCut(s, previewBytes + 4 * MESSAGE_OVERHEAD_BYTES)!;
    expect(cut.previewsUpTo).toBe(Infinity);
    const result = applyEviction(s, cut);
    expect(result).toEqual({ previews: 16, messages: 4 });
    expect(s.connections.map((c) => [c.messages.length, c.droppedMessages, c.messages[0].index])).toEqual([
      [8, 2, 2],
      [8, 2, 2],
    ]);
    expect(s.dropped.messages).toBe(4);
  });

  it('gives identical copies when the same cut is applied through a delta (background and panel)', () => {
    const background = session();
    const panel = structuredClone(background);
    const cut = chooseEvictionCut(background, 2500)!;
    applyDelta(background, { evict: cut });
    applyDelta(panel, { evict: cut });
    expect(panel).toEqual(background);
  });

  it('does nothing when nothing needs to go', () => {
    expect(chooseEvictionCut(session(), 0)).toBeUndefined();
  });
});
