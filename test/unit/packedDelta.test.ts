// A panel's snapshots and deltas travel with their messages in columns (docs/decisions.md, 83): packSession and
// packDelta on the background's side, unpackSession and unpackDelta (or applyDelta, which takes both) on the panel's.
// Nothing may be lost or changed on the way.
import { describe, expect, it } from 'vitest';
import { applyDelta, packDelta, packSession, unpackDelta, unpackSession, type SessionDelta } from '../../src/core/delta';
import { emptySession, type Message } from '../../src/core/model';
import type { BackgroundToPanel } from '../../src/protocol/messages';
import { Harness, T0, pageBatch } from './background/fakes';

const text = (index: number, extra: Partial<Message> = {}): Message => ({ index, direction: index % 2 ? 'receive' : 'send', time: T0 + index * 1.5, opcode: 1, size: 10 + index, preview: `{"n":${index},"s":"é\\"<b>"}`, truncated: false, ...extra });

function fullDelta(): SessionDelta {
  return {
    connections: [
      { id: 'd:1', frameId: 0, frameUrl: 'https://x/', url: 'wss://x/feed', protocols: ['v1'], createdAt: T0, openedAt: T0 + 1 },
      { id: 'd:2', url: 'https://x/events', kind: 'eventsource', createdAt: T0 + 2 },
    ],
    messages: [
      {
        connectionId: 'd:1',
        messages: [
          text(0),
          text(1, { truncated: true, heartbeat: 'ping' }),
          text(2, { evicted: true, preview: '', heartbeat: 'pong' }),
          text(3, { opcode: 2, preview: 'AAEC/w==', size: 70_000, truncated: true }),
          text(4, { simulated: true }),
          // Not consecutive (a cap dropped some), and a time that is not a whole microsecond (an import).
          text(9, { time: T0 + 1 / 3 }),
        ],
      },
      {
        connectionId: 'd:2',
        messages: [
          { ...text(0), direction: 'receive', event: 'message', lastEventId: '' },
          { ...text(1), event: 'tick', lastEventId: '42' },
        ],
      },
      { connectionId: 'd:3', messages: [] },
    ],
    pageEvents: [{ type: 'offline', time: T0 + 5 }],
    notes: [{ id: 'n1', time: T0 + 6, text: 'a note' }],
    dropped: { messages: 3, previews: 1 },
    evict: { pageEvents: 1 },
    pageUrl: 'https://x/page',
  };
}

describe('packed deltas (a panel\'s deltas in columns)', () => {
  it('round-trips every message field, and the rest of the delta, exactly; the delta itself is left as it was', () => {
    const delta = fullDelta();
    const before = structuredClone(delta);
    const packed = packDelta(delta);
    expect(delta).toEqual(before);
    expect(packed.messages).toBeUndefined();
    expect(packed.packed?.map((group) => group.connectionId)).toEqual(['d:1', 'd:2', 'd:3']);
    // Through a Port, as JSON: no object per message, and smaller.
    const wire = JSON.parse(JSON.stringify(packed)) as SessionDelta;
    expect(JSON.stringify(wire)).not.toContain('"direction"');
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(delta).length);
    expect(unpackDelta(wire)).toEqual(delta);
  });

  it('leaves a delta without messages as it is, both ways', () => {
    const delta: SessionDelta = { pageEvents: [{ type: 'online', time: T0 }] };
    expect(packDelta(delta)).toBe(delta);
    expect(unpackDelta(delta)).toBe(delta);
  });

  it('applies the same either way: applyDelta takes a packed delta as the panel receives it', () => {
    const plain = emptySession('s', T0);
    const fromWire = emptySession('s', T0);
    applyDelta(plain, fullDelta());
    applyDelta(fromWire, JSON.parse(JSON.stringify(packDelta(fullDelta()))) as SessionDelta);
    expect(fromWire).toEqual(plain);
    expect(plain.connections[0].messages).toHaveLength(6);
  });

  it('is what the background posts to a panel: messages in columns, never as objects', async () => {
    const h = new Harness();
    const panel = h.panel();
    panel.subscribe(1);
    const relay = h.relay(1);
    relay.hello('d1');
    await h.flush();
    relay.batch('d1', pageBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 1, url: 'wss://app.example/ws', protocols: [] }], [[1, 1, T0 + 2, 1, 5, 'hello'], [1, 0, T0 + 3, 1, 5, 'world']]));
    await h.flush();
    const deltas = panel.received.flatMap((message: BackgroundToPanel) => (message.kind === 'delta' ? [message.delta] : message.kind === 'deltas' ? message.deltas : []));
    const withMessages = deltas.filter((delta) => delta.packed?.length);
    expect(withMessages.length).toBeGreaterThan(0);
    expect(deltas.every((delta) => delta.messages === undefined)).toBe(true);
    const received = withMessages.flatMap((delta) => unpackDelta(delta).messages!.flatMap((group) => group.messages));
    expect(received.map((m) => [m.direction, m.preview])).toEqual([
      ['receive', 'hello'],
      ['send', 'world'],
    ]);
    expect(received).toEqual(h.stored(1)?.connections[0].messages);
  });

  it('packs a snapshot\'s session the same way: a copy without messages and their columns beside it, the tab\'s own unchanged', () => {
    const session = emptySession('s', T0);
    applyDelta(session, fullDelta());
    const before = structuredClone(session);
    const { session: bare, packed } = packSession(session);
    expect(session).toEqual(before);
    expect(bare.connections.every((connection) => connection.messages.length === 0)).toBe(true);
    expect(packed.map((group) => group.at)).toEqual([0, 1]);
    const wire = JSON.parse(JSON.stringify({ session: bare, packed })) as { session: typeof session; packed: typeof packed };
    expect(JSON.stringify(wire)).not.toContain('"direction"');
    expect(unpackSession(wire.session, wire.packed)).toEqual(before);
    // A snapshot without columns (an older sender, the panel bench's stand-in) is taken as it is.
    expect(unpackSession(before, undefined)).toBe(before);
  });

  it('is what a panel gets when it subscribes: the session\'s messages in columns, as stored', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    await h.flush();
    relay.batch('d1', pageBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 1, url: 'wss://app.example/ws', protocols: [] }], [[1, 1, T0 + 2, 1, 5, 'hello']]));
    await h.flush();
    const panel = h.panel();
    panel.subscribe(1);
    await h.flush();
    const snapshot = panel.received.find((message: BackgroundToPanel) => message.kind === 'snapshot');
    if (snapshot?.kind !== 'snapshot') throw new Error('no snapshot');
    expect(snapshot.session.connections[0].messages).toEqual([]);
    expect(snapshot.packed).toHaveLength(1);
    expect(unpackSession(structuredClone(snapshot.session), snapshot.packed)).toEqual(h.stored(1));
    expect(h.stored(1)?.connections[0].messages.map((m) => m.preview)).toEqual(['hello']);
  });
});
