// What the viewer tells the end-to-end tests (and the curious) about its last
// import, on `window.socketscopeViewer`.
import type { ImportTimings } from '../panel/importProtocol';

export interface ViewerLastImport {
  fileName: string;
  connections: number;
  messages: number;
  findings: string[];
  timings: ImportTimings & { totalMs: number };
}

declare global {
  interface Window {
    socketscopeViewer?: { lastImport?: ViewerLastImport };
  }
}
