// Types of scripts/lib/nginx.mjs for the TypeScript tests.
export declare const NGINX_PATH: string;
export declare function freePort(): Promise<number>;
export declare function waitForPort(port: number, timeoutMs: number): Promise<void>;
export interface NginxProxy {
  origin: string;
  wsOrigin: string;
  port: number;
  readTimeoutMs: number;
  version: string;
  close(): Promise<void>;
}
export declare function startNginx(upstreamPort: number, options?: { readTimeoutMs?: number; writtenBy?: string; extraLocations?: string }): Promise<NginxProxy>;
