// `socketscope analyze FILE [--json]`: the diagnosis of src/core, in a terminal.
//
// Runs in node. Everything it knows about WebSockets comes from src/core,
// unchanged; this file only reads the file, and prints.

import { constants as bufferConstants } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';

import { analyzeSession } from '../core/analysis';
import { endpointKey } from '../core/chains';
import { explainCloseCode } from '../core/closeCodes';
import type { ConnectionFacts } from '../core/facts';
import type { Finding } from '../core/finding';
import { errorText, formatBytes, formatMeasured } from '../core/format';
import { type HarImport } from '../core/har';
import { HarStreamReader } from '../core/har/importStream';
import { previewMayBeRecognised } from '../core/heartbeat';
import { JsonStringTooLongError, JsonSyntaxError } from '../core/jsonStream';
import type { CloseInitiator, Connection, HandshakeEvidence, Session } from '../core/model';
import { identifiedAmong } from '../core/diagnosis';
import type { IdentifiedIntermediary } from '../core/fingerprints';
import { handshakeLine } from '../core/handshakeStatus';
import { jsonForTerminal, lineWriter, textLines } from './escape';

export interface CliIo {
  /** Receives whole lines, each ending with '\n'. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Bytes read at a time. The file is never held whole: each chunk is parsed as it is read (src/core/jsonStream.ts)
 * and each message goes into columns, then the model, so the peak is the model, not the text (docs/decisions.md, 44).
 * There is no limit on the file's size (JSON.parse of one string had one: 512 MiB). Measured with
 * `/usr/bin/time -v node dist/cli/socketscope.mjs analyze FILE` on `node scripts/gen-har.mjs --mb N [--non-latin1]`
 * files (node 20): 100 MB (428k messages) 160 MB peak, with or without characters beyond Latin-1 (262 and 471 MB
 * before); 490 MB (2.1M messages, beyond Latin-1) 491 MB (1.97 GB before); 700 MB 667 MB. What remains is the model
 * (about 120 bytes per message), node itself (about 45 MB) and V8's young generation (about 30 MB).
 */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Stop when the JavaScript heap would be this full: node would otherwise end with a fatal error and a stack
 * (the model of a huge file can outgrow the default heap of a small machine).
 */
export const HEAP_USE_LIMIT = 0.9;

/**
 * What one message of the model costs on the heap, generously: the Message object (about 120 bytes measured on
 * node 20, 64-bit) and its share of the analysis. Checked before the messages are built, once the file is read.
 */
export const HEAP_BYTES_PER_MESSAGE = 160;

export const USAGE = `Usage: socketscope analyze FILE [--json]

Reads a HAR file exported by SocketScope (or by Chrome DevTools' Network
panel) and explains why its WebSockets dropped: per endpoint, the connections,
their lifetimes, how they closed, their heartbeat, and the causes found.

Options:
  --json      print the findings and a summary of every connection as JSON
  -h, --help  print this help

Exit codes:
  0  the report was printed (whether or not it found problems)
  1  the file is missing, unreadable, not a HAR, has no WebSocket entries,
     or holds a time outside the range of dates
  2  wrong usage
`;

class CliError extends Error {}

/**
 * Runs the command line. `args` are the user's arguments (process.argv without
 * node and the script path). Returns the exit code; never throws, never prints
 * a stack.
 */
export async function main(args: string[], sink: CliIo): Promise<number> {
  // Every line printed goes through here, escaped: the file's strings cannot drive the terminal (src/cli/escape.ts).
  const io = lineWriter(sink);
  const parsed = parseArgs(args);
  if (parsed.kind === 'help') {
    io.stdout(textLines(USAGE));
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    io.stderr([`socketscope: ${parsed.message}`, '', ...textLines(USAGE)]);
    return 2;
  }
  try {
    const imported = await loadHar(parsed.file);
    const report = analyze(imported);
    if (parsed.json) io.stdout(textLines(jsonForTerminal({ file: parsed.file, ...report })));
    else io.stdout(formatReport(parsed.file, imported.session, report));
    return 0;
  } catch (error) {
    if (error instanceof CliError) io.stderr([`socketscope: ${error.message}`]);
    else io.stderr([`socketscope: internal error while analysing ${parsed.file}: ${errorText(error)}`]);
    return 1;
  }
}

// ---------------------------------------------------------------------------
// Arguments

type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'analyze'; file: string; json: boolean };

