// Small in-memory fakes of the extension API the background and the relay
// use (src/background/api.ts): storage areas with Chrome's quota rule, ports,
// events, and a clock whose timers run only when the test says so.
import type { BackgroundApi, Clock, PortSender, RawPort, StorageArea } from '../../../src/background/api';
import { startBackground } from '../../../src/background/background';
import { PORT_PANEL, PORT_RELAY, PROTOCOL_VERSION, type BackgroundToPanel, type BackgroundToRelay, type PanelToBackground, type RelayToBackground } from '../../../src/protocol/messages';
import { decodeStoredTabs } from '../../../src/core/stored';
import type { PageBatch, PageRecord } from '../../../src/protocol/page';
import { columns } from '../helpers/columns';

export { columns };
import type { Session } from '../../../src/core/model';
import type { WebRequestDetails } from '../../../src/core/handshakeMatch';
import type { WebRequestEventLike, WebRequestLike } from '../../../src/background/handshakes';

export class FakeEvent<L extends (...args: never[]) => unknown> {
  listeners: L[] = [];
  addListener(listener: L): void {
    this.listeners.push(listener);
  }
  emit(...args: Parameters<L>): ReturnType<L>[] {
    return this.listeners.map((listener) => listener(...args) as ReturnType<L>);
  }
}

/** storage.session / storage.local: JSON-counted quota (keys + JSON of values), atomic set. */
export class FakeStorage implements StorageArea {
  data = new Map<string, unknown>();
  sets = 0;
  /** Makes the next `n` calls to set fail (as if the quota were exceeded). */
  failNextSets = 0;
  onChanged = new FakeEvent<(changes: Record<string, { newValue?: unknown }>) => void>();
  constructor(public quotaBytes = Infinity) {}
  bytesInUse(data = this.data): number {
    let total = 0;
    for (const [key, value] of data) total += key.length + JSON.stringify(value).length;
    return total;
  }
  async get(keys: string | string[] | null): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of this.data) if (keys === null || key === keys || (Array.isArray(keys) && keys.includes(key))) out[key] = structuredClone(value);
    return out;
  }
  /** When set, each write waits for it (a slow storage). */
  gate?: Promise<void>;
  async set(items: Record<string, unknown>): Promise<void> {
    this.sets++;
    if (this.gate) await this.gate;
    if (this.failNextSets > 0) {
      this.failNextSets--;
      throw new Error('Session storage quota bytes exceeded. Values were not stored.');
    }
    const next = new Map(this.data);
    for (const [key, value] of Object.entries(items)) next.set(key, structuredClone(value));
    if (this.bytesInUse(next) > this.quotaBytes) throw new Error('Session storage quota bytes exceeded. Values were not stored.');
    this.data = next;
  }
  async remove(keys: string | string[]): Promise<void> {
    for (const key of typeof keys === 'string' ? [keys] : keys) this.data.delete(key);
  }
}

/** One end of a Port: what the other side posted arrives through `onMessage`. */
export class FakePort implements RawPort {
  onMessage = new FakeEvent<(message: unknown) => void>();
  onDisconnect = new FakeEvent<() => void>();
  other!: FakePort;
  connected = true;
  /** Everything posted from this end. */
  posted: unknown[] = [];
  /** Everything delivered to this end. */
  received: unknown[] = [];
  constructor(
    public readonly name: string,
    public sender?: PortSender,
  ) {}
  postMessage(message: unknown): void {
    if (!this.connected) throw new Error('Attempting to use a disconnected port object');
    this.posted.push(message);
    // Ports deliver a copy, asynchronously.
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    queueMicrotask(() => {
      if (!this.other.connected) return;
      this.other.received.push(copy);
      this.other.onMessage.emit(copy);
    });
  }
  disconnect(): void {
    if (!this.connected) return;
    this.connected = this.other.connected = false;
    this.other.onDisconnect.emit();
  }
}

