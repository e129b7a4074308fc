// Types of raw.mjs for the TypeScript tests that drive Chromium through it.
export interface RawBrowser {
  extensionId: string;
  userDataDir: string;
  /**
   * Per live process its kind (browser, renderer, extension, gpu, network, utility, other), its ticks and each live
   * thread's nanoseconds, and the seconds of exited processes (browser.mjs: browserCpu; cpuDelta compares two).
   */
  cpu(): { processes: Record<string, { type: string; seconds: number; threads: Record<string, number> }>; reaped: number };
  /**
   * Opens a page (a new tab in front of the window) without attaching to it; resolves to its target id.
   * With network: true, attaches to it and enables the Network domain before it navigates to url (as an open DevTools does).
   */
  open(url: string, options?: { network?: boolean }): Promise<string>;
  /** Navigates a page elsewhere (its pagehide runs), without waiting for the new page's load. */
  navigate(targetId: string, url: string): Promise<void>;
  /** A full garbage collection in the page's renderer, then 200 ms for the collector's background threads (docs/decisions.md, 79). */
  collectGarbage(targetId: string): Promise<void>;
  /** Runs `use` while the browser traces `categories` (every process); the trace's events once `use` is done. */
  traced<T>(categories: string[], use: () => Promise<T>): Promise<{ result: T; events: import('./gc.mjs').TraceEvent[] }>;
  /** Protocol events received since the last call, by method (counted, never parsed); starts counting afresh. */
  takeEventCounts(): Record<string, number>;
  /** Sends a protocol command to the browser, or to an attached session. */
  send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<Record<string, unknown>>;
  /** Brings a tab to the front of its window: the window's other tabs become hidden. */
  activate(targetId: string): Promise<void>;
  close(targetId: string): Promise<void>;
  /** The extension's whole storage.session, read by the browser (no script of the worker runs), and its bytes in use. */
  storageItems(): Promise<{ items: Record<string, unknown>; bytesInUse: number }>;
  evaluateInServiceWorker(expression: string): Promise<unknown>;
  quit(): Promise<void>;
}

export function launchRaw(options?: { extensionDir?: string }): Promise<RawBrowser>;

/** The live path in each browser with an extension: a panel open, "Every tab live" on (docs/decisions.md, 74); `everyTabLive: false`, the panel alone (reading another tab). */
export function openReaders(browsers: RawBrowser[], options?: { everyTabLive?: boolean }): Promise<void>;

/**
 * A SocketScope panel watching the tab whose URL holds `urlPart`, in a window of its own, once it lists the page's socket
 * (the live path as a user debugging has it); its target id, or undefined in a browser without an extension.
 */
export function watchTab(browser: RawBrowser, urlPart: string): Promise<string | undefined>;
