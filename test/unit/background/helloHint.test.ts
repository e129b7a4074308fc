// The hello hint (HELLO_AT_ONCE_KEY in storage.local, docs/decisions.md 71): set while a new top document's hello
// matters at once (a panel open, a recording, a policy, a preview bound other than the default), removed otherwise;
// and a hello sent with a document's first batch puts its navigation at the document's time origin.
import { describe, expect, it } from 'vitest';
import { HELLO_AT_ONCE_KEY, PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { EXTENSION_ID, EXTENSION_ORIGIN, FakeStorage, Harness, T0 } from './fakes';

const hint = (h: Harness) => h.browser.local.data.get(HELLO_AT_ONCE_KEY);

describe('background: the hello hint', () => {
  it('is set while a panel is connected, and removed when the last one goes', async () => {
    const h = new Harness();
    await h.flush();
    expect(hint(h)).toBeUndefined();
    const one = h.panel();
    const two = h.panel();
    await h.flush();
    expect(hint(h)).toBe(true);
    one.port.disconnect();
    await h.flush();
    expect(hint(h), 'one panel is still open').toBe(true);
    two.port.disconnect();
    await h.flush();
    expect(hint(h)).toBeUndefined();
  });

  it('writes the key again at the next change after a failed write', async () => {
    const h = new Harness();
    await h.flush();
    h.browser.local.failNextSets = 1;
    h.panel();
    await h.flush();
    expect(hint(h), 'the write failed').toBeUndefined();
    h.panel();
    await h.flush();
    expect(hint(h)).toBe(true);
  });

  it('is set while a tab records, and while a policy is on, until the document it belongs to goes', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    await h.flush();
    const own = { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` };
    await h.browser.onMessage.emit({ kind: 'record-start', tabId: 1, name: 'Checkout' }, own)[0];
    await h.flush();
    expect(hint(h)).toBe(true);
    await h.browser.onMessage.emit({ kind: 'record-stop', tabId: 1 }, own)[0];
    await h.flush();
    expect(hint(h)).toBeUndefined();

    const panel = h.panel();
    panel.send({ kind: 'sim-policy', tabId: 1, policy: { kind: 'idle', ms: 2000, basis: 'any', endpoint: '', keep: false } });
    await h.flush();
    panel.port.disconnect();
    await h.flush();
    expect(hint(h), 'the policy needs the next document to say hello at once').toBe(true);
    // The policy ends with its document (not kept across reloads): the new top document's hello ends it.
    h.relay(1).hello('d2');
    await h.flush();
    expect(hint(h)).toBeUndefined();
  });

  it('is set by a preview bound other than the default, and cleared at start-up when nothing needs it', async () => {
    const local = new FakeStorage();
    local.data.set('settings', { previewBytes: 1024 });
    const h = new Harness({ local });
    await h.flush();
    expect(hint(h)).toBe(true);

    const stale = new FakeStorage();
    stale.data.set(HELLO_AT_ONCE_KEY, true); // left by a worker that stopped with a panel open
    const restarted = new Harness({ local: stale });
    await restarted.flush();
    expect(hint(restarted)).toBeUndefined();
  });

  it('puts a deferred hello\'s navigation at the document\'s time origin, an immediate one at its time', async () => {
    const h = new Harness();
    h.relay(1).hello('d1', { time: T0, timeOrigin: T0 - 100 });
    await h.flush();
    h.relay(1).hello('d2', { time: T0 + 10_000, timeOrigin: T0 + 9_000 });
    await h.flush();
    h.relay(1).send({ kind: 'hello', v: PROTOCOL_VERSION, docId: 'd3', frameUrl: 'https://app.example/late', top: true, time: T0 + 30_000, timeOrigin: T0 + 20_000, webdriver: false, deferred: true });
    await h.flush();
    expect(h.stored(1)?.pageEvents.filter((e) => e.type === 'navigation').map((e) => e.time)).toEqual([T0 + 10_000, T0 + 20_000]);
  });
});