export function portPair(name: string, sender?: PortSender): [FakePort, FakePort] {
  const a = new FakePort(name);
  const b = new FakePort(name, sender);
  a.other = b;
  b.other = a;
  return [a, b];
}

/** Timers run only through advance(): the test decides when a debounced persist or a retry happens. */
export class FakeClock implements Clock {
  private timers: { at: number; seq: number; callback: () => void }[] = [];
  private seq = 0;
  constructor(public time = 1_790_000_000_000) {}
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  /** Moves the clock forward, running due timers in order (and awaiting what they start). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every pending promise and port delivery run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export const EXTENSION_ID = 'socketscope-test-id';
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}/`;

export interface FakeBrowser {
  api: BackgroundApi;
  session: FakeStorage;
  local: FakeStorage;
  onConnect: FakeEvent<(port: RawPort) => void>;
  onMessage: FakeEvent<(message: unknown, sender: PortSender) => Promise<unknown> | undefined>;
  onRemoved: FakeEvent<(tabId: number) => void>;
  createdTabs: string[];
  badges: Map<number, string>;
  /** What tabs.get answers for a tab's url (none: a tab whose page the extension may not read). */
  tabUrls: Map<number, string>;
}

/** One webRequest event: listeners with their filter and extraInfoSpec; emit() delivers details to each. */
export class FakeWebRequestEvent implements WebRequestEventLike {
  listeners: { listener: (details: WebRequestDetails) => void; filter: { urls: string[]; types?: string[] }; extraInfoSpec?: string[] }[] = [];
  addListener(listener: (details: WebRequestDetails) => void, filter: { urls: string[]; types?: string[] }, extraInfoSpec?: string[]): void {
    this.listeners.push({ listener, filter, extraInfoSpec });
  }
  removeListener(listener: (details: WebRequestDetails) => void): void {
    this.listeners = this.listeners.filter((entry) => entry.listener !== listener);
  }
  emit(details: WebRequestDetails): void {
    for (const { listener } of this.listeners) listener(details);
  }
}

export function fakeWebRequest(): WebRequestLike & Record<'onBeforeRequest' | 'onSendHeaders' | 'onHeadersReceived' | 'onResponseStarted' | 'onCompleted' | 'onErrorOccurred', FakeWebRequestEvent> {
  return {
    onBeforeRequest: new FakeWebRequestEvent(),
    onSendHeaders: new FakeWebRequestEvent(),
    onHeadersReceived: new FakeWebRequestEvent(),
    onResponseStarted: new FakeWebRequestEvent(),
    onCompleted: new FakeWebRequestEvent(),
    onErrorOccurred: new FakeWebRequestEvent(),
  };
}

export function fakeBrowser(
  options: { sessionQuota?: number; session?: FakeStorage; local?: FakeStorage; webRequest?: WebRequestLike; permissions?: BackgroundApi['permissions'] } = {},
): FakeBrowser {
  const session = options.session ?? new FakeStorage(options.sessionQuota ?? 10 * 1024 * 1024);
  const local = options.local ?? new FakeStorage();
  const onConnect = new FakeEvent<(port: RawPort) => void>();
  const onMessage = new FakeEvent<(message: unknown, sender: PortSender) => Promise<unknown> | undefined>();
  const onRemoved = new FakeEvent<(tabId: number) => void>();
  const createdTabs: string[] = [];
  const badges = new Map<number, string>();
  const tabUrls = new Map<number, string>();
  const api: BackgroundApi = {
    storage: { session, local },
    runtime: { id: EXTENSION_ID, getURL: (path) => EXTENSION_ORIGIN + path, onConnect, onMessage },
    tabs: {
      create: async ({ url }) => void createdTabs.push(url),
      query: async () => [],
      get: async (tabId) => ({ url: tabUrls.get(tabId) }),
      onRemoved,
    },
    action: {
      setBadgeText: async ({ tabId, text }) => void badges.set(tabId, text),
      setBadgeBackgroundColor: async () => undefined,
      setTitle: async () => undefined,
    },
  };
  if (options.webRequest) api.webRequest = options.webRequest;
  if (options.permissions) api.permissions = options.permissions;
  return { api, session, local, onConnect, onMessage, onRemoved, createdTabs, badges, tabUrls };
}