function parseArgs(args: string[]): ParsedArgs {
  const positionals: string[] = [];
  let json = false;
  let optionsEnded = false;
  for (const arg of args) {
    if (!optionsEnded && arg === '--') optionsEnded = true;
    else if (!optionsEnded && (arg === '-h' || arg === '--help')) return { kind: 'help' };
    else if (!optionsEnded && arg === '--json') json = true;
    // A lone '-' is a file name by convention, not an option.
    else if (!optionsEnded && arg.startsWith('-') && arg !== '-') return { kind: 'usage-error', message: `unknown option ${arg}` };
    else positionals.push(arg);
  }
  if (positionals.length === 0) return { kind: 'usage-error', message: 'missing command' };
  const [command, ...files] = positionals;
  if (command === 'help') return { kind: 'help' };
  if (command !== 'analyze') return { kind: 'usage-error', message: `unknown command "${command}"` };
  if (files.length === 0) return { kind: 'usage-error', message: 'analyze needs a FILE' };
  if (files.length > 1) return { kind: 'usage-error', message: `analyze takes one FILE, got ${files.length}` };
  return { kind: 'analyze', file: files[0], json };
}

// ---------------------------------------------------------------------------
// Reading the file

async function loadHar(path: string): Promise<HarImport> {
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CliError(`${path} is a directory, not a HAR file`);
    sizeBytes = info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  if (sizeBytes === 0) throw new CliError(`${path} is empty: it is not a HAR file`);
  const imported = readHar(path);
  const badTime = outOfRangeTime(imported.session);
  if (badTime) {
    throw new CliError(
      `${path}: ${badTime.where}${badTime.field} is ${badTime.value} ms, outside the range of JavaScript dates ` +
        '(±8.64e15 ms around 1970): the file is damaged or was edited. Fix or remove that value.',
    );
  }
  return imported;
}

/** ECMAScript's Date range: ±100,000,000 days around the epoch (ECMA-262 §21.4.1.22, TimeClip). */
export const MAX_DATE_MS = 8.64e15;

export interface OutOfRangeTime {
  /** '' for the session, else 'connection "ID": ' (and the message's position). */
  where: string;
  /** The field as the session model (and our HAR extras) names it. */
  field: string;
  value: number;
}

/**
 * The first time in the session that no Date can hold. The import keeps any
 * finite number; a time beyond the Date range would make every duration
 * around it meaningless, so the CLI refuses the file and names the value
 * rather than printing nonsense (or, before, "internal error").
 */
export function outOfRangeTime(session: Session): OutOfRangeTime | undefined {
  const bad = (value: number | undefined): value is number => value !== undefined && !(Math.abs(value) <= MAX_DATE_MS);
  const sessionTimes: Array<[string, number | undefined]> = [
    ['startedAt', session.startedAt],
    ['endedAt', session.endedAt],
  ];
  for (const [field, value] of sessionTimes) if (bad(value)) return { where: 'session ', field, value };
  for (const connection of session.connections) {
    const where = `connection "${connection.id}": `;
    const times: Array<[string, number | undefined]> = [
      ['createdAt', connection.createdAt],
      ['openedAt', connection.openedAt],
      ['closedAt', connection.closedAt],
      ['closeRequestedAt', connection.closeRequestedAt],
      ['errorAt', connection.errorAt],
      ['close.time', connection.close?.time],
    ];
    for (const [field, value] of times) if (bad(value)) return { where, field, value };
    for (const message of connection.messages) {
      if (bad(message.time)) return { where: `${where}message ${message.index} `, field: 'time', value: message.time };
    }
  }
  for (const event of session.pageEvents) if (bad(event.time)) return { where: `page event "${event.type}" `, field: 'time', value: event.time };
  for (const note of session.notes) if (bad(note.time)) return { where: `note "${note.id}" `, field: 'time', value: note.time };
  return undefined;
}

