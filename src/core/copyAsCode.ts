// "Copy as code": a recorded connection and the messages the user selected,
// as a snippet that opens the same URL with the same sub-protocols and sends
// the same messages in order: browser JavaScript, Node with the `ws`
// package, or a websocat command line. Pure: strings in, a string out.
//
// Every recorded string is page data and may be hostile (quotes, backticks,
// `${}`, `$(...)`, line breaks, U+2028): it only ever appears inside a
// JSON.stringify'd JavaScript string literal or a single-quoted shell word,
// never in a comment or a template literal.
import type { Connection, Message } from './model';
import { redactSession, REDACTED_MARKER, type RedactOptions } from './redact';
import { emptySession } from './model';

export type CodeFlavor = 'browser' | 'node' | 'websocat';

export const CODE_FLAVORS: readonly { flavor: CodeFlavor; label: string }[] = [
  { flavor: 'browser', label: 'Browser JavaScript' },
  { flavor: 'node', label: 'Node.js (ws)' },
  { flavor: 'websocat', label: 'websocat' },
];

export interface CopyAsCodeOptions {
  /** Redact secrets in the URL, the sub-protocols and the text payloads (src/core/redact.ts); binary payloads are kept, as in exports. */
  redact?: RedactOptions | boolean;
}

export type CopyConnection = Pick<Connection, 'url' | 'protocols'> & Partial<Pick<Connection, 'frameUrl'>>;
export type CopyMessage = Pick<Message, 'index' | 'opcode' | 'preview' | 'truncated'> & Partial<Pick<Message, 'evicted' | 'direction'>>;

export interface GeneratedCode {
  flavor: CodeFlavor;
  code: string;
  /** Messages left out, and why (a truncated or evicted preview cannot be replayed). */
  skipped: { index: number; reason: string }[];
  /** Secrets were replaced by the marker: the snippet needs them back before it can run. */
  redacted: boolean;
}

interface Replay {
  url: string;
  protocols: string[];
  origin?: string;
  messages: (({ text: string } | { base64: string }) & { index: number })[];
  skipped: { index: number; reason: string }[];
  redacted: boolean;
}

/** The snippet for one flavor. `messages` are sent in the order given. */
export function copyAsCode(flavor: CodeFlavor, connection: CopyConnection, messages: readonly CopyMessage[], options: CopyAsCodeOptions = {}): GeneratedCode {
  const replay = prepare(connection, messages, options);
  const code = flavor === 'browser' ? browserSnippet(replay) : flavor === 'node' ? nodeSnippet(replay) : websocatCommand(replay);
  return { flavor, code, skipped: replay.skipped, redacted: replay.redacted };
}

function prepare(connection: CopyConnection, messages: readonly CopyMessage[], options: CopyAsCodeOptions): Replay {
  const skipped: Replay['skipped'] = [];
  const kept: CopyMessage[] = [];
  for (const message of messages) {
    if (message.evicted) skipped.push({ index: message.index, reason: 'its preview was evicted by the memory cap' });
    else if (message.truncated) skipped.push({ index: message.index, reason: 'only the start of it was recorded (preview truncated)' });
    else kept.push(message);
  }
  let url = connection.url;
  let protocols = [...connection.protocols];
  let previews = kept.map((message) => message.preview);
  const redactOptions = options.redact === true ? {} : options.redact || undefined;
  if (redactOptions) {
    // Through redactSession, so URLs, sub-protocol credentials and payloads follow exactly the export's rules.
    const session = emptySession('copy-as-code', 0);
    session.connections.push({
      id: 'copy',
      frameUrl: '',
      url,
      protocols,
      createdAt: 0,
      messages: kept.map((message, i) => ({ index: i, direction: message.direction ?? 'send', time: 0, opcode: message.opcode, size: message.preview.length, preview: message.preview, truncated: false })),
    });
    const redacted = redactSession(session, redactOptions).connections[0];
    url = redacted.url;
    protocols = redacted.protocols;
    previews = redacted.messages.map((message) => message.preview);
  }
  const origin = originOf(connection.frameUrl);
  const replayMessages = kept.map((message, i) => ({ index: message.index, ...(message.opcode === 2 ? { base64: previews[i].replace(/\s+/g, '') } : { text: previews[i] }) }));
  const redacted = Boolean(redactOptions) && [url, ...protocols, ...previews].some((text) => text.includes(REDACTED_MARKER));
  return { url, protocols, ...(origin ? { origin } : {}), messages: replayMessages, skipped, redacted };
}

