// Which documents the background tells to go live (docs/decisions.md, 74): those of a tab something reads (its
// panel, the popup on it, a recording or a policy on it), or every tab with the "Every tab live" setting; each
// document once per Port, again on the Port it opens after the worker restarted.
import { describe, expect, it } from 'vitest';
import { panelPortName, type BackgroundToRelay } from '../../../src/protocol/messages';
import { EXTENSION_ID, EXTENSION_ORIGIN, Harness, type RelayEnd } from './fakes';

/** The documents told `live` on this relay's Port, in order. */
const told = (relay: RelayEnd) => (relay.port.received as BackgroundToRelay[]).filter((m) => m.kind === 'live').map((m) => m.kind === 'live' && m.docId);
/** Every `live` and `held` on this relay's Port, in order (decision 77). */
const switches = (relay: RelayEnd) => (relay.port.received as BackgroundToRelay[]).flatMap((m) => (m.kind === 'live' || m.kind === 'held' ? [`${m.kind} ${m.docId}`] : []));

describe('background: live tabs', () => {
  it('tells only the documents of the tab a panel reads, at their hello or when the panel subscribes', async () => {
    const h = new Harness();
    const a = h.relay(1);
    const b = h.relay(2);
    a.hello('a1', { deferred: true });
    b.hello('b1', { deferred: true });
    await h.flush();
    expect(told(a)).toEqual([]);
    const panel = h.panel();
    panel.subscribe(1);
    await h.flush();
    expect(told(a)).toEqual(['a1']);
    expect(told(b), 'a panel on tab 1 does not read tab 2').toEqual([]);
    // A new document of the read tab is told at its hello; of the other tab, not.
    const a2 = h.relay(1);
    a2.hello('a2');
    h.relay(2).hello('b2');
    await h.flush();
    expect(told(a2)).toEqual(['a2']);
    expect(told(a), 'once per Port').toEqual(['a1']);
    // The panel moves to tab 2: tab 2's documents go live (tab 1's stay live in their pages).
    panel.subscribe(2);
    await h.flush();
    expect(told(b)).toEqual(['b1']);
  });

  it('reads the popup\'s tab while its Port is open, and a recording\'s or a policy\'s tab', async () => {
    const h = new Harness();
    const relays = [1, 2, 3].map((tab) => h.relay(tab));
    relays.forEach((relay, i) => relay.hello(`d${i + 1}`, { deferred: true }));
    await h.flush();
    const popup = h.panel({ id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` }, panelPortName(1));
    await h.flush();
    expect(relays.map(told), 'its Port names the tab').toEqual([['d1'], [], []]);
    await h.browser.onMessage.emit({ kind: 'record-start', tabId: 2, name: 'Checkout' }, { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` })[0];
    await h.flush();
    expect(relays.map(told)).toEqual([['d1'], ['d2'], []]);
    popup.send({ kind: 'sim-policy', tabId: 3, policy: { kind: 'idle', ms: 2000, basis: 'any', endpoint: '', keep: false } });
    await h.flush();
    expect(relays.map(told)).toEqual([['d1'], ['d2'], ['d3']]);
  });

  it('tells every document with "Every tab live", and a document again on its new Port after the worker restarted', async () => {
    const h = new Harness();
    const a = h.relay(1);
    a.hello('a1', { deferred: true });
    await h.flush();
    expect(told(a)).toEqual([]);
    h.panel().send({ kind: 'settings', settings: { everyTabLive: true } });
    await h.flush();
    expect(told(a)).toEqual(['a1']);
    const b = h.relay(7);
    b.hello('b1');
    await h.flush();
    expect(told(b)).toEqual(['b1']);
    // The same document's relay on a new Port (its old one closed by the worker's stop): told again there.
    const again = h.relay(1);
    again.hello('a1', { deferred: true });
    await h.flush();
    expect(told(again)).toEqual(['a1']);
  });

  it('reads a panel\'s tab from its Port\'s name, before it subscribes, until it disconnects', async () => {
    const h = new Harness();
    const a = h.relay(1);
    a.hello('a1', { deferred: true });
    await h.flush();
    const panel = h.panel(undefined, panelPortName(1));
    await h.flush();
    expect(told(a)).toEqual(['a1']);
    panel.port.disconnect();
    await h.flush();
    const next = h.relay(1);
    next.hello('a2');
    await h.flush();
    expect(told(next), 'nothing reads tab 1 any more').toEqual([]);
  });

  it('tells a document to hold again once nothing reads its tab: its panel closed or moved, a recording ended, the setting off (decision 77)', async () => {
    const h = new Harness();
    const a = h.relay(1);
    const b = h.relay(2);
    a.hello('a1', { deferred: true });
    b.hello('b1', { deferred: true });
    const panel = h.panel();
    panel.subscribe(1);
    await h.flush();
    expect(switches(a)).toEqual(['live a1']);
    // The panel moves to tab 2: tab 1's document holds again, tab 2's goes live.
    panel.subscribe(2);
    await h.flush();
    expect(switches(a)).toEqual(['live a1', 'held a1']);
    expect(switches(b)).toEqual(['live b1']);
    // A recording on tab 2 keeps it read after its panel closes; its end does not.
    await h.browser.onMessage.emit({ kind: 'record-start', tabId: 2, name: 'Checkout' }, { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` })[0];
    panel.port.disconnect();
    await h.flush();
    expect(switches(b), 'the recording still reads it').toEqual(['live b1']);
    await h.browser.onMessage.emit({ kind: 'record-stop', tabId: 2 }, { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` })[0];
    await h.flush();
    expect(switches(b)).toEqual(['live b1', 'held b1']);
    // Every tab live, then off: live, then held again, once each.
    const settingsPanel = h.panel();
    settingsPanel.send({ kind: 'settings', settings: { everyTabLive: true } });
    await h.flush();
    settingsPanel.send({ kind: 'settings', settings: { everyTabLive: false } });
    await h.flush();
    expect(switches(a)).toEqual(['live a1', 'held a1', 'live a1', 'held a1']);
    expect(switches(b)).toEqual(['live b1', 'held b1', 'live b1', 'held b1']);
  });

  it('tells a document to hold again when its tab\'s panel closes (DevTools closed), and live again when one opens', async () => {
    const h = new Harness();
    const a = h.relay(1);
    a.hello('a1', { deferred: true });
    const first = h.panel(undefined, panelPortName(1));
    await h.flush();
    first.port.disconnect();
    await h.flush();
    expect(switches(a)).toEqual(['live a1', 'held a1']);
    h.panel(undefined, panelPortName(1));
    await h.flush();
    expect(switches(a)).toEqual(['live a1', 'held a1', 'live a1']);
  });

  it('tells a document live since an earlier worker to hold, from its hello, when nothing reads its tab now', async () => {
    const h = new Harness();
    const a = h.relay(1);
    a.send({ kind: 'hello', v: 1, docId: 'a1', frameUrl: 'https://app.example/', top: true, time: 1_790_000_000_000, webdriver: false, live: true });
    const b = h.relay(2);
    b.send({ kind: 'hello', v: 1, docId: 'b1', frameUrl: 'https://app.example/', top: true, time: 1_790_000_000_000, webdriver: false, live: true });
    h.panel(undefined, panelPortName(2));
    await h.flush();
    expect(switches(a)).toEqual(['held a1']);
    expect(switches(b), 'read: already live, nothing to tell').toEqual([]);
  });

  it('tells nothing when nothing reads, and takes a Port name without a tab id, or a bad setting, for nothing', async () => {
    const h = new Harness();
    const a = h.relay(0);
    a.hello('a1', { deferred: true });
    h.panel({ id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/popup/index.html` }, 'socketscope-panel:1.5');
    h.panel(undefined, 'socketscope-panel:one');
    h.panel(undefined, 'socketscope-panel:');
    h.panel(undefined, 'socketscope-panel:-1');
    h.panel().send({ kind: 'settings', settings: { everyTabLive: 'yes' } as never });
    await h.flush();
    expect(told(a)).toEqual([]);
  });
});
