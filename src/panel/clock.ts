// What "now" means for the session on screen, in one place. A live tab ages
// its open sockets against the wall clock. An imported file is a recording
// that ended: a socket still open when it was exported is shown "open at the
// end of the recording", ending at the recording's end, never aged against
// today's clock (a file opened 7 minutes later must not say "open 7 min").
import type { Session } from '../core/model';

export const OPEN_AT_END_TEXT = 'open at the end of the recording';

/**
 * The recording's end: the session's `endedAt` (the export writes its own
 * time there), else the last time the file knows of anything happening.
 */
export function recordingEndMs(session: Session): number {
  if (session.endedAt !== undefined && Number.isFinite(session.endedAt)) return session.endedAt;
  let last = session.startedAt;
  for (const connection of session.connections) {
    last = Math.max(last, connection.createdAt, connection.openedAt ?? -Infinity, connection.errorAt ?? -Infinity);
    last = Math.max(last, connection.closeRequestedAt ?? -Infinity, connection.closedAt ?? -Infinity, connection.close?.time ?? -Infinity);
    const lastMessage = connection.messages[connection.messages.length - 1];
    if (lastMessage) last = Math.max(last, lastMessage.time);
  }
  for (const event of session.pageEvents) last = Math.max(last, event.time);
  for (const note of session.notes) last = Math.max(last, note.time);
  return last;
}

/** The clock open connections are measured against: the recording's end for a file, the wall clock for a live tab. */
export function sessionNowMs(session: Session, imported: boolean, wallClockMs: number): number {
  return imported ? recordingEndMs(session) : wallClockMs;
}
