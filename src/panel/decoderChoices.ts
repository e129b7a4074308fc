// "Decode as" choices, per endpoint (endpointKey: the URL without query, the
// key of reconnect chains), so every message of a service reads the same way
// and a reconnect keeps the choice. Kept in the extension's storage.local when
// the page has it (the panel in DevTools or as a tab), else in memory (the
// viewer on a file, unit tests). A decoder id only: the types come from
// src/core/decoders, which the panel loads lazily.
import { signal } from '@preact/signals';
import type { DecoderChoice } from '../core/decoders';

const STORAGE_KEY = 'decoderChoices';
/** More endpoints than anyone inspects by hand; bounds what a .proto per endpoint can cost in storage. */
const MAX_REMEMBERED = 200;

interface StorageArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** chrome.storage.local (Chromium, and Firefox's chrome namespace in MV3), when there is one. */
function storageArea(): StorageArea | undefined {
  const chromeApi = (globalThis as { chrome?: { storage?: { local?: StorageArea } } }).chrome;
  return chromeApi?.storage?.local;
}

export const decoderChoices = signal<ReadonlyMap<string, DecoderChoice>>(new Map());
let loaded: Promise<void> | undefined;

/** Reads the remembered choices once; later calls share the same promise. */
export function loadDecoderChoices(): Promise<void> {
  loaded ??= (async () => {
    const area = storageArea();
    if (!area) return;
    try {
      const stored = (await area.get(STORAGE_KEY))[STORAGE_KEY];
      if (stored && typeof stored === 'object') {
        const next = new Map<string, DecoderChoice>(Object.entries(stored as Record<string, DecoderChoice>));
        // Choices made before storage answered win.
        for (const [key, choice] of decoderChoices.peek()) next.set(key, choice);
        decoderChoices.value = next;
      }
    } catch {
      /* no storage: memory only */
    }
  })();
  return loaded;
}

/** Sets (or, with undefined, forgets: back to automatic) the choice for an endpoint. */
export function setDecoderChoice(endpoint: string, choice: DecoderChoice | undefined): void {
  const next = new Map(decoderChoices.peek());
  next.delete(endpoint);
  if (choice) next.set(endpoint, choice);
  while (next.size > MAX_REMEMBERED) next.delete(next.keys().next().value as string);
  decoderChoices.value = next;
  const area = storageArea();
  if (area) void area.set({ [STORAGE_KEY]: Object.fromEntries(next) }).catch(() => undefined);
}