export interface ReadHarOptions {
  /** Bytes per read (tests use a few). */
  chunkBytes?: number;
  /** The longest string in the file (tests force a small one). */
  maxStringLength?: number;
  /** The heap's use and limit, read after each chunk (tests give their own). */
  heapStatistics?: () => { used_heap_size: number; heap_size_limit: number };
}

/**
 * Reads and imports the HAR at `path` one chunk at a time: the file is never held whole, neither as bytes nor
 * as text, and its messages keep only the previews heartbeat recognition reads (the CLI prints none). Throws
 * CliError with the line to print.
 */
export function readHar(path: string, options: ReadHarOptions = {}): HarImport {
  const reader = new HarStreamReader({
    createDecoder: () => new TextDecoder('utf-8', { ignoreBOM: true }),
    keepPreview: previewMayBeRecognised,
    maxStringLength: options.maxStringLength ?? bufferConstants.MAX_STRING_LENGTH,
  });
  const heapStatistics = options.heapStatistics ?? getHeapStatistics;
  let converting = false;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  try {
    const buffer = Buffer.allocUnsafe(options.chunkBytes ?? CHUNK_BYTES);
    let offset = 0;
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
      }
      if (read === 0) break;
      reader.push(buffer.subarray(0, read));
      offset += read;
      checkHeap(path, heapStatistics, `after ${formatBytes(offset)} of the file`, 0);
    }
    // The messages are read into columns; their objects are built now: make sure they fit first.
    checkHeap(path, heapStatistics, `to hold its ${reader.messageCount.toLocaleString('en-US')} messages`, reader.messageCount * HEAP_BYTES_PER_MESSAGE);
    converting = true;
    return reader.end();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof JsonStringTooLongError) throw new CliError(`cannot read ${path}: it holds ${error.message}.`);
    if (error instanceof JsonSyntaxError) throw new CliError(`${path} is not valid JSON, so it is not a HAR file (${error.message})`);
    // fromHar's messages are meant for people: the file is JSON, but not a HAR it can read. Anything else is ours.
    if (converting) throw new CliError(`${path}: ${errorText(error)}`);
    throw error;
  } finally {
    closeSync(fd);
  }
}

function checkHeap(path: string, heapStatistics: () => { used_heap_size: number; heap_size_limit: number }, when: string, neededBytes: number): void {
  const heap = heapStatistics();
  if (heap.used_heap_size + neededBytes <= heap.heap_size_limit * HEAP_USE_LIMIT) return;
  throw new CliError(
    `${path} needs more memory than node may use here: ${when}, its heap would hold ` +
      `${formatBytes(heap.used_heap_size + neededBytes)} of its ${formatBytes(heap.heap_size_limit)} limit. Give node more ` +
      `(e.g. NODE_OPTIONS=--max-old-space-size=${Math.ceil((Math.max(heap.heap_size_limit, heap.used_heap_size + neededBytes) * 2) / 2 ** 20)}), ` +
      'or export a shorter time range.',
  );
}

function describeFsError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return errorText(error);
  }
}

// ---------------------------------------------------------------------------
// Analysis (pure: the data behind both the text and the JSON output)

export interface RangeSummary {
  minMs: number;
  medianMs: number;
  maxMs: number;
}

export interface CloseSummary {
  code: number;
  name: string;
  count: number;
  initiators: Partial<Record<CloseInitiator, number>>;
  /** How many of them a simulation caused (Reproduce and verify): not real drops, never counted by the findings. */
  simulated?: number;
}

