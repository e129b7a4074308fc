/**
 * SocketScope's version, from package.json at build time: a `define` in
 * vite.config.ts (extension), vite.cli.config.ts (CLI) and vitest.config.ts
 * (tests). Written into exports as the HAR creator's version.
 */
declare const __VERSION__: string;
