// Types of raw.mjs for the TypeScript tests that drive Chromium through it.
export interface RawBrowser {
  extensionId: string;
  userDataDir: string;
  cpuSeconds(): number;
  /** Opens a page (a new tab in front of the window) without attaching to it; resolves to its target id. */
  open(url: string): Promise<string>;
  /** Brings a tab to the front of its window: the window's other tabs become hidden. */
  activate(targetId: string): Promise<void>;
  close(targetId: string): Promise<void>;
  evaluateInServiceWorker(expression: string): Promise<unknown>;
  quit(): Promise<void>;
}

export function launchRaw(options?: { extensionDir?: string }): Promise<RawBrowser>;
