// The panel port serves whole sessions and takes commands (clear, settings,
// recording): only our own extension pages may use it.
import { describe, expect, it } from 'vitest';
import { EXTENSION_ID, EXTENSION_ORIGIN, Harness, T0, pageBatch } from './fakes';

async function tabWithOneConnection(): Promise<Harness> {
  const h = new Harness();
  const relay = h.relay(1);
  relay.hello('d1');
  relay.batch('d1', pageBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 1, url: 'wss://app.example/secret', protocols: [] }]));
  await h.flush();
  return h;
}

describe('background: panel port sender', () => {
  it.each([
    ['a content script (a web page)', { id: EXTENSION_ID, url: 'https://evil.example/', tab: { id: 2 }, frameId: 0 }],
    ['another extension', { id: 'other-extension', url: 'chrome-extension://other-extension/page.html' }],
    ['our id with a foreign URL', { id: EXTENSION_ID, url: 'https://evil.example/chrome-extension://' }],
    ['no sender details', {}],
  ])('refuses %s: no snapshot, no clear', async (_name, sender) => {
    const h = await tabWithOneConnection();
    const panel = h.panel(sender);
    await h.flush();
    expect(panel.port.connected).toBe(false); // disconnected at once
    // Even if a message got through before the disconnect, it is ignored.
    panel.port.connected = panel.port.other.connected = true;
    panel.subscribe(1);
    panel.send({ kind: 'clear', tabId: 1 });
    await h.flush();
    expect(panel.received).toEqual([]);
    expect(h.stored(1)?.connections.length).toBe(1);
  });

  it('serves our own panel page', async () => {
    const h = await tabWithOneConnection();
    const panel = h.panel({ id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/panel/index.html?tabId=1` });
    panel.subscribe(1);
    await h.flush();
    const snapshot = panel.received.find((m) => m.kind === 'snapshot');
    expect(snapshot?.kind === 'snapshot' && snapshot.session.connections[0].url).toBe('wss://app.example/secret');
  });
});
