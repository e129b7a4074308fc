/** The extension's version, from package.json (vite `define`). */
declare const __VERSION__: string;
