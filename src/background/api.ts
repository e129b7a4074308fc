// The part of the extension API the background uses, as an interface: the
// entry (index.ts) passes the real `browser`, the unit tests small in-memory
// fakes (test/unit/background/fakes.ts). Nothing here imports a browser API.
import type { WebRequestLike } from './handshakes';

export interface Listenable<L> {
  addListener(listener: L): void;
}

/** What runtime.onConnect hands over: a Port, typed per hop by its user. */
export interface RawPort {
  readonly name: string;
  sender?: PortSender;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: Listenable<(message: unknown) => void>;
  onDisconnect: Listenable<() => void>;
}

export interface PortSender {
  id?: string;
  url?: string;
  frameId?: number;
  tab?: { id?: number };
}

export interface StorageArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export interface BackgroundApi {
  storage: {
    session: StorageArea;
    local: StorageArea & { onChanged: Listenable<(changes: Record<string, { newValue?: unknown }>) => void> };
  };
  runtime: {
    id: string;
    getURL(path: string): string;
    onConnect: Listenable<(port: RawPort) => void>;
    onMessage: Listenable<(message: unknown, sender: PortSender) => Promise<unknown> | undefined>;
  };
  tabs: {
    create(properties: { url: string }): Promise<unknown>;
    query(query: { active: boolean; currentWindow: boolean }): Promise<{ id?: number }[]>;
    /** The tab as the browser has it: `url` only with host access to its page. */
    get?(tabId: number): Promise<{ url?: string }>;
    onRemoved: Listenable<(tabId: number) => void>;
  };
  action: {
    setBadgeText(details: { tabId: number; text: string }): Promise<void>;
    setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
    setTitle(details: { tabId: number; title: string }): Promise<void>;
  };
  commands?: { onCommand: Listenable<(command: string, tab?: { id?: number }) => void> };
  /**
   * Observe-only webRequest (the handshakes: src/background/handshakes.ts).
   * Absent when the browser or the manifest lacks it: every connection then
   * reads handshakeEvidence 'unavailable'.
   */
  webRequest?: WebRequestLike;
  /** Whether the host permissions are granted (Firefox lets the user withdraw them in about:addons). */
  permissions?: {
    contains(permissions: { origins?: string[] }): Promise<boolean>;
    onAdded?: Listenable<(permissions: { origins?: string[] }) => void>;
    onRemoved?: Listenable<(permissions: { origins?: string[] }) => void>;
  };
}

/** Timers and clock, injectable so the tests can run the debounced persist and retries at will. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
