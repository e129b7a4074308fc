// The background with webRequest (fakes.ts): handshakes observed through
// webRequest are written onto the hook's connections by the same path as a
// batch's delta (panels, storage), or the connection says why not.
import { describe, expect, it } from 'vitest';
import { Harness, T0, fakeWebRequest, pageBatch } from './fakes';
import type { PageRecord } from '../../../src/protocol/page';
import type { Connection } from '../../../src/core/model';

const URL1 = 'wss://app.example/ws';
const create = (id: number, time = T0 + 1, url = URL1): PageRecord => ({ k: 'create', at: 0, id, time, url, protocols: [] });
const open = (id: number, time: number): PageRecord => ({ k: 'open', at: 0, id, time, protocol: '', extensions: '' });

/** webRequest's events for one upgraded handshake through nginx, with a cookie and a token sub-protocol sent. */
function emit101(webRequest: ReturnType<typeof fakeWebRequest>, tabId = 1, requestId = 'r1', start = T0 + 3): void {
  const base = { requestId, url: URL1, tabId, frameId: 0 };
  webRequest.onBeforeRequest.emit({ ...base, timeStamp: start });
  webRequest.onSendHeaders.emit({
    ...base,
    timeStamp: start + 1,
    requestHeaders: [
      { name: 'Origin', value: 'https://app.example' },
      { name: 'Cookie', value: 'session=SECRET-COOKIE-VALUE' },
      { name: 'Authorization', value: 'Bearer SECRET-AUTH-VALUE' },
    ],
  });
  webRequest.onHeadersReceived.emit({
    ...base,
    timeStamp: start + 20,
    statusCode: 101,
    statusLine: 'HTTP/1.1 101 Switching Protocols',
    responseHeaders: [
      { name: 'Server', value: 'nginx/1.22.1' },
      { name: 'Upgrade', value: 'websocket' },
      { name: 'Set-Cookie', value: 'session=SECRET-SET-COOKIE' },
    ],
  });
}

describe('background: handshakes through webRequest', () => {
  it('writes a 101 observation onto the connection, sends it to panels and stores it, credentials never', async () => {
    const webRequest = fakeWebRequest();
    const h = new Harness({ webRequest });
    // Registered at start, synchronously, for websocket requests only.
    expect(webRequest.onBeforeRequest.listeners).toHaveLength(1);
    expect(webRequest.onHeadersReceived.listeners[0].filter).toEqual({ urls: ['<all_urls>'], types: ['websocket'] });
    expect(webRequest.onHeadersReceived.listeners[0].extraInfoSpec).toEqual(['responseHeaders', 'extraHeaders']);
    const panel = h.panel();
    panel.subscribe(1);
    const relay = h.relay(1);
    relay.hello('d1');
    await h.clock.advance(0);
    emit101(webRequest);
    relay.batch('d1', pageBatch(1, [create(1), open(1, T0 + 30)]));
    await h.flush();
    const stored = h.stored(1)!.connections[0];
    expect(stored.handshakeEvidence).toBe('matched');
    expect(stored.handshake).toMatchObject({ status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', startedAt: T0 + 3, respondedAt: T0 + 23 });
    expect(stored.handshake!.responseHeaders).toContainEqual({ name: 'Server', value: 'nginx/1.22.1' });
    // The panel got the same patch as a delta.
    const patches = panel.received.flatMap((message) => (message.kind === 'delta' ? (message.delta.connections ?? []) : []));
    expect(patches.some((patch) => patch.handshakeEvidence === 'matched' && patch.handshake?.status === 101)).toBe(true);
    const everything = JSON.stringify([h.browser.session.data.get('tab:1'), panel.received]);
    expect(everything).not.toMatch(/SECRET/);
    expect(everything).toContain('(value not recorded)');
  });

  it('reads unavailable when the browser gives no webRequest', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1), open(1, T0 + 30)]));
    await h.flush();
    const stored: Connection = h.stored(1)!.connections[0];
    expect(stored.handshakeEvidence).toBe('unavailable');
    expect(stored.handshake).toBeUndefined();
  });

  it('reads unavailable when the host permissions were withdrawn', async () => {
    const webRequest = fakeWebRequest();
    const h = new Harness({ webRequest, permissions: { contains: async () => false } });
    const relay = h.relay(1);
    relay.hello('d1');
    await h.clock.advance(0);
    relay.batch('d1', pageBatch(1, [create(1)]));
    await h.flush();
    expect(h.stored(1)!.connections[0].handshakeEvidence).toBe('unavailable');
  });

  it('reads unmatched once the window passed without an observation, and stops polling', async () => {
    const webRequest = fakeWebRequest();
    const h = new Harness({ webRequest });
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1), open(1, T0 + 30)]));
    await h.clock.advance(500);
    expect(h.stored(1)?.connections[0].handshakeEvidence).toBeUndefined();
    await h.flush(5000);
    expect(h.stored(1)!.connections[0].handshakeEvidence).toBe('unmatched');
    expect(h.clock.pending()).toBe(0);
  });

  it('matches an observation that comes after the batch, on the timer', async () => {
    const webRequest = fakeWebRequest();
    const h = new Harness({ webRequest });
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1)]));
    await h.clock.advance(10);
    emit101(webRequest);
    await h.flush();
    expect(h.stored(1)!.connections[0]).toMatchObject({ handshakeEvidence: 'matched', handshake: { status: 101 } });
  });

  it('forgets a closed tab\'s observations, and takes nothing more from its documents', async () => {
    // Forgetting is the observer's (handshakeObserver.test.ts); a document that speaks after its tab closed is ignored.
    const webRequest = fakeWebRequest();
    const h = new Harness({ webRequest });
    emit101(webRequest, 2);
    h.browser.onRemoved.emit(2);
    await h.clock.advance(0);
    const relay = h.relay(2);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [create(1), open(1, T0 + 30)]));
    await h.flush(5000);
    expect(h.stored(2)).toBeUndefined();
  });
});
