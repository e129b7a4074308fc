// What the Export dialog writes: HAR, session JSON or messages CSV, with the
// options (heartbeats, time range, redaction). Pure, so the panel, the
// viewer and the tests build exactly the same bytes.
import type { Session } from './model';
import type { Finding } from './finding';
import { analyzeSession } from './analysis';
import { messagesToCsv, sessionToJson, toHar, type HarCreator, type HarLog } from './har';
import { redactFindings, redactSession, REDACTED_MARKER, type RedactOptions } from './redact';

export type ExportFormat = 'har' | 'json' | 'csv';

export interface ExportOptions {
  format: ExportFormat;
  /** Default true. */
  includeHeartbeats?: boolean;
  /** Epoch ms. */
  from?: number;
  /** Epoch ms. */
  to?: number;
  /** false / undefined: no redaction (the default for local use). */
  redact?: false | RedactOptions;
  /** The findings to embed (HAR, JSON); computed from the exported range when absent. */
  findings?: Finding[];
  creator?: HarCreator;
}

export interface ExportFile {
  fileName: string;
  mimeType: string;
  text: string;
}

/** The part of a session inside [from, to], with the same rules as toHar (sockets alive in the range, events in it). */
export function sliceSession(session: Session, range: { from?: number; to?: number; includeHeartbeats?: boolean }): Session {
  const fromMs = range.from ?? -Infinity;
  const toMs = range.to ?? Infinity;
  const keepHeartbeats = range.includeHeartbeats ?? true;
  if (fromMs === -Infinity && toMs === Infinity && keepHeartbeats) return session;
  const inRange = (time: number): boolean => time >= fromMs && time <= toMs;
  return {
    ...session,
    connections: session.connections
      .filter((c) => c.createdAt <= toMs && !(c.closedAt !== undefined && c.closedAt < fromMs))
      .map((c) => ({ ...c, messages: c.messages.filter((m) => inRange(m.time) && (keepHeartbeats || m.heartbeat === undefined)) })),
    pageEvents: session.pageEvents.filter((e) => inRange(e.time)),
    notes: session.notes.filter((n) => inRange(n.time)),
  };
}

/** Findings for the exported part of the session (its analysis annotates heartbeat roles in place, as the panel and CLI do). */
export function findingsFor(session: Session, range: { from?: number; to?: number } = {}): Finding[] {
  return analyzeSession(sliceSession(session, range)).findings;
}

/**
 * The range's own copy of its messages: its analysis annotates heartbeat
 * roles in place, and the roles written into the file must stay those of the
 * whole session.
 */
function detachedMessages(slice: Session): Session {
  return { ...slice, connections: slice.connections.map((c) => ({ ...c, messages: c.messages.map((m) => ({ ...m })) })) };
}

export function exportFileName(session: Session, extension: string, options: { redacted?: boolean; now?: Date } = {}): string {
  let host = 'session';
  try {
    if (session.pageUrl) host = new URL(session.pageUrl).host.replace(/[^a-z0-9.-]/gi, '_') || host;
  } catch {
    /* keep the default */
  }
  const name = session.name ? `-${session.name.replace(/[^a-z0-9._-]+/gi, '_').replace(/^_+|_+$/g, '').slice(0, 60)}` : '';
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
  return `socketscope-${host}${name}-${stamp}${options.redacted ? '-redacted' : ''}.${extension}`;
}

export function buildExport(session: Session, options: ExportOptions, now = new Date()): ExportFile {
  const includeHeartbeats = options.includeHeartbeats ?? true;
  // The analysis annotates heartbeat roles in place (needed to leave heartbeats out); the findings are those
  // of the exported range, analysed after the whole so that it sees the whole session's roles as marks.
  const whole = analyzeSession(session);
  const range = { from: options.from, to: options.to };
  const sliced = sliceSession(session, range);
  let findings = options.findings ?? (sliced === session ? whole.findings : analyzeSession(detachedMessages(sliced)).findings);
  const redactOptions = options.redact === false || options.redact === undefined ? undefined : options.redact;
  // A live session has no end yet: the file's ends at the export (or the range's end), so a socket still open then
  // reads as "open at the end of the recording" when imported later, never as aging against the reader's clock.
  let exported: Session = session.endedAt === undefined ? { ...session, endedAt: Math.min(options.to ?? Infinity, now.getTime()) } : session;
  if (redactOptions) {
    exported = redactSession(exported, redactOptions);
    findings = redactFindings(findings, redactOptions);
  }
  const fileName = (extension: string) => exportFileName(exported, extension, { redacted: redactOptions !== undefined, now });

  switch (options.format) {
    case 'har': {
      const har: HarLog & { log: { comment?: string } } = toHar(exported, { findings, includeHeartbeats, from: options.from, to: options.to, creator: options.creator });
      if (redactOptions) {
        // HAR 1.2's own comment field, so any HAR viewer shows it; log._socketscope.redacted says it to readers of our extras.
        har.log.comment = redactionComment(redactOptions);
      }
      return { fileName: fileName('har'), mimeType: 'application/json', text: JSON.stringify(har, null, 1) };
    }
    case 'json': {
      const sliced = sliceSession(exported, { ...range, includeHeartbeats });
      return { fileName: fileName('json'), mimeType: 'application/json', text: sessionToJson(sliced, { findings, pretty: true }) };
    }
    case 'csv': {
      const sliced = sliceSession(exported, { ...range, includeHeartbeats });
      // A BOM so spreadsheet programs read the UTF-8 previews as UTF-8.
      return { fileName: fileName('csv'), mimeType: 'text/csv;charset=utf-8', text: '\uFEFF' + messagesToCsv(sliced) };
    }
  }
}

export function redactionComment(options: RedactOptions): string {
  const extra = options.keys?.length ? ` and the keys ${options.keys.join(', ')}` : '';
  return (
    `Redacted by SocketScope: credential-like URL and form parameters, secret-named JSON keys${extra} (also in JSON inside JSON strings), ` +
    `header-like lines (Authorization, Cookie, STOMP login/passcode), sub-protocol credentials, Bearer/Basic credentials and JWTs ` +
    `were replaced by ${REDACTED_MARKER}. Binary payloads, and secrets in free text without a recognisable name, were kept as they were.`
  );
}

/** A recording's name and range, as the background keeps it (protocol's Recording). */
export interface RecordedRange {
  name: string;
  startedAt: number;
  endedAt?: number;
}

/**
 * The session as its recording names it, and the recording's range: what
 * Export writes by default when the tab has a recording. Without one, the
 * whole session.
 */
export function withRecording(session: Session, recording: RecordedRange | undefined, now = Date.now()): { session: Session; from?: number; to?: number } {
  if (!recording) return { session };
  return {
    session: { ...session, name: recording.name, startedAt: recording.startedAt, endedAt: recording.endedAt ?? now },
    from: recording.startedAt,
    to: recording.endedAt,
  };
}
