// Types of scripts/lib/firefox.mjs for the TypeScript tests.
export declare const FIREFOX_PATH: string;
export declare const QUIET_PREFS: Readonly<Record<string, boolean>>;
