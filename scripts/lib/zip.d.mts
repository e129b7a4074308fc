// Types of scripts/lib/zip.mjs for the TypeScript tests.
export declare function crc32(bytes: Uint8Array): number;
export declare function listFiles(dir: string, prefix?: string): string[];
export declare function writeZip(path: string, entries: { name: string; data: Uint8Array }[]): void;
export declare function zipDirectory(dir: string, path: string): void;
export declare function readZip(path: string): { names: string[]; read(name: string): Buffer };
