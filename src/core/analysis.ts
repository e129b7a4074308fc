// One analysis of a session: the facts of every connection (src/core/facts.ts),
// the heartbeats and the findings, derived once. The panel, the viewer's
// worker, the export and the CLI read this result and only format it; no view
// re-derives a fact.

import { reconnectChains, type Chain } from './chains';
import { diagnose } from './diagnosis';
import { connectionFacts, type ConnectionFacts } from './facts';
import type { Finding } from './finding';
import { applyHeartbeatRoles, scanHeartbeats, type HeartbeatScan } from './heartbeat';
import type { Connection, Session } from './model';

export interface SessionAnalysis {
  chains: Chain[];
  /** By connection id. */
  facts: Map<string, ConnectionFacts>;
  findings: Finding[];
}

// ---- the whole session ----

/** What a connection looked like when it was last analysed: unchanged connections reuse their facts. */
function changeKey(connection: Connection): string {
  return [
    connection.messages.length,
    connection.droppedMessages ?? 0,
    connection.evictedPreviews ?? 0,
    connection.openedAt ?? '',
    connection.closedAt ?? '',
    connection.errorAt ?? '',
    connection.closeRequestedAt ?? '',
    connection.close ? `${connection.close.code}/${connection.close.initiator}/${connection.close.wasClean}` : '',
  ].join('|');
}

export interface Analyzer {
  /** Analyses the session; annotates heartbeat roles on its messages in place. */
  analyze(session: Session): SessionAnalysis;
}

/**
 * An analyzer that remembers each connection's facts, so a live session
 * re-analysed twice a second only rescans the connections that changed.
 */
export function createAnalyzer(): Analyzer {
  let cache = new WeakMap<Connection, { key: string; facts: ConnectionFacts; scan: HeartbeatScan }>();
  return {
    analyze(session: Session): SessionAnalysis {
      const facts = new Map<string, ConnectionFacts>();
      const scans = new Map<string, HeartbeatScan>();
      const next = new WeakMap<Connection, { key: string; facts: ConnectionFacts; scan: HeartbeatScan }>();
      for (const connection of session.connections) {
        const key = changeKey(connection);
        let entry = cache.get(connection);
        if (!entry || entry.key !== key) {
          const scan = scanHeartbeats(connection);
          applyHeartbeatRoles(connection, scan);
          entry = { key, scan, facts: connectionFacts(connection, scan) };
        }
        next.set(connection, entry);
        facts.set(connection.id, entry.facts);
        scans.set(connection.id, entry.scan);
      }
      cache = next;
      return { chains: reconnectChains(session), facts, findings: diagnose(session, { facts, scans }) };
    },
  };
}

/** One analysis of a session (heartbeat roles annotated in place). */
export function analyzeSession(session: Session): SessionAnalysis {
  return createAnalyzer().analyze(session);
}
