// Types of firefox.mjs for the TypeScript tests.
export const FIREFOX_PATH: string;
export function requireFirefox(): void;
export function firefoxManifestOf(manifest: Record<string, unknown>): Record<string, unknown>;
export function firefoxFloor(floorDir: string): string;
