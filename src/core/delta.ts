// A SessionDelta is what changed in a tab's session since the last one: the
// background builds it from each page batch, applies it to its own copy, and
// sends the very same delta to every panel watching the tab, so both copies
// stay identical without ever resending the whole session.
import type { Connection, DropCounts, Message, Note, PageEvent, Session } from './model';
import { applyEviction, type EvictionCut } from './caps';
import { decodeMessages, encodeMessages, type StoredColumns } from './stored';

/** New connections carry every field; later patches only what changed. */
export type ConnectionPatch = Partial<Omit<Connection, 'messages'>> & { id: string };

export interface SessionDelta {
  connections?: ConnectionPatch[];
  messages?: { connectionId: string; messages: Message[] }[];
  /**
   * The same messages in columns, as the background posts a delta to a panel (`packDelta`): a Port message is
   * serialized whole, and 50k message objects cost the worker, the browser and the panel several times what seven
   * arrays of the same values do (docs/decisions.md, 83). A delta has one or the other; applyDelta takes both.
   */
  packed?: { connectionId: string; columns: StoredColumns }[];
  pageEvents?: PageEvent[];
  notes?: Note[];
  /** Counts to add to session.dropped (records refused, messages the hook dropped). */
  dropped?: Partial<DropCounts>;
  /** Applied last, identically on every copy. */
  evict?: EvictionCut;
  pageUrl?: string;
}

/** A session's messages in columns, by the position of their connection in `session.connections`. */
export interface PackedConnectionMessages {
  at: number;
  columns: StoredColumns;
}

/**
 * The session with every connection's messages in columns, as the background posts a snapshot to a panel (decision 83):
 * a copy whose connections have no messages, and the columns beside it. The session itself is not changed.
 */
export function packSession(session: Session): { session: Session; packed: PackedConnectionMessages[] } {
  const packed: PackedConnectionMessages[] = [];
  const connections = session.connections.map((connection, at) => {
    if (!connection.messages.length) return connection;
    packed.push({ at, columns: encodeMessages(connection.messages) });
    return { ...connection, messages: [] };
  });
  return { session: { ...session, connections }, packed };
}

/** Puts a packed snapshot's messages back into its session's connections (the session given, filled in place). */
export function unpackSession(session: Session, packed: PackedConnectionMessages[] | undefined): Session {
  for (const { at, columns } of packed ?? []) {
    const connection = session.connections[at];
    if (connection) connection.messages = decodeMessages(columns);
  }
  return session;
}

/** The delta with its messages in columns (a shallow copy; the delta itself is not changed). */
export function packDelta(delta: SessionDelta): SessionDelta {
  if (!delta.messages) return delta;
  const { messages, ...rest } = delta;
  return { ...rest, packed: messages.map((group) => ({ connectionId: group.connectionId, columns: encodeMessages(group.messages) })) };
}

/** The delta with its messages as objects again (a shallow copy when it had columns). */
export function unpackDelta(delta: SessionDelta): SessionDelta {
  if (!delta.packed) return delta;
  const { packed, ...rest } = delta;
  const messages = packed.map((group) => ({ connectionId: group.connectionId, messages: decodeMessages(group.columns) }));
  return { ...rest, messages: rest.messages ? [...rest.messages, ...messages] : messages };
}

export function applyDelta(session: Session, given: SessionDelta, index?: Map<string, Connection>): void {
  const delta = unpackDelta(given);
  const byId = index ?? new Map(session.connections.map((c) => [c.id, c]));
  for (const patch of delta.connections ?? []) {
    const existing = byId.get(patch.id);
    if (existing) Object.assign(existing, patch);
    else {
      const connection = { frameUrl: '', url: '', protocols: [], createdAt: 0, ...patch, messages: [] } as Connection;
      session.connections.push(connection);
      byId.set(connection.id, connection);
    }
  }
  for (const group of delta.messages ?? []) {
    const connection = byId.get(group.connectionId);
    if (!connection) continue;
    const target = connection.messages;
    for (const message of group.messages) target.push(message);
  }
  if (delta.pageEvents) for (const event of delta.pageEvents) session.pageEvents.push(event);
  if (delta.notes) for (const note of delta.notes) session.notes.push(note);
  if (delta.dropped) {
    session.dropped.messages += delta.dropped.messages ?? 0;
    session.dropped.previews += delta.dropped.previews ?? 0;
    session.dropped.rejected += delta.dropped.rejected ?? 0;
    if (delta.dropped.budgetPreviews) session.dropped.budgetPreviews = (session.dropped.budgetPreviews ?? 0) + delta.dropped.budgetPreviews;
    if (delta.dropped.heldBlobPreviews) session.dropped.heldBlobPreviews = (session.dropped.heldBlobPreviews ?? 0) + delta.dropped.heldBlobPreviews;
    if (delta.dropped.unreadMessages) session.dropped.unreadMessages = (session.dropped.unreadMessages ?? 0) + delta.dropped.unreadMessages;
    if (delta.dropped.lostBatches) session.dropped.lostBatches = (session.dropped.lostBatches ?? 0) + delta.dropped.lostBatches;
    if (delta.dropped.droppedConnections) session.dropped.droppedConnections = (session.dropped.droppedConnections ?? 0) + delta.dropped.droppedConnections;
    if (delta.dropped.droppedPageEvents) session.dropped.droppedPageEvents = (session.dropped.droppedPageEvents ?? 0) + delta.dropped.droppedPageEvents;
  }
  if (delta.pageUrl) session.pageUrl = delta.pageUrl;
  if (delta.evict) applyEviction(session, delta.evict, byId);
}