export interface ConnectionSummary {
  id: string;
  url: string;
  endpoint: string;
  createdAt: string;
  /** Open → close (or creation → close when it never opened). */
  lifetimeMs?: number;
  handshakeFailed: boolean;
  stillOpen: boolean;
  close?: { code: number; name: string; reason: string; wasClean: boolean; initiator: CloseInitiator; simulated?: true };
  /** Time between the last message (either direction) and the close. */
  idleBeforeCloseMs?: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  heartbeat?: { protocol?: string; intervalMs?: number; direction?: string };
  /** The handshake as the browser saw it: its status line (and IP), or why it is missing. Absent in files without handshakes. */
  handshake?: { evidence?: HandshakeEvidence; line: string; status?: number };
}

export interface EndpointSummary {
  endpoint: string;
  url: string;
  /** Present for event streams (EventSource). */
  kind?: 'eventsource';
  connectionIds: string[];
  lifetimes?: RangeSummary;
  idleBeforeClose?: RangeSummary;
  closes: CloseSummary[];
  /** Closed, but the file does not say how (Chrome's HAR). */
  closesUnknown: number;
  stillOpen: number;
  handshakeFailures: number;
  heartbeat?: { protocol?: string; intervalMs?: number; direction?: string };
  /** Positions in `findings` of the findings about this endpoint. */
  findingIndices: number[];
  /** Each distinct handshake line of the endpoint's connections, with how many had it. */
  handshakes: { line: string; count: number }[];
  /** Intermediaries named by the handshakes' response headers (seen, quoted), outermost first. */
  identified: IdentifiedIntermediary[];
}

export interface AnalysisReport {
  source: HarImport['source'];
  sessionSource?: Session['source'];
  warnings: string[];
  findings: Finding[];
  endpoints: EndpointSummary[];
  connections: ConnectionSummary[];
}

export function analyze(imported: HarImport): AnalysisReport {
  const session = imported.session;
  // Fresh recognition (in place), so files from older versions and Chrome's HAR get heartbeat roles too.
  const { chains, facts, findings } = analyzeSession(session);

  const connectionSummaries: ConnectionSummary[] = [];
  const endpoints: EndpointSummary[] = [];
  for (const chain of chains) {
    const chainFacts = chain.connections.map((connection) => factsOf(facts, connection));
    const summaries = chain.connections.map((connection, i) => summarizeConnection(connection, chainFacts[i]));
    for (const summary of summaries) connectionSummaries.push(summary);
    const ids = new Set(chain.connections.map((connection) => connection.id));
    endpoints.push({
      endpoint: chain.key,
      url: chain.url,
      ...(chain.connections.every((connection) => connection.kind === 'eventsource') ? { kind: 'eventsource' as const } : {}),
      connectionIds: [...ids],
      lifetimes: rangeOf(summaries.map((s) => s.lifetimeMs)),
      idleBeforeClose: rangeOf(summaries.map((s) => s.idleBeforeCloseMs)),
      closes: closeSummaries(chain.connections),
      closesUnknown: chainFacts.filter((f) => f.severity === 'unknown').length,
      stillOpen: summaries.filter((s) => s.stillOpen).length,
      handshakeFailures: summaries.filter((s) => s.handshakeFailed).length,
      heartbeat: chainHeartbeat(summaries),
      findingIndices: findings
        .map((finding, index) => (finding.connections.some((id) => ids.has(id)) ? index : -1))
        .filter((index) => index >= 0),
      handshakes: handshakeCounts(summaries),
      identified: identifiedAmong(chain.connections),
    });
  }
  return {
    source: imported.source,
    sessionSource: session.source,
    warnings: imported.warnings,
    findings,
    endpoints,
    connections: connectionSummaries,
  };
}