/** The page's origin, which ws and websocat can send as Origin (servers often check it); only http(s). */
function originOf(frameUrl: string | undefined): string | undefined {
  if (!frameUrl) return undefined;
  try {
    const url = new URL(frameUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// JavaScript

/** A JavaScript string literal. JSON.stringify escapes quotes, backslashes and control characters; U+2028/9 are escaped too, for engines before ES2019. */
export function jsString(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function jsArray(texts: readonly string[]): string {
  return `[${texts.map(jsString).join(', ')}]`;
}

function jsMessages(replay: Replay): string {
  if (!replay.messages.length) return '[]';
  const lines = replay.messages.map((message) => ('text' in message ? `  { text: ${jsString(message.text)} },` : `  { base64: ${jsString(message.base64)} },`));
  return `[\n${lines.join('\n')}\n]`;
}

function headerComments(replay: Replay, comment: string): string[] {
  const lines = [`${comment} Recorded by SocketScope: opens the socket and sends ${replay.messages.length === 1 ? '1 message' : `${replay.messages.length} messages`} in order.`];
  if (replay.redacted) lines.push(`${comment} Secrets were replaced by ${REDACTED_MARKER}: put real values back before running.`);
  if (replay.skipped.length) lines.push(`${comment} Left out: ${replay.skipped.map((skip) => `#${skip.index}`).join(', ')} (preview truncated or evicted).`);
  return lines;
}

function browserSnippet(replay: Replay): string {
  return [
    ...headerComments(replay, '//'),
    `// Paste into the DevTools console of a page of the same origin (servers often check Origin).`,
    `const url = ${jsString(replay.url)};`,
    `const protocols = ${jsArray(replay.protocols)};`,
    `const messages = ${jsMessages(replay)};`,
    `const socket = new WebSocket(url, protocols);`,
    `socket.binaryType = "arraybuffer";`,
    `socket.addEventListener("open", () => {`,
    `  for (const message of messages) {`,
    `    socket.send("text" in message ? message.text : Uint8Array.from(atob(message.base64), (c) => c.charCodeAt(0)));`,
    `  }`,
    `});`,
    `socket.addEventListener("message", (event) => console.log("received", event.data));`,
    `socket.addEventListener("close", (event) => console.log("closed", event.code, event.reason));`,
    '',
  ].join('\n');
}

function nodeSnippet(replay: Replay): string {
  const options = replay.origin ? `, { origin: ${jsString(replay.origin)} }` : '';
  return [
    ...headerComments(replay, '//'),
    `// Node.js 18 or later, as an ES module (snippet.mjs), with the ws package: npm install ws`,
    `import WebSocket from "ws";`,
    ``,
    `const url = ${jsString(replay.url)};`,
    `const protocols = ${jsArray(replay.protocols)};`,
    `const messages = ${jsMessages(replay)};`,
    `const socket = new WebSocket(url, protocols${options});`,
    `socket.on("open", () => {`,
    `  for (const message of messages) {`,
    `    socket.send("text" in message ? message.text : Buffer.from(message.base64, "base64"));`,
    `  }`,
    `});`,
    `socket.on("message", (data, isBinary) => console.log("received", isBinary ? data : data.toString()));`,
    `socket.on("close", (code, reason) => console.log("closed", code, reason.toString()));`,
    `socket.on("error", (error) => console.error(error.message));`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------
// websocat

/** A single-quoted POSIX shell word: nothing inside is expanded; a quote is closed, escaped and reopened. */
export function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Lines websocat reads as messages: `T:` text, `B:` binary as base64 (with --text-prefix / --binary-prefix / --base64). */
const TEXT_PREFIX = 'T:';
const BINARY_PREFIX = 'B:';

/**
 * websocat turns each line of its standard input into one message. So each
 * message is printed as one line by `printf '%s\n'` (every argument is a
 * single-quoted word, never interpreted), prefixed so that text and binary
 * mix; a text with a line break switches to NUL-separated lines (`-0`).
 * A text containing NUL cannot be passed through a shell argument: it is
 * left out and said.
 */
function websocatCommand(replay: Replay): string {
  const skipped = [...replay.skipped];
  const lines: string[] = [];
  replay.messages.forEach((message) => {
    if ('text' in message) {
      if (message.text.includes('\0')) skipped.push({ index: message.index, reason: 'a text with a NUL character cannot be a shell argument' });
      else lines.push(TEXT_PREFIX + message.text);
    } else lines.push(BINARY_PREFIX + message.base64);
  });
  const separatorNul = lines.some((line) => /[\r\n]/.test(line));
  const flags: string[] = [];
  if (replay.protocols.length) flags.push('--protocol', shellWord(replay.protocols.join(', ')));
  if (replay.origin) flags.push('--origin', shellWord(replay.origin));
  const comments = headerComments({ ...replay, skipped }, '#');
  comments.push('# websocat sends each input line as one message: T: lines as text, B: lines as binary (base64); -n keeps the socket open for replies.');
  if (!lines.length) return [...comments, ['websocat', ...flags, shellWord(replay.url)].join(' '), ''].join('\n');
  const format = separatorNul ? `'%s\\0'` : `'%s\\n'`;
  const websocat = ['websocat', '-n', ...(separatorNul ? ['-0'] : []), '--text-prefix', shellWord(TEXT_PREFIX), '--binary-prefix', shellWord(BINARY_PREFIX), '--base64', ...flags, shellWord(replay.url)];
  return [...comments, `printf ${format} ${lines.map(shellWord).join(' ')} | ${websocat.join(' ')}`, ''].join('\n');
}
