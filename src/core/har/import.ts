// HAR → Session: SocketScope's own files (with `_socketscope` extras) and
// Chrome DevTools' exports (no close information). The file is user input:
// nothing is trusted, every field is narrowed.

import { CLOSE_ABNORMAL } from '../closeCodes';
import { SILENCE_BASES } from '../facts';
import { FINDING_KINDS, type Finding, type Identified, type Suspect } from '../finding';
import { errorText } from '../format';
import { isObject, type JsonObject } from '../json';
import { handshakeFromHar } from '../handshakeHar';
import {
  CLOSE_INITIATORS,
  HANDSHAKE_EVIDENCES,
  HEARTBEAT_ROLES,
  PAGE_EVENT_TYPES,
  type CloseInfo,
  type Connection,
  type DropCounts,
  type Message,
  type Note,
  type PageEvent,
  type Session,
} from '../model';
import { RawMessages, type PreviewFilter } from './rawMessages';
import { HTTP_SWITCHING_PROTOCOLS, SOCKETSCOPE_HAR_VERSION, type HarImport } from './types';

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function epochMsFromIso(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `value` is one of the `as const` list its type is derived from (model.ts, finding.ts, facts.ts). */
function oneOf<T extends string | number>(allowed: readonly T[], value: unknown): value is T {
  return (allowed as readonly unknown[]).includes(value);
}

export const CHROME_HAR_WARNING =
  'This HAR was not made by SocketScope (e.g. a Chrome DevTools export): it has no close codes, close reasons ' +
  'or close initiators, so the drop diagnosis is limited. Socket lifetimes are taken from the HAR entry durations.';

export interface HarImportOptions {
  /**
   * Which previews to keep (absent: all). The CLI keeps only those heartbeat recognition can read
   * (src/core/heartbeat.ts, previewMayBeRecognised): it never shows a preview, and its memory is the file's size.
   */
  keepPreview?: PreviewFilter;
}

/**
 * Reads a HAR (SocketScope's own, or Chrome DevTools' export) into a Session.
 * Accepts the parsed JSON, or the text of the file. Throws an Error with a
 * message meant for people when the input is not a usable HAR.
 *
 * The parsed JSON may come from the streaming reader (importStream.ts), whose
 * `log.entries` is already a HarEntries and whose message lists are RawMessages.
 */
export function fromHar(json: unknown, options: HarImportOptions = {}): HarImport {
  let root = json;
  if (typeof root === 'string') {
    try {
      root = JSON.parse(root) as unknown;
    } catch (error) {
      throw new Error(`This file is not a HAR log: it is not valid JSON (${errorText(error)}).`);
    }
  }
  if (!isObject(root)) {
    throw new Error('This file is not a HAR log: expected a JSON object with a "log" property.');
  }
  if (root.format === 'socketscope-session') {
    throw new Error(
      'This file is not a HAR log: it is a SocketScope session JSON export. Export the session as HAR to import it.',
    );
  }
  const log = root.log;
  if (!isObject(log)) throw new Error('This file is not a HAR log: it has no "log" object.');
  let entries: HarEntries;
  if (log.entries instanceof HarEntries) entries = log.entries;
  else if (Array.isArray(log.entries)) {
    entries = new HarEntries();
    for (const entry of log.entries) entries.add(entry);
  } else throw new Error('This file is not a HAR log: "log.entries" is missing or not a list.');

  const warnings: string[] = [];
  // Our log-level extras, present only in files SocketScope wrote.
  const extras = isObject(log._socketscope) && finiteNumber(log._socketscope.version) !== undefined ? log._socketscope : undefined;
  const extrasVersion = extras ? (finiteNumber(extras.version) ?? 0) : 0;
  const ours = extras !== undefined;
  if (extrasVersion > SOCKETSCOPE_HAR_VERSION) {
    warnings.push(
      `This file was written by a newer SocketScope (format ${extrasVersion}, this one reads ${SOCKETSCOPE_HAR_VERSION}): some details may be missing.`,
    );
  }

  const pageTitles = new Map<string, string>();
  if (Array.isArray(log.pages)) {
    for (const page of log.pages) {
      if (isObject(page) && typeof page.id === 'string' && typeof page.title === 'string') {
        pageTitles.set(page.id, page.title);
      }
    }
  }

  const connections: Connection[] = [];
  const counters: ImportCounters = { skippedMessages: 0, unreadableEntries: entries.unreadable, entriesWithoutExtras: 0 };
  const otherEntries = entries.other;
  const webSockets = entries.webSockets;
  for (let i = 0; i < webSockets.length; i++) {
    const { entry, entryIndex } = webSockets[i];
    // Each entry's raw messages can go once it is converted (the streaming reader's peak is the model, not both).
    webSockets[i] = RELEASED;
    const connection =
      ours && isObject(entry._socketscope)
        ? socketScopeEntryToConnection(entry, entry._socketscope, counters, options)
        : chromeEntryToConnection(entry, entryIndex, pageTitles, counters, ours, options);
    if (connection) connections.push(connection);
    else counters.unreadableEntries++;
  }

  if (connections.length === 0) {
    const detail =
      counters.unreadableEntries > 0
        ? `${counters.unreadableEntries} WebSocket entr${counters.unreadableEntries === 1 ? 'y was' : 'ies were'} unreadable`
        : `it has ${otherEntries} other request${otherEntries === 1 ? '' : 's'}`;
    throw new Error(
      `No WebSocket entries in this HAR (${detail}). In Chrome, export from the Network panel while the WS filter shows the sockets, or record with SocketScope.`,
    );
  }

  if (counters.unreadableEntries > 0) {
    warnings.push(`${counters.unreadableEntries} WebSocket entr${counters.unreadableEntries === 1 ? 'y was' : 'ies were'} unreadable and left out.`);
  }
  if (counters.skippedMessages > 0) {
    warnings.push(
      `${counters.skippedMessages} message${counters.skippedMessages === 1 ? ' was' : 's were'} unreadable (no direction, time or text/binary opcode) and left out.`,
    );
  }

  if (extras === undefined) {
    // Chrome's HAR lists sockets in request order but not necessarily sorted; the timeline wants creation order.
    connections.sort((a, b) => a.createdAt - b.createdAt);
    warnings.push(CHROME_HAR_WARNING);
    const firstPage = Array.isArray(log.pages) && isObject(log.pages[0]) ? log.pages[0] : undefined;
    const pageStart = firstPage ? epochMsFromIso(firstPage.startedDateTime) : undefined;
    const session: Session = {
      id: `chrome-har-${connections[0].createdAt}`,
      pageUrl: firstPage ? optionalString(firstPage.title) : undefined,
      // Sorted above, so the first socket is the earliest.
      startedAt: Math.min(pageStart ?? Infinity, connections[0].createdAt),
      endedAt: connections.reduce((end, connection) => Math.max(end, lastKnownTime(connection)), -Infinity),
      connections,
      pageEvents: [],
      notes: [],
      dropped: { messages: 0, previews: 0, rejected: 0 },
      source: 'chrome-har',
    };
    return { session, source: 'chrome-har', warnings };
  }

  if (counters.entriesWithoutExtras > 0) {
    warnings.push(
      `${counters.entriesWithoutExtras} WebSocket entr${counters.entriesWithoutExtras === 1 ? 'y has' : 'ies have'} no SocketScope details (added by another tool?): their close information is unknown.`,
    );
  }

  const origin = extras.origin;
  if (origin === 'chrome-har') warnings.push(CHROME_HAR_WARNING);
  if (extras.heartbeatsIncluded === false) {
    warnings.push(
      'Heartbeat messages were left out of this export: silences before closes look longer than they were, so idle-timeout figures may be overstated.',
    );
  }

  const session: Session = {
    id: optionalString(extras.sessionId) ?? `imported-${connections[0].createdAt}`,
    startedAt:
      finiteNumber(extras.startedAt) ??
      connections.reduce((start, connection) => Math.min(start, connection.createdAt), Infinity),
    connections,
    pageEvents: readPageEvents(extras.pageEvents, warnings),
    notes: readNotes(extras.notes),
    dropped: readDropCounts(extras.dropped),
    source: origin === 'chrome-har' ? 'chrome-har' : 'socketscope-har',
  };
  const name = optionalString(extras.name);
  if (name !== undefined) session.name = name;
  const tabId = finiteNumber(extras.tabId);
  if (tabId !== undefined) session.tabId = tabId;
  const pageUrl = optionalString(extras.pageUrl);
  if (pageUrl !== undefined) session.pageUrl = pageUrl;
  const endedAt = finiteNumber(extras.endedAt);
  if (endedAt !== undefined) session.endedAt = endedAt;
  if (extras.redacted === true) session.redacted = true;

  const findings = readFindings(extras.findings, warnings);
  return { session, findings, source: 'socketscope-har', warnings };
}

interface ImportCounters {
  skippedMessages: number;
  unreadableEntries: number;
  entriesWithoutExtras: number;
}

const isEventSourceEntry = (entry: JsonObject): boolean => typeof entry._resourceType === 'string' && entry._resourceType.toLowerCase() === 'eventsource';

/**
 * A HAR's entries, sorted on arrival: the WebSocket and event-stream entries are kept (with their position in
 * `log.entries`), the others only counted. The streaming reader fills one as the parser completes each entry.
 */
export class HarEntries {
  readonly webSockets: Array<{ entry: JsonObject; entryIndex: number }> = [];
  /** Entries that are not JSON objects. */
  unreadable = 0;
  /** Other requests (XHR, documents...). */
  other = 0;
  private count = 0;

  add(entry: unknown): void {
    const entryIndex = this.count++;
    if (!isObject(entry)) this.unreadable++;
    else if (!isWebSocketEntry(entry)) this.other++;
    else this.webSockets.push({ entry, entryIndex });
  }
}

const RELEASED = { entry: {}, entryIndex: -1 };

/** The entry's message list: a JSON array, or the columns the streaming reader already filled. */
function isMessageList(value: unknown): boolean {
  return Array.isArray(value) || value instanceof RawMessages;
}

/**
 * The entry's messages. An event stream (Chrome's `_resourceType: "eventsource"`) has
 * `_eventSourceMessages: [{ time (epoch s), eventName, eventId, data }]` (the shape of DevTools' EventSourceMessage):
 * each is read as a received text message that keeps its event type and id (RawMessages).
 */
function entryMessages(entry: JsonObject, options: HarImportOptions): RawMessages {
  const eventSource = isEventSourceEntry(entry);
  const list = eventSource ? entry._eventSourceMessages : entry._webSocketMessages;
  if (list instanceof RawMessages && list.eventSource === eventSource) return list;
  return RawMessages.from(Array.isArray(list) ? list : [], eventSource, options.keepPreview);
}

/** Keeps an event stream's event type and id on the message read at `position`. */
function withEvent(message: Message, rawMessages: RawMessages, position: number): Message {
  const event = rawMessages.event(position);
  if (event) {
    message.event = event.name;
    message.lastEventId = event.id;
  }
  return message;
}

function isWebSocketEntry(entry: JsonObject): boolean {
  if (typeof entry._resourceType === 'string') return entry._resourceType.toLowerCase() === 'websocket' || isEventSourceEntry(entry);
  // Other tools omit _resourceType; their WebSocket entries still carry messages or a ws(s) URL.
  if (isMessageList(entry._webSocketMessages)) return true;
  const request = entry.request;
  return isObject(request) && typeof request.url === 'string' && /^wss?:/i.test(request.url);
}

function socketScopeEntryToConnection(
  entry: JsonObject,
  extras: JsonObject,
  counters: ImportCounters,
  options: HarImportOptions,
): Connection | undefined {
  const request = isObject(entry.request) ? entry.request : undefined;
  const url = request ? optionalString(request.url) : undefined;
  const id = optionalString(extras.id);
  const createdAt = finiteNumber(extras.createdAt) ?? epochMsFromIso(entry.startedDateTime);
  if (url === undefined || id === undefined || createdAt === undefined) return undefined;

  const rawMessages = entryMessages(entry, options);
  const indices: unknown[] = Array.isArray(extras.indices) ? extras.indices : [];
  const timesMs: unknown[] = Array.isArray(extras.timesMs) ? extras.timesMs : [];
  const sizes: unknown[] = Array.isArray(extras.sizes) ? extras.sizes : [];
  const truncated = positionSet(extras.truncated);
  const evicted = positionSet(extras.evicted);
  const simulated = positionSet(isObject(extras.simulated) ? extras.simulated.messages : undefined);
  const heartbeats = isObject(extras.heartbeats) ? extras.heartbeats : {};

  const messages: Message[] = [];
  let nextIndex = 0;
  for (let position = 0; position < rawMessages.length; position++) {
    const direction = rawMessages.direction(position);
    const opcode = rawMessages.opcode(position);
    if (direction === undefined || opcode === undefined) {
      counters.skippedMessages++;
      continue;
    }
    const chromeSeconds = rawMessages.seconds(position);
    const time = finiteNumber(timesMs[position]) ?? (chromeSeconds === undefined ? undefined : chromeSeconds * 1000);
    if (time === undefined) {
      counters.skippedMessages++;
      continue;
    }
    const index = nonNegativeInteger(indices[position]) ?? nextIndex;
    nextIndex = index + 1;
    const message: Message = {
      index,
      direction,
      time,
      opcode,
      size: nonNegativeInteger(sizes[position]) ?? rawMessages.payloadSize(position, opcode),
      preview: rawMessages.preview(position),
      truncated: truncated.has(position),
    };
    if (evicted.has(position)) message.evicted = true;
    if (simulated.has(position)) message.simulated = true;
    const role = heartbeats[position];
    if (oneOf(HEARTBEAT_ROLES, role)) message.heartbeat = role;
    messages.push(withEvent(message, rawMessages, position));
  }

  const connection: Connection = {
    id,
    frameUrl: optionalString(extras.frameUrl) ?? '',
    url,
    protocols: stringArray(extras.protocols),
    createdAt,
    messages,
  };
  const frameId = finiteNumber(extras.frameId);
  if (frameId !== undefined) connection.frameId = frameId;
  if (isEventSourceEntry(entry)) {
    connection.kind = 'eventsource';
    const reconnectOf = optionalString(extras.reconnectOf);
    if (reconnectOf !== undefined) connection.reconnectOf = reconnectOf;
    if (extras.withCredentials === true) connection.withCredentials = true;
  }
  const protocol = optionalString(extras.protocol);
  if (protocol !== undefined) connection.protocol = protocol;
  const extensions = optionalString(extras.extensions);
  if (extensions !== undefined) connection.extensions = extensions;
  const openedAt = finiteNumber(extras.openedAt);
  if (openedAt !== undefined) connection.openedAt = openedAt;
  const closedAt = finiteNumber(extras.closedAt);
  if (closedAt !== undefined) connection.closedAt = closedAt;
  const closeRequestedAt = finiteNumber(extras.closeRequestedAt);
  if (closeRequestedAt !== undefined) connection.closeRequestedAt = closeRequestedAt;
  const closeRequestedCode = nonNegativeInteger(extras.closeRequestedCode);
  if (closeRequestedCode !== undefined) connection.closeRequestedCode = closeRequestedCode;
  const closeRequestedReason = optionalString(extras.closeRequestedReason);
  if (closeRequestedReason !== undefined) connection.closeRequestedReason = closeRequestedReason;
  const close = readClose(extras.close, closedAt);
  if (close) connection.close = close;
  if (close && isObject(extras.simulated) && extras.simulated.close === true) close.simulated = true;
  const errorAt = finiteNumber(extras.errorAt);
  if (errorAt !== undefined) connection.errorAt = errorAt;
  const droppedMessages = nonNegativeInteger(extras.droppedMessages);
  if (droppedMessages !== undefined) connection.droppedMessages = droppedMessages;
  const evictedPreviews = nonNegativeInteger(extras.evictedPreviews);
  if (evictedPreviews !== undefined) connection.evictedPreviews = evictedPreviews;
  if (oneOf(HANDSHAKE_EVIDENCES, extras.handshakeEvidence)) {
    connection.handshakeEvidence = extras.handshakeEvidence;
    // Only a matched handshake fills request/response from webRequest: otherwise those are our own stand-ins.
    const startedAt = finiteNumber(extras.handshakeStartedAt) ?? createdAt;
    const handshake = extras.handshakeEvidence === 'matched' ? handshakeFromHar(entry, startedAt) : undefined;
    if (handshake) {
      const respondedAt = finiteNumber(extras.handshakeRespondedAt);
      if (respondedAt !== undefined) handshake.respondedAt = respondedAt;
      else delete handshake.respondedAt;
      connection.handshake = handshake;
    }
  }
  return connection;
}

function positionSet(value: unknown): Set<number> {
  const positions = new Set<number>();
  if (Array.isArray(value)) {
    for (const item of value) {
      const position = nonNegativeInteger(item);
      if (position !== undefined) positions.add(position);
    }
  }
  return positions;
}

function readClose(value: unknown, closedAt: number | undefined): CloseInfo | undefined {
  if (!isObject(value)) return undefined;
  const code = nonNegativeInteger(value.code);
  const time = finiteNumber(value.time) ?? closedAt;
  if (code === undefined || time === undefined || !oneOf(CLOSE_INITIATORS, value.initiator)) return undefined;
  const close: CloseInfo = {
    time,
    code,
    reason: optionalString(value.reason) ?? '',
    // 1006 is by definition unclean; trust the file only when it says a boolean.
    wasClean: typeof value.wasClean === 'boolean' ? value.wasClean : code !== CLOSE_ABNORMAL,
    initiator: value.initiator,
  };
  const requestedCode = nonNegativeInteger(value.requestedCode);
  if (requestedCode !== undefined) close.requestedCode = requestedCode;
  const requestedReason = optionalString(value.requestedReason);
  if (requestedReason !== undefined) close.requestedReason = requestedReason;
  return close;
}

function chromeEntryToConnection(
  entry: JsonObject,
  entryIndex: number,
  pageTitles: Map<string, string>,
  counters: ImportCounters,
  insideSocketScopeFile: boolean,
  options: HarImportOptions,
): Connection | undefined {
  const request = isObject(entry.request) ? entry.request : undefined;
  const url = request ? optionalString(request.url) : undefined;
  const rawMessages = entryMessages(entry, options);
  const eventSource = isEventSourceEntry(entry);

  const messages: Message[] = [];
  let errorFrameAt: number | undefined;
  for (let position = 0; position < rawMessages.length; position++) {
    if (!rawMessages.isObject(position)) {
      counters.skippedMessages++;
      continue;
    }
    const seconds = rawMessages.seconds(position);
    // Chrome also lists 'error' frames (a failure reported by the network stack): keep the time, not a message.
    if (rawMessages.isErrorFrame(position) && seconds !== undefined) {
      errorFrameAt ??= seconds * 1000;
      continue;
    }
    const direction = rawMessages.direction(position);
    const opcode = rawMessages.opcode(position);
    if (direction === undefined || opcode === undefined || seconds === undefined) {
      counters.skippedMessages++;
      continue;
    }
    messages.push(
      withEvent(
        {
          index: messages.length,
          direction,
          time: seconds * 1000,
          opcode,
          size: rawMessages.payloadSize(position, opcode),
          preview: rawMessages.preview(position),
          truncated: false,
        },
        rawMessages,
        position,
      ),
    );
  }

  const createdAt = epochMsFromIso(entry.startedDateTime) ?? messages[0]?.time;
  if (url === undefined || createdAt === undefined) return undefined;
  if (insideSocketScopeFile) counters.entriesWithoutExtras++;

  const response = isObject(entry.response) ? entry.response : undefined;
  const status = response ? finiteNumber(response.status) : undefined;
  const durationMs = finiteNumber(entry.time);
  const firstMessageAt = messages[0]?.time;
  const lastMessageAt = messages[messages.length - 1]?.time;

  const connection: Connection = {
    id: `har-${entryIndex}`,
    frameUrl: (typeof entry.pageref === 'string' ? pageTitles.get(entry.pageref) : undefined) ?? '',
    url,
    protocols: splitHeaderList(headerValue(request?.headers, 'sec-websocket-protocol')),
    createdAt,
    messages,
  };
  if (eventSource) connection.kind = 'eventsource';
  const protocol = headerValue(response?.headers, 'sec-websocket-protocol');
  if (protocol !== undefined) connection.protocol = protocol;
  const extensions = headerValue(response?.headers, 'sec-websocket-extensions');
  if (extensions !== undefined) connection.extensions = extensions;

  // Chrome writes status 101 once the handshake succeeded; anything else (0, 4xx, 5xx) means it failed.
  // An event stream's success is 200.
  if (status === HTTP_SWITCHING_PROTOCOLS || (eventSource && status === 200) || (status === undefined && messages.length > 0)) {
    const handshakeMs = handshakeDuration(entry.timings);
    let openedAt = createdAt + handshakeMs;
    if (firstMessageAt !== undefined) openedAt = Math.min(openedAt, firstMessageAt);
    connection.openedAt = openedAt;
    // Chrome ends a WebSocket request when it closes, so the entry's duration is the lifetime (an approximation).
    if (durationMs !== undefined && durationMs > 0) {
      connection.closedAt = Math.max(createdAt + durationMs, lastMessageAt ?? createdAt);
    }
  } else {
    connection.errorAt = errorFrameAt ?? createdAt + Math.max(0, durationMs ?? 0);
    connection.closedAt = connection.errorAt;
  }
  if (errorFrameAt !== undefined && connection.errorAt === undefined) connection.errorAt = errorFrameAt;
  // Chrome's HAR carries the handshake's headers (its own view of the request): the same evidence as webRequest's.
  const handshake = handshakeFromHar(entry, createdAt);
  if (handshake) {
    connection.handshake = handshake;
    connection.handshakeEvidence = 'matched';
  }
  return connection;
}

/** Sum of the HAR timing phases before the response (Chrome folds ssl into connect). */
function handshakeDuration(timings: unknown): number {
  if (!isObject(timings)) return 0;
  let total = 0;
  for (const phase of ['blocked', 'dns', 'connect', 'send', 'wait']) {
    const ms = finiteNumber(timings[phase]);
    if (ms !== undefined && ms > 0) total += ms;
  }
  return total;
}

function headerValue(headers: unknown, lowerCaseName: string): string | undefined {
  if (!Array.isArray(headers)) return undefined;
  for (const header of headers) {
    if (isObject(header) && typeof header.name === 'string' && header.name.toLowerCase() === lowerCaseName) {
      return typeof header.value === 'string' ? header.value : undefined;
    }
  }
  return undefined;
}

function splitHeaderList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function lastKnownTime(connection: Connection): number {
  let end = connection.closedAt ?? connection.errorAt ?? connection.openedAt ?? connection.createdAt;
  const last = connection.messages[connection.messages.length - 1];
  if (last) end = Math.max(end, last.time);
  return end;
}

function readPageEvents(value: unknown, warnings: string[]): PageEvent[] {
  if (!Array.isArray(value)) return [];
  const events: PageEvent[] = [];
  let skipped = 0;
  for (const raw of value) {
    const time = isObject(raw) ? finiteNumber(raw.time) : undefined;
    if (!isObject(raw) || time === undefined || !oneOf(PAGE_EVENT_TYPES, raw.type)) {
      skipped++;
      continue;
    }
    const event: PageEvent = { type: raw.type, time };
    const frameUrl = optionalString(raw.frameUrl);
    if (frameUrl !== undefined) event.frameUrl = frameUrl;
    const frameId = finiteNumber(raw.frameId);
    if (frameId !== undefined) event.frameId = frameId;
    const detail = optionalString(raw.detail);
    if (detail !== undefined) event.detail = detail;
    const lateMs = finiteNumber(raw.lateMs);
    if (lateMs !== undefined) event.lateMs = lateMs;
    events.push(event);
  }
  if (skipped > 0) warnings.push(`${skipped} page event${skipped === 1 ? ' was' : 's were'} unreadable and left out.`);
  return events;
}

function readNotes(value: unknown): Note[] {
  if (!Array.isArray(value)) return [];
  const notes: Note[] = [];
  for (const raw of value) {
    if (!isObject(raw)) continue;
    const id = optionalString(raw.id);
    const time = finiteNumber(raw.time);
    const text = optionalString(raw.text);
    if (id !== undefined && time !== undefined && text !== undefined) notes.push({ id, time, text });
  }
  return notes;
}

/** Every optional counter of DropCounts: a loss the file reports is never dropped on import. */
const OPTIONAL_DROP_COUNTS = ['budgetPreviews', 'heldBlobPreviews', 'unreadMessages', 'lostBatches', 'droppedConnections', 'droppedPageEvents'] as const satisfies readonly (keyof DropCounts)[];

function readDropCounts(value: unknown): DropCounts {
  const raw = isObject(value) ? value : {};
  const counts: DropCounts = {
    messages: nonNegativeInteger(raw.messages) ?? 0,
    previews: nonNegativeInteger(raw.previews) ?? 0,
    rejected: nonNegativeInteger(raw.rejected) ?? 0,
  };
  for (const field of OPTIONAL_DROP_COUNTS) {
    const count = nonNegativeInteger(raw[field]);
    if (count !== undefined) counts[field] = count;
  }
  return counts;
}

function readFindings(value: unknown, warnings: string[]): Finding[] {
  if (!Array.isArray(value)) return [];
  const findings: Finding[] = [];
  let skipped = 0;
  for (const raw of value) {
    const finding = readFinding(raw);
    if (finding) findings.push(finding);
    else skipped++;
  }
  if (skipped > 0) warnings.push(`${skipped} saved finding${skipped === 1 ? ' was' : 's were'} unreadable and left out.`);
  return findings;
}

function readFinding(raw: unknown): Finding | undefined {
  if (!isObject(raw) || !oneOf(FINDING_KINDS, raw.kind)) return undefined;
  const title = optionalString(raw.title);
  const detail = optionalString(raw.detail);
  const confidence = finiteNumber(raw.confidence);
  const fix = optionalString(raw.fix);
  if (title === undefined || detail === undefined || confidence === undefined || fix === undefined) return undefined;
  const finding: Finding = {
    kind: raw.kind,
    title,
    detail,
    confidence: Math.min(1, Math.max(0, confidence)),
    connections: stringArray(raw.connections),
    fix,
  };
  const periodMs = finiteNumber(raw.periodMs);
  if (periodMs !== undefined) finding.periodMs = periodMs;
  if (oneOf(SILENCE_BASES, raw.basis)) finding.basis = raw.basis;
  if (Array.isArray(raw.suspects)) {
    const suspects: Suspect[] = [];
    for (const suspect of raw.suspects) {
      if (!isObject(suspect)) continue;
      const name = optionalString(suspect.name);
      const knob = optionalString(suspect.knob);
      const defaultMs = finiteNumber(suspect.defaultMs);
      if (name !== undefined && knob !== undefined && defaultMs !== undefined) suspects.push({ name, knob, defaultMs });
    }
    finding.suspects = suspects;
  }
  if (Array.isArray(raw.identified)) {
    const identified: Identified[] = [];
    for (const item of raw.identified) {
      if (!isObject(item)) continue;
      const name = optionalString(item.name);
      const evidence = optionalString(item.evidence);
      if (name === undefined || evidence === undefined) continue;
      const entry: Identified = { name, evidence };
      const knob = optionalString(item.knob);
      if (knob !== undefined) entry.knob = knob;
      const defaultMs = finiteNumber(item.defaultMs);
      if (defaultMs !== undefined) entry.defaultMs = defaultMs;
      identified.push(entry);
    }
    if (identified.length) finding.identified = identified;
  }
  return finding;
}
