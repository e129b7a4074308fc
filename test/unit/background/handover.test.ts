// A relay's message of several batches (a hand-over of what a document held, or a resend after the worker's stop):
// each batch is taken as if it came alone, and each panel of the tab gets one message of deltas, in order, which
// rebuilds exactly what the background stored, evictions within the hand-over included (docs/decisions.md, 76).
import { describe, expect, it } from 'vitest';
import { applyDelta, unpackSession } from '../../../src/core/delta';
import type { Session } from '../../../src/core/model';
import type { BackgroundToPanel, RelayToBackground } from '../../../src/protocol/messages';
import type { PageBatch, PageRecord } from '../../../src/protocol/page';
import { Harness, T0, pageBatch, type PanelEnd } from './fakes';

const create = (id: number): PageRecord => ({ k: 'create', at: 0, id, time: T0 + 1, url: `wss://app.example/ws${id}`, protocols: [] });
/** A connection's open and ten messages of 3,000 characters: over a 20,000-byte tab cap, so the oldest previews go. */
const batches = (): PageBatch[] => [pageBatch(1, [create(1)]), ...Array.from({ length: 10 }, (_, i) => pageBatch(i + 2, [], [[1, 1, T0 + i + 2, 1, 3000, String(i).repeat(3000)]]))];

/** The session a panel holds: its snapshot, then every delta in order (copies: applying empties evicted previews in place). */
function panelView(panel: PanelEnd): Session {
  let session: Session | undefined;
  for (const message of structuredClone(panel.received)) {
    if (message.kind === 'snapshot') session = unpackSession(message.session, message.packed);
    else if (message.kind === 'delta') applyDelta(session!, message.delta);
    else if (message.kind === 'deltas') for (const delta of message.deltas) applyDelta(session!, delta);
  }
  return session!;
}

/** The kinds of the delta messages a panel got from the `from`th message on. */
const kinds = (panel: PanelEnd, from: number) =>
  panel.received
    .slice(from)
    .map((m: BackgroundToPanel) => m.kind)
    .filter((kind) => kind === 'delta' || kind === 'deltas');
const messagesOf = (session: Session | undefined) => session?.connections[0]?.messages.map((m) => ({ preview: m.preview, evicted: m.evicted === true }));

async function deliver(as: 'one message' | 'one by one', mutate?: (message: Extract<RelayToBackground, { kind: 'batches' }>) => void) {
  const h = new Harness();
  const panel = h.panel();
  panel.send({ kind: 'settings', settings: { caps: { maxTabBytes: 20_000, maxTotalBytes: 100_000 } } });
  panel.subscribe(1);
  const relay = h.relay(1);
  relay.hello('d1');
  await h.flush();
  const before = panel.received.length;
  const list = batches();
  if (as === 'one by one') for (const batch of list) relay.batch('d1', batch);
  else {
    const message: Extract<RelayToBackground, { kind: 'batches' }> = { kind: 'batches', docId: 'd1', batches: list.map((batch) => ({ seq: batch.seq, json: JSON.stringify(batch) })) };
    mutate?.(message);
    relay.send(message);
  }
  await h.flush();
  return { h, panel, relay, before };
}

describe('background: a hand-over of several batches', () => {
  it('stores them as if they came one by one, acknowledges the last, and sends each panel one message that rebuilds what it stored', async () => {
    const single = await deliver('one by one');
    const together = await deliver('one message');
    expect(single.h.stored(1)?.dropped.previews, 'the cap evicts within the hand-over').toBeGreaterThan(0);
    expect(messagesOf(together.h.stored(1))).toEqual(messagesOf(single.h.stored(1)));
    expect(together.h.stored(1)?.dropped).toEqual(single.h.stored(1)?.dropped);
    expect(together.relay.acked('d1')).toBe(11);
    expect(kinds(single.panel, single.before).length, 'one message per batch (and per eviction)').toBeGreaterThanOrEqual(11);
    expect(kinds(together.panel, together.before)).toEqual(['deltas']);
    const deltas = together.panel.received.find((m) => m.kind === 'deltas');
    expect(deltas?.kind === 'deltas' && deltas.deltas.length).toBeGreaterThanOrEqual(11);
    // Each delta as it was when made: a later eviction in the same message did not empty the previews it carries.
    expect(messagesOf(panelView(together.panel))).toEqual(messagesOf(together.h.stored(1)));
    expect(panelView(together.panel).dropped).toEqual(together.h.stored(1)?.dropped);
  });

  it('skips items that are not batches, counts the seqs they leave out as lost, and takes the rest', async () => {
    const { h, panel } = await deliver('one message', (message) => {
      const items = message.batches as unknown[];
      items[3] = null;
      items[4] = { seq: '5', json: items[4] && (items[4] as { json: string }).json };
      items[5] = { seq: 6, json: 42 };
    });
    const stored = h.stored(1)!;
    expect(stored.dropped.lostBatches).toBe(3);
    expect(stored.connections[0].messages.length).toBe(7);
    expect(messagesOf(panelView(panel))).toEqual(messagesOf(stored));
  });

  it('ignores a message whose batches are not a list', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.send({ kind: 'batches', docId: 'd1', batches: 'nope' } as unknown as RelayToBackground);
    relay.send({ kind: 'batches', docId: 7, batches: [] } as unknown as RelayToBackground);
    relay.batch('d1', pageBatch(1, [create(1)]));
    await h.flush();
    expect(h.stored(1)?.connections.length).toBe(1);
    expect(relay.acked('d1')).toBe(1);
  });
});
