// The demo reads the stored sessions in plain node (scripts/lib/storedSession.mjs): here it reads what the real
// writer (src/core/stored.ts) writes, so a change of the stored form that the demo misses fails here, not in
// the demo's output (it once printed "after 1796122229.0 s of silence": decision 59's times read as epoch ms).
import { describe, expect, it } from 'vitest';
import { readStoredSession } from '../../scripts/lib/storedSession.mjs';
import { storedTabWriter } from '../../src/core/stored';
import { emptySession, type Connection, type Message, type Session } from '../../src/core/model';

const T0 = Date.UTC(2026, 11, 1, 10);
const message = (index: number, time: number): Message => ({ index, direction: index % 2 ? 'receive' : 'send', time, opcode: 1, size: 100, preview: 'x'.repeat(100), truncated: false });

function session(times: number[][]): Session {
  const s = { ...emptySession('tab-3', T0), pageUrl: 'http://127.0.0.1:8080/app' };
  s.connections = times.map((list, c): Connection => ({
    id: `d:${c}`,
    url: `ws://127.0.0.1:9/feed${c}`,
    protocols: [],
    frameUrl: s.pageUrl,
    frameId: 0,
    createdAt: T0,
    messages: list.map((time, i) => message(i, time)),
    close: { time: (list.at(-1) ?? T0) + 3000, code: 1006, reason: '', wasClean: false, initiator: 'abnormal' },
  } as Connection));
  return s;
}

function stored(s: Session): Record<string, unknown> {
  let n = 0;
  return storedTabWriter(3, () => `c${n++}`).write(s, {}).items;
}

describe('the demo reads the stored sessions', () => {
  it('finds the last message time of each connection, inline, in chunks, in whole microseconds or not', () => {
    const micros = (i: number) => Math.round((T0 + i * 7.3) * 1000) / 1000;
    const times = [
      [T0 + 1.5, T0 + 2.25],
      Array.from({ length: 5000 }, (_, i) => micros(i)),
      Array.from({ length: 5000 }, (_, i) => T0 + i * 7.3 + 1e-7),
      [],
    ];
    const s = session(times);
    const items = stored(s);
    // The test covers the stored forms it claims to: chunks, and inline messages.
    expect(Object.keys(items).some((key) => key !== 'tab:3')).toBe(true);
    const read = readStoredSession(items, 'http://127.0.0.1:8080/')!;
    expect(read.tabId).toBe(3);
    expect(read.session.pageUrl).toBe(s.pageUrl);
    expect(read.session.connections.map((c) => c.lastMessageAt)).toEqual(times.map((list) => list.at(-1)));
    expect(read.session.connections.map((c) => c.close!.time - c.lastMessageAt!).slice(0, 3)).toEqual([3000, 3000, 3000]);
  });

  it('finds no tab for another page', () => {
    expect(readStoredSession(stored(session([[T0]])), 'http://elsewhere/')).toBeUndefined();
  });
});