// ---- a harness: the background on fakes, with relays and panels to drive it ----

export class Harness {
  readonly browser: FakeBrowser;
  readonly clock: FakeClock;
  ready: Promise<void>;
  constructor(options: Parameters<typeof fakeBrowser>[0] & { clock?: FakeClock } = {}) {
    this.browser = fakeBrowser(options);
    this.clock = options.clock ?? new FakeClock();
    this.ready = startBackground(this.browser.api, this.clock).ready;
  }
  /** A relay's end of a new port from a frame of `tabId`. */
  relay(tabId: number, frameId = 0, url = 'https://app.example/'): RelayEnd {
    const [mine, theirs] = portPair(PORT_RELAY, { id: EXTENSION_ID, url, frameId, tab: { id: tabId } });
    this.browser.onConnect.emit(theirs);
    return new RelayEnd(mine);
  }
  /** A panel's end of a port; `sender` defaults to our own panel page; `name`: the Port's (panelPortName names a tab). */
  panel(sender: PortSender = { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}src/panel/index.html?tabId=1` }, name = PORT_PANEL): PanelEnd {
    const [mine, theirs] = portPair(name, sender);
    this.browser.onConnect.emit(theirs);
    return new PanelEnd(mine);
  }
  stored(tabId: number): Session | undefined {
    return decodeStoredTabs<unknown>(Object.fromEntries(this.browser.session.data)).tabs.get(tabId)?.session;
  }
  /** Runs the debounced persist (and anything else due within `ms`). */
  async flush(ms = 2000): Promise<void> {
    await this.clock.advance(ms);
  }
}

export class RelayEnd {
  constructor(readonly port: FakePort) {}
  send(message: RelayToBackground): void {
    this.port.postMessage(message);
  }
  hello(docId: string, options: { top?: boolean; frameUrl?: string; time?: number; timeOrigin?: number; deferred?: boolean } = {}): void {
    const time = options.time ?? 1_790_000_000_000;
    const message: RelayToBackground = { kind: 'hello', v: PROTOCOL_VERSION, docId, frameUrl: options.frameUrl ?? 'https://app.example/', top: options.top ?? true, time, timeOrigin: options.timeOrigin ?? time - 1000, webdriver: false };
    if (options.deferred) message.deferred = true;
    this.send(message);
  }
  batch(docId: string, batch: PageBatch): void {
    this.send({ kind: 'batch', docId, seq: batch.seq, json: JSON.stringify(batch) });
  }
  /** Highest seq acknowledged for `docId` (0: none). */
  acked(docId: string): number {
    let seq = 0;
    for (const message of this.port.received as BackgroundToRelay[]) if (message.kind === 'ack' && message.docId === docId) seq = Math.max(seq, message.seq);
    return seq;
  }
}

export class PanelEnd {
  constructor(readonly port: FakePort) {}
  send(message: PanelToBackground): void {
    this.port.postMessage(message);
  }
  subscribe(tabId: number): void {
    this.send({ kind: 'subscribe', v: PROTOCOL_VERSION, tabId });
  }
  get received(): BackgroundToPanel[] {
    return this.port.received as BackgroundToPanel[];
  }
}

// ---- page batches ----

export const T0 = 1_790_000_000_000;


export function pageBatch(seq: number, records: PageRecord[], rows: Parameters<typeof columns>[0] = []): PageBatch {
  return { v: PROTOCOL_VERSION, seq, records, messages: columns(rows), droppedMessages: 0 };
}