function factsOf(facts: Map<string, ConnectionFacts>, connection: Connection): ConnectionFacts {
  const found = facts.get(connection.id);
  // analyzeSession gives every connection of the session its facts; a miss is a bug in core, not in the file.
  if (!found) throw new Error(`no analysis for connection ${connection.id}`);
  return found;
}

function summarizeConnection(connection: Connection, facts: ConnectionFacts): ConnectionSummary {
  const summary: ConnectionSummary = {
    id: connection.id,
    url: connection.url,
    endpoint: endpointKey(connection.url),
    createdAt: new Date(connection.createdAt).toISOString(),
    handshakeFailed: facts.handshake === 'failed',
    stillOpen: facts.state !== 'closed' && facts.state !== 'failed',
    messagesSent: facts.counts.sent,
    messagesReceived: facts.counts.received,
    bytesSent: facts.counts.sentBytes,
    bytesReceived: facts.counts.receivedBytes,
  };
  if (facts.lifetimeMs !== undefined) summary.lifetimeMs = roundMs(facts.lifetimeMs);
  if (facts.silenceBeforeEndMs !== undefined) summary.idleBeforeCloseMs = roundMs(facts.silenceBeforeEndMs.any);
  if (connection.close) {
    summary.close = {
      code: connection.close.code,
      name: explainCloseCode(connection.close.code, connection.close.reason).name,
      reason: connection.close.reason,
      wasClean: connection.close.wasClean,
      initiator: connection.close.initiator,
    };
    if (connection.close.simulated) summary.close.simulated = true;
  }
  const line = handshakeLine(connection);
  if (line !== undefined) {
    summary.handshake = { line };
    if (connection.handshakeEvidence) summary.handshake.evidence = connection.handshakeEvidence;
    if (connection.handshake) summary.handshake.status = connection.handshake.status;
  }
  const stats = facts.heartbeat;
  if (stats.intervalMs !== undefined || (stats.protocol !== undefined && stats.direction !== undefined)) {
    const intervalMs = stats.intervalMs ?? stats.declaredIntervalMs;
    summary.heartbeat = {
      protocol: stats.protocol,
      intervalMs: intervalMs === undefined ? undefined : roundMs(intervalMs),
      direction: stats.direction,
    };
  }
  return summary;
}

function handshakeCounts(summaries: ConnectionSummary[]): EndpointSummary['handshakes'] {
  const counts = new Map<string, number>();
  for (const summary of summaries) if (summary.handshake) counts.set(summary.handshake.line, (counts.get(summary.handshake.line) ?? 0) + 1);
  return [...counts].map(([line, count]) => ({ line, count })).sort((a, b) => b.count - a.count);
}

function closeSummaries(connections: Connection[]): CloseSummary[] {
  const byCode = new Map<number, CloseSummary>();
  for (const connection of connections) {
    const close = connection.close;
    if (!close) continue;
    let summary = byCode.get(close.code);
    if (!summary) {
      summary = { code: close.code, name: explainCloseCode(close.code).name, count: 0, initiators: {} };
      byCode.set(close.code, summary);
    }
    summary.count++;
    summary.initiators[close.initiator] = (summary.initiators[close.initiator] ?? 0) + 1;
    if (close.simulated) summary.simulated = (summary.simulated ?? 0) + 1;
  }
  return [...byCode.values()].sort((a, b) => b.count - a.count || a.code - b.code);
}

/** The heartbeat most connections of the chain share (protocol, with the median of their intervals). */
function chainHeartbeat(summaries: ConnectionSummary[]): EndpointSummary['heartbeat'] {
  const byProtocol = new Map<string, ConnectionSummary[]>();
  for (const summary of summaries) {
    if (!summary.heartbeat) continue;
    const key = summary.heartbeat.protocol ?? '';
    byProtocol.set(key, [...(byProtocol.get(key) ?? []), summary]);
  }
  let best: ConnectionSummary[] | undefined;
  for (const group of byProtocol.values()) if (!best || group.length > best.length) best = group;
  if (!best) return undefined;
  const interval = rangeOf(best.map((s) => s.heartbeat?.intervalMs));
  return { protocol: best[0].heartbeat?.protocol, intervalMs: interval?.medianMs, direction: best[0].heartbeat?.direction };
}

