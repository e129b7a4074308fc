// The compact encoding of what the page's hook records (src/page/hook.ts),
// shared by the protocol that carries it (src/protocol/page.ts re-exports
// these) and the core that reads it (src/core/ingest.ts) and models it
// (src/core/model.ts). Here rather than in protocol/ so that dependencies go
// one way: core imports no protocol constants. Plain numbers and strings: the
// bundler inlines them into the hook, which stays dependency-free at runtime.

/** Version of the page batch format (hop 1); the relay and the background refuse other versions. */
export const PROTOCOL_VERSION = 1;

/** Direction codes in the compact message columns (`MessageColumns.dir`). */
export const DIR_SEND = 0;
export const DIR_RECEIVE = 1;

/** Preview codes in the compact message columns (`MessageColumns.truncated`). */
/** The preview is the whole payload. */
export const PREVIEW_COMPLETE = 0;
/** The preview is shorter than the payload (the preview cap). */
export const PREVIEW_TRUNCATED = 1;
/** No preview: the hook's preview budget was spent (counted like an eviction by the memory cap). */
export const PREVIEW_NONE = 2;
/** No preview: a binary message while nothing read the tab: over BLOB_HELD_READ_MAX (78; ArrayBuffers and views too since 86), or a Blob past the count of reads (81). */
export const PREVIEW_HELD_BLOB = 3;

/**
 * The hook's packed `meta` column (PackedColumns in src/protocol/page.ts): a row's connection id, preview code (0–3),
 * direction (0–1) and opcode (1–2) in one number, `id * 16 + code * 4 + dir * 2 + opcode - 1`. The hook writes the
 * same sum out (it imports constants only); ingest and unpackColumns read it back with these.
 */
export const packMeta = (id: number, code: number, dir: number, opcode: number): number => id * 16 + code * 4 + dir * 2 + opcode - 1;
export const metaId = (meta: number): number => Math.floor(meta / 16);
export const metaCode = (meta: number): number => Math.floor(meta / 4) % 4;
export const metaDir = (meta: number): number => Math.floor(meta / 2) % 2;
export const metaOpcode = (meta: number): number => (meta % 2) + 1;

/**
 * What the page itself reports about its context (lifecycle, network, timers). `beforeunload`: the document's
 * navigation began (reload, link, tab closing); it may still be cancelled, `pagehide` is when it went away.
 */
export const PAGE_CONTEXT_TYPES = ['hidden', 'visible', 'online', 'offline', 'freeze', 'resume', 'beforeunload', 'pagehide', 'pageshow', 'timer-late', 'timer-throttled', 'worker'] as const;
export type PageContextType = (typeof PAGE_CONTEXT_TYPES)[number];

/** `create` records: the kind of connection, absent for a WebSocket. */
export const KIND_EVENTSOURCE = 'es';
