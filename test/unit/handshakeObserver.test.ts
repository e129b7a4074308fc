import { describe, expect, it } from 'vitest';
import { createHandshakeObserver, handshakeDelta, type WebRequestEventLike, type WebRequestLike } from '../../src/background/handshakes';
import { applyDelta } from '../../src/core/delta';
import type { WebRequestDetails } from '../../src/core/handshakeMatch';
import type { Session } from '../../src/core/model';
import { HEADER_VALUE_NOT_RECORDED } from '../../src/core/headers';
import { addConnection, session, T0 } from './helpers/synth';

type Listener = (details: WebRequestDetails) => void;

class FakeEvent implements WebRequestEventLike {
  listeners: Listener[] = [];
  specs: Array<string[] | undefined> = [];
  constructor(private readonly rejectExtraHeaders = false) {}
  addListener(listener: Listener, filter: { urls: string[]; types?: string[] }, extraInfoSpec?: string[]): void {
    if (this.rejectExtraHeaders && extraInfoSpec?.includes('extraHeaders')) throw new Error('Invalid enumeration value "extraHeaders"');
    expect(filter).toEqual({ urls: ['<all_urls>'], types: ['websocket'] });
    this.listeners.push(listener);
    this.specs.push(extraInfoSpec);
  }
  removeListener(listener: Listener): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
  fire(details: WebRequestDetails): void {
    this.listeners.forEach((listener) => listener(details));
  }
}

function fakeWebRequest(firefox = false) {
  return {
    onBeforeRequest: new FakeEvent(firefox),
    onSendHeaders: new FakeEvent(firefox),
    onHeadersReceived: new FakeEvent(firefox),
    onResponseStarted: new FakeEvent(firefox),
    onCompleted: new FakeEvent(firefox),
    onErrorOccurred: new FakeEvent(firefox),
  } satisfies WebRequestLike;
}

const TAB = 3;

/** What the background does with the delta: apply it to its copy (and send it to the panels); the changed ids. */
function applyHandshakes(s: Session, observer: ReturnType<typeof createHandshakeObserver>, now: number): string[] {
  const delta = handshakeDelta(s, observer, now);
  if (!delta) return [];
  applyDelta(s, delta);
  return (delta.connections ?? []).map((patch) => patch.id);
}
const URL = 'wss://app.example/ws';

describe('handshake observer (background)', () => {
  it('collects a handshake, keeps cookie names only, and writes it onto the matching connection', () => {
    const api = fakeWebRequest();
    const seen: number[] = [];
    const observer = createHandshakeObserver(api, { onObservation: (tabId) => seen.push(tabId) });
    expect(observer.available).toBe(true);
    expect(api.onSendHeaders.specs[0]).toEqual(['requestHeaders', 'extraHeaders']);
    const base = { requestId: '9', url: URL, tabId: TAB, frameId: 0 };
    api.onBeforeRequest.fire({ ...base, timeStamp: T0 + 3 });
    api.onSendHeaders.fire({ ...base, timeStamp: T0 + 4, requestHeaders: [{ name: 'Cookie', value: 'sid=secret' }] });
    api.onHeadersReceived.fire({
      ...base,
      timeStamp: T0 + 40,
      statusCode: 101,
      statusLine: 'HTTP/1.1 101 Switching Protocols',
      responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }],
    });
    api.onBeforeRequest.fire({ ...base, requestId: 'x', tabId: -1, timeStamp: T0 }); // not a tab's request
    expect(seen).toEqual([TAB, TAB, TAB]);
    expect(JSON.stringify(observer.observations(TAB))).not.toContain('secret');

    const s = session();
    s.tabId = TAB;
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    expect(applyHandshakes(s, observer, T0 + 100)).toEqual([connection.id]);
    expect(connection.handshakeEvidence).toBe('matched');
    expect(connection.handshake).toMatchObject({
      status: 101,
      statusText: 'Switching Protocols',
      requestHeaders: [{ name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED }],
      responseHeaders: [{ name: 'Server', value: 'nginx/1.22.1' }],
      startedAt: T0 + 3,
      respondedAt: T0 + 40,
    });
    expect(observer.observations(TAB)).toEqual([]);
    expect(applyHandshakes(s, observer, T0 + 200)).toEqual([]);
  });

  it('waits for the answer, then says unmatched once the window has passed', () => {
    const api = fakeWebRequest();
    const observer = createHandshakeObserver(api);
    const s = session();
    s.tabId = TAB;
    const connection = addConnection(s, { url: URL, createdAt: T0, openDelayMs: null });
    api.onBeforeRequest.fire({ requestId: '1', url: 'wss://other.example/', tabId: TAB, frameId: 0, timeStamp: T0 + 2 });
    expect(applyHandshakes(s, observer, T0 + 500)).toEqual([]);
    expect(connection.handshakeEvidence).toBeUndefined();
    expect(applyHandshakes(s, observer, T0 + 10_000)).toEqual([connection.id]);
    expect(connection.handshakeEvidence).toBe('unmatched');
  });

  it("records a network error (Firefox: no 'extraHeaders')", () => {
    const api = fakeWebRequest(true);
    const observer = createHandshakeObserver(api);
    expect(observer.available).toBe(true);
    expect(api.onSendHeaders.specs[0]).toEqual(['requestHeaders']);
    api.onBeforeRequest.fire({ requestId: '5', url: 'https://app.example/ws', tabId: TAB, frameId: 0, timeStamp: T0 + 1 });
    api.onErrorOccurred.fire({ requestId: '5', url: 'https://app.example/ws', tabId: TAB, frameId: 0, timeStamp: T0 + 9, error: 'NS_ERROR_CONNECTION_REFUSED' });
    const s = session();
    s.tabId = TAB;
    const connection = addConnection(s, { url: URL, createdAt: T0, openDelayMs: null });
    applyHandshakes(s, observer, T0 + 50);
    expect(connection.handshake).toMatchObject({ status: 0, error: 'NS_ERROR_CONNECTION_REFUSED' });
  });

  it('is unavailable without webRequest, bounded per tab, and stops cleanly', () => {
    const none = createHandshakeObserver(undefined);
    expect(none.available).toBe(false);
    const s = session();
    s.tabId = TAB;
    const connection = addConnection(s, { url: URL, createdAt: T0 });
    applyHandshakes(s, none, T0 + 10);
    expect(connection.handshakeEvidence).toBe('unavailable');

    const api = fakeWebRequest();
    const observer = createHandshakeObserver(api, { maxPerTab: 3 });
    for (let i = 0; i < 5; i++) api.onBeforeRequest.fire({ requestId: String(i), url: URL, tabId: TAB, frameId: 0, timeStamp: T0 + i });
    expect(observer.observations(TAB).map((o) => o.requestId)).toEqual(['2', '3', '4']);
    observer.forgetTab(TAB);
    expect(observer.observations(TAB)).toEqual([]);
    observer.stop();
    expect(api.onBeforeRequest.listeners).toHaveLength(0);
  });
});