/** Timestamps are floats in ms; a microsecond is more precision than any cause needs, and keeps the JSON readable. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function rangeOf(values: Array<number | undefined>): RangeSummary | undefined {
  const numbers = values.filter((value): value is number => value !== undefined && Number.isFinite(value)).sort((a, b) => a - b);
  if (numbers.length === 0) return undefined;
  const middle = Math.floor(numbers.length / 2);
  const medianMs = numbers.length % 2 ? numbers[middle] : (numbers[middle - 1] + numbers[middle]) / 2;
  return { minMs: numbers[0], medianMs, maxMs: numbers[numbers.length - 1] };
}

// ---------------------------------------------------------------------------
// Text output

const SOURCE_LABELS: Record<HarImport['source'], string> = {
  'socketscope-har': 'SocketScope HAR',
  'chrome-har': 'HAR from Chrome DevTools (or another tool)',
};

/** The report's lines, unescaped: main writes them through lineWriter. */
export function formatReport(file: string, session: Session, report: AnalysisReport): string[] {
  const lines: string[] = [];
  lines.push(`SocketScope analysis of ${file}`);
  const about = [SOURCE_LABELS[report.source]];
  if (session.name) about.push(`session "${session.name}"`);
  if (session.pageUrl) about.push(`page ${session.pageUrl}`);
  lines.push(about.join(', '));
  const total = report.connections.length;
  lines.push(`${total} connection${total === 1 ? '' : 's'} to ${report.endpoints.length} endpoint${report.endpoints.length === 1 ? '' : 's'}`);
  for (const warning of report.warnings) lines.push(`Note: ${warning}`);

  const printed = new Set<number>();
  for (const endpoint of report.endpoints) {
    lines.push('');
    lines.push(endpoint.kind === 'eventsource' ? `${endpoint.url} (event stream: each browser reconnect is a connection)` : `${endpoint.url}`);
    const count = endpoint.connectionIds.length;
    lines.push(`  Connections: ${count}${count > 1 ? ' (a reconnect chain)' : ''}`);
    if (endpoint.lifetimes) lines.push(`  Lifetimes:   ${formatRange(endpoint.lifetimes)}`);
    if (endpoint.idleBeforeClose) lines.push(`  Silence before close: ${formatRange(endpoint.idleBeforeClose)}`);
    const closeParts = endpoint.closes.map(
      (close) => `${close.count} x ${close.code} ${close.name} (${formatInitiators(close.initiators)}${close.simulated ? `; ${close.simulated} simulated, not real` : ''})`,
    );
    if (endpoint.closesUnknown > 0) closeParts.push(`${endpoint.closesUnknown} closed, code unknown`);
    if (endpoint.handshakeFailures > 0) closeParts.push(`${endpoint.handshakeFailures} handshake failed`);
    if (endpoint.stillOpen > 0) closeParts.push(`${endpoint.stillOpen} open at the end of the recording`);
    lines.push(`  Closes:      ${closeParts.length > 0 ? closeParts.join('; ') : 'none'}`);
    lines.push(`  Heartbeat:   ${formatHeartbeat(endpoint.heartbeat)}`);
    if (endpoint.handshakes.length > 0) {
      lines.push(`  Handshake:   ${endpoint.handshakes.map(({ line, count }) => `${count} x ${line.replace(/^Handshake /, '')}`).join('; ')}`);
    }
    if (endpoint.identified.length > 0) lines.push(`  ${identifiedLine(endpoint.identified)}`);
    if (endpoint.findingIndices.length === 0) {
      lines.push('  Findings:    none');
    } else {
      lines.push('  Findings:');
      for (const index of endpoint.findingIndices) {
        printed.add(index);
        lines.push(...formatFinding(report.findings[index], '    '));
      }
    }
  }

  // Findings not tied to a connection (page-wide causes) still deserve a place.
  const rest = report.findings.map((finding, index) => ({ finding, index })).filter(({ index }) => !printed.has(index));
  if (rest.length > 0) {
    lines.push('');
    lines.push('Page-wide findings:');
    for (const { finding } of rest) lines.push(...formatFinding(finding, '  '));
  }
  if (report.findings.length === 0) {
    lines.push('');
    lines.push('No cause found: the connections look healthy, or the recording is too short to tell.');
  }
  return lines;
}

