// The background's view of WebSocket handshakes, through webRequest (observe
// only, type 'websocket'): status, headers (credential values dropped at
// once), remote IP, timings. Collected per tab, then matched to the hook's
// connections by src/core/handshakeMatch.ts and written onto them.
//
// The webRequest API is passed in (browser.webRequest, or undefined when the
// browser or the permissions lack it), so this module runs in node tests.
// Wiring (src/background/index.ts): create the observer synchronously at the
// top level of the service worker (listeners registered later miss the events
// that woke it), call handshakeDelta(session, observer, Date.now()) after
// each relay batch and on a short timer (~1 s) while connections are pending,
// apply and broadcast the delta like a batch's, and forgetTab on tab removal. Manifest: "webRequest" permission and host
// permissions for the pages' socket hosts ("<all_urls>").

import {
  mergeObservation,
  resolveHandshakes,
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_MATCH_WINDOW_MS,
  type HandshakeObservation,
  type WebRequestDetails,
} from '../core/handshakeMatch';
import type { ConnectionPatch, SessionDelta } from '../core/delta';
import type { Session } from '../core/model';

type Listener = (details: WebRequestDetails) => void;

/** The part of a webRequest event used here (browser.webRequest.onX). */
export interface WebRequestEventLike {
  addListener(listener: Listener, filter: { urls: string[]; types?: string[] }, extraInfoSpec?: string[]): void;
  removeListener(listener: Listener): void;
}

export interface WebRequestLike {
  onBeforeRequest: WebRequestEventLike;
  onSendHeaders: WebRequestEventLike;
  onHeadersReceived: WebRequestEventLike;
  onResponseStarted?: WebRequestEventLike;
  onCompleted: WebRequestEventLike;
  onErrorOccurred: WebRequestEventLike;
}

export interface HandshakeObserverOptions {
  /** Observations kept per tab (oldest dropped first). Default 500. */
  maxPerTab?: number;
  /** Observations older than this are dropped (matching happens within seconds). Default 5 min. */
  maxAgeMs?: number;
  /** Called after each event, e.g. to schedule applyHandshakes for the tab. */
  onObservation?: (tabId: number, observation: HandshakeObservation) => void;
}

export interface HandshakeObserver {
  /** False when there is no webRequest API (or registering failed): handshakes are 'unavailable'. */
  readonly available: boolean;
  /** This tab's observations not yet used, oldest first. */
  observations(tabId: number): HandshakeObservation[];
  /** Drops observations already written onto connections. */
  release(tabId: number, requestIds: Iterable<string>): void;
  forgetTab(tabId: number): void;
  /** Removes the listeners. */
  stop(): void;
}

const FILTER = { urls: ['<all_urls>'], types: ['websocket'] };

/**
 * Registers a listener, asking for headers. Chrome hides Cookie and Set-Cookie
 * unless 'extraHeaders' is given (we keep their names only); Firefox does not
 * know 'extraHeaders' and throws, so retry without it.
 */
function listen(event: WebRequestEventLike | undefined, listener: Listener, spec: string[]): boolean {
  if (!event) return false;
  for (const extraInfoSpec of spec.length ? [[...spec, 'extraHeaders'], spec] : [undefined]) {
    try {
      event.addListener(listener, FILTER, extraInfoSpec);
      return true;
    } catch {
      // try the next spelling
    }
  }
  return false;
}

export function createHandshakeObserver(webRequest: WebRequestLike | undefined, options: HandshakeObserverOptions = {}): HandshakeObserver {
  const maxPerTab = options.maxPerTab ?? 500;
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const byTab = new Map<number, Map<string, HandshakeObservation>>();

  const onEvent: Listener = (details) => {
    if (typeof details.tabId !== 'number' || details.tabId < 0) return; // not a tab's request (a worker of the extension, a prefetch)
    let requests = byTab.get(details.tabId);
    if (!requests) byTab.set(details.tabId, (requests = new Map()));
    const observation = mergeObservation(requests.get(details.requestId), details);
    requests.delete(details.requestId); // re-insert: the Map stays in order of last activity
    requests.set(details.requestId, observation);
    for (const [requestId, old] of requests) {
      if (requests.size <= maxPerTab && details.timeStamp - old.timeStamp <= maxAgeMs) break;
      requests.delete(requestId);
    }
    options.onObservation?.(details.tabId, observation);
  };

  const registered: WebRequestEventLike[] = [];
  const register = (event: WebRequestEventLike | undefined, spec: string[]): boolean => {
    const ok = listen(event, onEvent, spec);
    if (ok && event) registered.push(event);
    return ok;
  };
  const available =
    webRequest !== undefined &&
    register(webRequest.onBeforeRequest, []) &&
    [
      register(webRequest.onSendHeaders, ['requestHeaders']),
      register(webRequest.onHeadersReceived, ['responseHeaders']),
      register(webRequest.onResponseStarted, ['responseHeaders']),
      register(webRequest.onCompleted, ['responseHeaders']),
      register(webRequest.onErrorOccurred, []),
    ].some(Boolean);

  return {
    available,
    observations(tabId) {
      return [...(byTab.get(tabId)?.values() ?? [])].sort((a, b) => a.timeStamp - b.timeStamp);
    },
    release(tabId, requestIds) {
      const requests = byTab.get(tabId);
      if (!requests) return;
      for (const requestId of requestIds) requests.delete(requestId);
    },
    forgetTab(tabId) {
      byTab.delete(tabId);
    },
    stop() {
      for (const event of registered) event.removeListener(onEvent);
      registered.length = 0;
    },
  };
}

/**
 * The handshake evidence for the session's connections that have none yet,
 * as a SessionDelta (connection patches) for the background to apply to its
 * copy and send to the panels like any other delta; the observations used
 * are released. Undefined when nothing changed. A response still coming (no
 * status and no error yet) is left for a later call.
 */
export function handshakeDelta(
  session: Session,
  observer: HandshakeObserver,
  now: number,
  /** The page's clock offset (browser − page), when its relay reported one; see MatchOptions.clockOffsetMs. */
  clockOffsetMs?: number,
): SessionDelta | undefined {
  const pending = session.connections.filter((connection) => connection.handshakeEvidence === undefined);
  if (pending.length === 0 || session.tabId === undefined) return undefined;
  const settledBefore = now - DEFAULT_MATCH_WINDOW_MS - DEFAULT_CLOCK_SKEW_MS;
  // An observation without an answer yet would pair now and miss its status: wait for it (a few seconds at most).
  const observations = observer
    .observations(session.tabId)
    .filter((observation) => observation.statusCode !== undefined || observation.error !== undefined || observation.timeStamp < settledBefore);
  const resolutions = resolveHandshakes(session.tabId, pending, observations, { available: observer.available, now, clockOffsetMs });
  const patches: ConnectionPatch[] = [];
  const used: string[] = [];
  for (const [id, resolution] of resolutions) {
    const patch: ConnectionPatch = { id, handshakeEvidence: resolution.evidence };
    if (resolution.handshake) patch.handshake = resolution.handshake;
    if (resolution.requestId) used.push(resolution.requestId);
    patches.push(patch);
  }
  observer.release(session.tabId, used);
  return patches.length ? { connections: patches } : undefined;
}
