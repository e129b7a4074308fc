// Times a page forged (a redefined toJSON pushed them to 1e19 ms) never reach
// the stored session: refused at ingest against the background's clock and
// the document's time origin, and counted.
import { describe, expect, it } from 'vitest';
import { Harness, T0, pageBatch } from './fakes';

describe('background: plausible times', () => {
  it('refuses and counts records from the far future, or older than their document', async () => {
    const h = new Harness(); // the fake clock reads T0
    const relay = h.relay(1);
    relay.hello('d1', { time: T0 - 10, timeOrigin: T0 - 1000 });
    relay.batch(
      'd1',
      pageBatch(
        1,
        [
          { k: 'create', at: 0, id: 1, time: T0 - 500, url: 'wss://app.example/ok', protocols: [] },
          { k: 'create', at: 0, id: 2, time: 1e19, url: 'wss://app.example/future', protocols: [] },
          { k: 'create', at: 0, id: 3, time: T0 - 3_600_000, url: 'wss://app.example/before-the-document', protocols: [] },
        ],
        [
          [1, 0, T0 - 400, 1, 1, 'a'],
          [1, 0, 1.7976931348623157e308, 1, 1, 'b'],
        ],
      ),
    );
    await h.flush();
    const stored = h.stored(1)!;
    expect(stored.connections.map((c) => c.url)).toEqual(['wss://app.example/ok']);
    expect(stored.connections[0].messages.map((m) => m.preview)).toEqual(['a']);
    expect(stored.dropped.rejected).toBe(3);
    expect(relay.acked('d1')).toBe(1);
  });
});