function formatFinding(finding: Finding, indent: string): string[] {
  const lines: string[] = [];
  const strength = finding.confidence >= 0.6 ? 'finding' : 'hint';
  lines.push(`${indent}* ${finding.title} [${finding.kind}, ${strength}, confidence ${Math.round(finding.confidence * 100)}%]`);
  const more = `${indent}  `;
  lines.push(`${more}${finding.detail}`);
  const facts: string[] = [];
  if (finding.periodMs !== undefined) facts.push(`period ${formatMeasured(finding.periodMs)}`);
  if (finding.basis) facts.push(`silence counted on ${finding.basis === 'any' ? 'both directions' : `${finding.basis} messages`}`);
  if (facts.length > 0) lines.push(`${more}${capitalize(facts.join(', '))}`);
  if (finding.identified && finding.identified.length > 0) {
    lines.push(`${more}${identifiedLine(finding.identified)}`);
    for (const item of finding.identified) {
      if (item.knob) lines.push(`${more}  - ${item.name}: ${item.knob}${item.defaultMs !== undefined ? ` (default ${formatMeasured(item.defaultMs)})` : ''}`);
    }
  }
  if (finding.suspects && finding.suspects.length > 0) {
    lines.push(`${more}${finding.identified?.length ? 'Suspected (not seen in the handshake):' : 'Suspects:'}`);
    for (const suspect of finding.suspects) {
      lines.push(`${more}  - ${suspect.name}: ${suspect.knob} (default ${formatMeasured(suspect.defaultMs)})`);
    }
  }
  lines.push(`${more}Fix: ${finding.fix}`);
  lines.push(`${more}Connections: ${finding.connections.join(', ') || 'none'}`);
  return lines;
}

/** 'Identified (seen in the handshake): nginx — `server: nginx/1.22.1`'. */
function identifiedLine(identified: readonly { name: string; evidence: string }[]): string {
  return `Identified (seen in the handshake): ${identified.map((item) => `${item.name} — \`${item.evidence}\``).join('; ')}`;
}

function formatInitiators(initiators: CloseSummary['initiators']): string {
  const labels: Record<CloseInitiator, string> = { page: 'by the page', server: 'by the server', abnormal: 'no close frame', navigation: 'by the page going away' };
  return (Object.keys(labels) as CloseInitiator[])
    .filter((initiator) => (initiators[initiator] ?? 0) > 0)
    .map((initiator) => `${initiators[initiator]} ${labels[initiator]}`)
    .join(', ');
}

function formatHeartbeat(heartbeat: EndpointSummary['heartbeat']): string {
  if (!heartbeat) return 'none recognised';
  const parts = [heartbeat.protocol ?? 'recognised'];
  if (heartbeat.intervalMs !== undefined) parts.push(`every ${formatMeasured(heartbeat.intervalMs)}`);
  if (heartbeat.direction === 'send') parts.push('sent by the page');
  else if (heartbeat.direction === 'receive') parts.push('sent by the server');
  else if (heartbeat.direction === 'both') parts.push('both directions');
  return parts.join(', ');
}

function formatRange(range: RangeSummary): string {
  if (range.minMs === range.maxMs) return formatMeasured(range.minMs);
  return `min ${formatMeasured(range.minMs)}, median ${formatMeasured(range.medianMs)}, max ${formatMeasured(range.maxMs)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
