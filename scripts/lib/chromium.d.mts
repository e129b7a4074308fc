// Types of scripts/lib/chromium.mjs for the TypeScript tests.
export declare const CHROMIUM_PATH: string;
export declare const QUIET_FLAGS: readonly string[];
