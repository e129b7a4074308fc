// Reconnect chains: connections to the same endpoint, one after another.

import type { Connection, Session } from './model';

export interface Chain {
  /** The normalised endpoint: scheme://host:port/path, no query or fragment. */
  key: string;
  /** The URL of the first connection, as the page wrote it. */
  url: string;
  /** Ordered by createdAt. */
  connections: Connection[];
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'ws:': '80', 'wss:': '443', 'http:': '80', 'https:': '443' };

/**
 * The endpoint a URL points at. The query is dropped because it usually
 * carries per-connection tokens, session ids or cache busters (Socket.IO's
 * `?EIO=4&t=...`), which would split one chain into many.
 */
export function endpointKey(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || DEFAULT_PORTS[parsed.protocol] || '';
    return `${parsed.protocol}//${parsed.hostname.toLowerCase()}${port ? `:${port}` : ''}${parsed.pathname}`;
  } catch {
    // An unparsable URL (from an imported file) still groups with its twins.
    return url.split(/[?#]/, 1)[0];
  }
}

/** Chains ordered by their first connection; connections within a chain by createdAt. */
export function reconnectChains(session: Session): Chain[] {
  const byKey = new Map<string, Chain>();
  for (const connection of session.connections) {
    const key = endpointKey(connection.url);
    let chain = byKey.get(key);
    if (!chain) {
      chain = { key, url: connection.url, connections: [] };
      byKey.set(key, chain);
    }
    chain.connections.push(connection);
  }
  const chains = [...byKey.values()];
  for (const chain of chains) {
    chain.connections.sort((a, b) => a.createdAt - b.createdAt);
    chain.url = chain.connections[0].url;
  }
  return chains.sort((a, b) => a.connections[0].createdAt - b.connections[0].createdAt);
}
