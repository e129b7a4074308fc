// Decoding of the text framings that common libraries put inside WebSocket
// messages, for people reading a message: Engine.IO / Socket.IO packets,
// SockJS frames, STOMP frames and SignalR JSON hub messages. Pure: a string
// (and hints from the connection) in, a description out; never throws.
// References: socket.io-protocol v5, engine.io-protocol v4, the SockJS
// protocol (sockjs-protocol 0.3.3), STOMP 1.2, SignalR HubProtocol (JSON).

import { parseJsonBounded, tooDeepNotice, type BoundedParse } from './jsonDepth';

export type FrameProtocol = 'Engine.IO' | 'Socket.IO' | 'SockJS' | 'STOMP' | 'SignalR';

export interface DecodedField {
  name: string;
  value: string;
}

export interface DecodedFrame {
  protocol: FrameProtocol;
  /** The packet or frame type in the protocol's words, e.g. 'EVENT', 'MESSAGE', 'Invocation'. */
  type: string;
  /** One line for people: what this frame is. */
  summary: string;
  /** Named parts: namespace, ack id, headers, invocation target… */
  fields: DecodedField[];
  /** The payload, parsed when it is JSON, else the raw text; absent when there is none. */
  data?: unknown;
  /** Frames carried inside this one (SockJS arrays, several SignalR records, STOMP over SockJS). */
  children?: DecodedFrame[];
}

export interface FrameHints {
  /** The connection's URL: /socket.io/?EIO=4, SockJS's /<server>/<session>/websocket… */
  url?: string;
  /** The negotiated sub-protocol, e.g. 'v12.stomp'. */
  protocol?: string;
}

const ENGINE_IO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
const SOCKET_IO_TYPES = ['CONNECT', 'DISCONNECT', 'EVENT', 'ACK', 'CONNECT_ERROR', 'BINARY_EVENT', 'BINARY_ACK'] as const;
const STOMP_COMMANDS = /^(CONNECT|STOMP|CONNECTED|SEND|SUBSCRIBE|UNSUBSCRIBE|ACK|NACK|BEGIN|COMMIT|ABORT|DISCONNECT|MESSAGE|RECEIPT|ERROR)\r?\n/;
const SIGNALR_TYPES: Readonly<Record<number, string>> = {
  1: 'Invocation',
  2: 'StreamItem',
  3: 'Completion',
  4: 'StreamInvocation',
  5: 'CancelInvocation',
  6: 'Ping',
  7: 'Close',
  8: 'Ack',
  9: 'Sequence',
};
const RECORD_SEPARATOR = '\u001e';
const SOCKJS_URL = /\/\d{3}\/[^/?#]+\/websocket\/?(?:[?#]|$)/;
const ENGINE_IO_URL = /[?&]EIO=\d|\/(socket|engine)\.io\//;
/** A Socket.IO packet inside an Engine.IO message, recognisable without a hint. */
const SOCKET_IO_SHAPE = /^4[0-6](\d+-)?(\/[^,]*,)?\d*(\[|\{|$)/;

/** JSON.parse up to MAX_JSON_DEPTH levels: deeper payloads stay text (summaries and trees recurse). */
function parseJson(text: string): BoundedParse {
  return parseJsonBounded(text);
}

function jsonOrText(text: string): unknown {
  if (!text) return undefined;
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : text;
}

function brief(value: unknown, maxChars = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Parsed values are depth-bounded; this is for anything else (a cycle, a BigInt).
    text = '…';
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

// ---- Socket.IO / Engine.IO ----

export function decodeSocketIo(packet: string): DecodedFrame | undefined {
  let at = 0;
  const typeCode = Number(packet[at++]);
  const type = SOCKET_IO_TYPES[typeCode];
  if (!type) return undefined;
  const fields: DecodedField[] = [];
  if (typeCode === 5 || typeCode === 6) {
    const dash = packet.indexOf('-', at);
    if (dash < 0) return undefined;
    fields.push({ name: 'attachments', value: packet.slice(at, dash) });
    at = dash + 1;
  }
  let namespace = '/';
  if (packet[at] === '/') {
    const comma = packet.indexOf(',', at);
    namespace = comma < 0 ? packet.slice(at) : packet.slice(at, comma);
    at = comma < 0 ? packet.length : comma + 1;
  }
  fields.push({ name: 'namespace', value: namespace });
  const ack = /^\d+/.exec(packet.slice(at))?.[0];
  if (ack) {
    fields.push({ name: 'ack id', value: ack });
    at += ack.length;
  }
  const rest = packet.slice(at);
  const parsed = rest ? parseJson(rest) : undefined;
  const data = parsed === undefined ? undefined : parsed.ok ? parsed.value : rest;
  if (parsed && !parsed.ok && parsed.tooDeep !== undefined) fields.push({ name: 'payload', value: tooDeepNotice(parsed.tooDeep) });
  let summary: string = type;
  if ((type === 'EVENT' || type === 'BINARY_EVENT') && Array.isArray(data)) {
    summary = `${type} "${String(data[0])}"${data.length > 1 ? ` ${brief(data.slice(1))}` : ''}`;
    fields.push({ name: 'event', value: String(data[0]) });
  } else if (type === 'ACK' || type === 'BINARY_ACK') summary = `${type} ${ack ?? ''} ${rest ? brief(data) : ''}`.trim();
  else if (type === 'CONNECT') summary = `CONNECT ${namespace}${rest ? ` ${brief(data)}` : ''}`;
  else if (type === 'DISCONNECT') summary = `DISCONNECT ${namespace}`;
  else if (type === 'CONNECT_ERROR') summary = `CONNECT_ERROR ${brief(data)}`;
  return { protocol: 'Socket.IO', type, summary, fields, ...(data === undefined ? {} : { data }) };
}

export function decodeEngineIo(text: string, hinted: boolean): DecodedFrame | undefined {
  const typeCode = Number(text[0]);
  const type = ENGINE_IO_TYPES[typeCode];
  if (type === undefined || !/^\d/.test(text)) return undefined;
  const body = text.slice(1);
  if (!hinted) {
    // Without a URL that says Engine.IO, accept only unmistakable shapes.
    const unmistakable = SOCKET_IO_SHAPE.test(text) || (typeCode === 0 && /^\{"sid"/.test(body)) || text === '2probe' || text === '3probe';
    if (!unmistakable) return undefined;
  }
  if (type === 'message') {
    const inner = body ? decodeSocketIo(body) : undefined;
    if (inner) return { ...inner, summary: inner.summary, fields: [{ name: 'engine.io', value: '4 message' }, ...inner.fields] };
    return { protocol: 'Engine.IO', type: 'message', summary: `message ${brief(body)}`, fields: [], data: jsonOrText(body) };
  }
  const fields: DecodedField[] = [];
  let summary: string = type;
  const data = jsonOrText(body);
  if (type === 'open' && data && typeof data === 'object') {
    const open = data as Record<string, unknown>;
    for (const key of ['sid', 'pingInterval', 'pingTimeout', 'maxPayload', 'upgrades']) if (key in open) fields.push({ name: key, value: brief(open[key], 60) });
    summary = `open (handshake)${typeof open.pingInterval === 'number' ? `: ping every ${open.pingInterval} ms, timeout ${String(open.pingTimeout)} ms` : ''}`;
  } else if ((type === 'ping' || type === 'pong') && body) summary = `${type} ${body}`;
  else if (type === 'ping') summary = 'ping (heartbeat)';
  else if (type === 'pong') summary = 'pong (heartbeat reply)';
  return { protocol: 'Engine.IO', type, summary, fields, ...(body ? { data } : {}) };
}

// ---- SockJS ----

export function decodeSockJs(text: string, hints: FrameHints, hinted: boolean): DecodedFrame | undefined {
  const kind = text[0];
  const body = text.slice(1);
  if (kind === 'o' && text === 'o' && hinted) return { protocol: 'SockJS', type: 'open', summary: 'open (session started)', fields: [] };
  if (kind === 'h' && text === 'h' && hinted) return { protocol: 'SockJS', type: 'heartbeat', summary: 'heartbeat', fields: [] };
  if (kind !== 'a' && kind !== 'c' && kind !== 'm') return undefined;
  const parsed = parseJson(body);
  if (!parsed.ok) return undefined;
  if (kind === 'c' && Array.isArray(parsed.value)) {
    const [code, reason] = parsed.value as [unknown, unknown];
    return {
      protocol: 'SockJS',
      type: 'close',
      summary: `close ${String(code)} ${typeof reason === 'string' ? `"${reason}"` : ''}`.trim(),
      fields: [
        { name: 'code', value: String(code) },
        { name: 'reason', value: String(reason ?? '') },
      ],
    };
  }
  if (kind === 'a' && Array.isArray(parsed.value)) {
    const items = parsed.value as unknown[];
    const children = items.map((item) => (typeof item === 'string' ? decodeFrame(item, hints, { nested: true }) : undefined)).filter((c): c is DecodedFrame => c !== undefined);
    return {
      protocol: 'SockJS',
      type: 'messages',
      summary: `${items.length === 1 ? '1 message' : `${items.length} messages`}${children.length ? ` (${children.map((c) => `${c.protocol} ${c.type}`).join(', ')})` : ''}`,
      fields: [],
      data: items.map((item) => (typeof item === 'string' ? jsonOrText(item) : item)),
      ...(children.length ? { children } : {}),
    };
  }
  if (kind === 'm' && typeof parsed.value === 'string') {
    return { protocol: 'SockJS', type: 'message', summary: 'message', fields: [], data: jsonOrText(parsed.value) };
  }
  return undefined;
}

// ---- STOMP ----

function unescapeStompHeader(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'c' ? ':' : c));
}

export function decodeStomp(text: string, hinted: boolean): DecodedFrame | undefined {
  if (text === '\n' || text === '\r\n') {
    return hinted ? { protocol: 'STOMP', type: 'heart-beat', summary: 'heart-beat (end of line)', fields: [] } : undefined;
  }
  const match = STOMP_COMMANDS.exec(text);
  if (!match) return undefined;
  const command = match[1];
  const nul = text.indexOf('\0');
  const frame = nul < 0 ? text : text.slice(0, nul);
  const headerEnd = frame.search(/\r?\n\r?\n/);
  const head = headerEnd < 0 ? frame : frame.slice(0, headerEnd);
  const body = headerEnd < 0 ? '' : frame.slice(headerEnd).replace(/^\r?\n\r?\n/, '');
  const fields: DecodedField[] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = unescapeStompHeader(line.slice(0, colon));
    const value = unescapeStompHeader(line.slice(colon + 1));
    fields.push({ name, value });
  }
  const header = (name: string) => fields.find((f) => f.name === name)?.value;
  const target = header('destination');
  const heartBeat = header('heart-beat');
  let summary = command + (target ? ` ${target}` : '');
  if (heartBeat) summary += ` (heart-beat ${heartBeat} ms)`;
  if (command === 'ERROR' && header('message')) summary += `: ${header('message')}`;
  return { protocol: 'STOMP', type: command, summary, fields, ...(body ? { data: jsonOrText(body) } : {}) };
}

// ---- SignalR (JSON hub protocol) ----

function decodeSignalRRecord(record: string): DecodedFrame | undefined {
  const parsed = parseJson(record);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return undefined;
  const message = parsed.value as Record<string, unknown>;
  if (message.type === undefined) {
    if ('protocol' in message) {
      return { protocol: 'SignalR', type: 'Handshake', summary: `handshake request: ${String(message.protocol)} v${String(message.version)}`, fields: [], data: message };
    }
    return {
      protocol: 'SignalR',
      type: 'Handshake',
      summary: message.error ? `handshake refused: ${String(message.error)}` : 'handshake accepted',
      fields: [],
      data: message,
    };
  }
  const type = typeof message.type === 'number' ? SIGNALR_TYPES[message.type] : undefined;
  if (!type) return undefined;
  const fields: DecodedField[] = [];
  for (const key of ['invocationId', 'target', 'error', 'allowReconnect']) if (message[key] !== undefined) fields.push({ name: key, value: String(message[key]) });
  let summary = type;
  if (type === 'Invocation' || type === 'StreamInvocation') summary = `${type} ${String(message.target)}(${Array.isArray(message.arguments) ? brief(message.arguments).slice(1, -1) : ''})`;
  else if (type === 'Ping') summary = 'Ping (keep-alive)';
  else if (type === 'Close') summary = `Close${message.error ? `: ${String(message.error)}` : ''}`;
  else if (type === 'Completion') summary = `Completion ${String(message.invocationId)}${message.error ? ` error: ${String(message.error)}` : ''}`;
  return { protocol: 'SignalR', type, summary, fields, data: message };
}

export function decodeSignalR(text: string): DecodedFrame | undefined {
  if (!text.endsWith(RECORD_SEPARATOR)) return undefined;
  const records = text.split(RECORD_SEPARATOR).slice(0, -1);
  const decoded = records.map(decodeSignalRRecord);
  if (!decoded.length || decoded.some((d) => d === undefined)) return undefined;
  const frames = decoded as DecodedFrame[];
  if (frames.length === 1) return frames[0];
  return { protocol: 'SignalR', type: 'Batch', summary: `${frames.length} messages (${frames.map((f) => f.type).join(', ')})`, fields: [], children: frames };
}

// ---- entry point ----

/**
 * What a text message is in the framing of a known library, or undefined.
 * Hints (the connection's URL and sub-protocol) let short, ambiguous frames
 * be read (`2` is an Engine.IO ping only on an Engine.IO socket).
 */
export function decodeFrame(text: string, hints: FrameHints = {}, options: { nested?: boolean } = {}): DecodedFrame | undefined {
  if (!text) return undefined;
  const url = hints.url ?? '';
  const subprotocol = (hints.protocol ?? '').toLowerCase();
  const engineIo = ENGINE_IO_URL.test(url);
  const sockJs = !options.nested && SOCKJS_URL.test(url);
  const stomp = subprotocol.includes('stomp') || /stomp/i.test(url);
  return (
    decodeSignalR(text) ??
    (sockJs || /^[acm][["]/.test(text) ? decodeSockJs(text, hints, sockJs) : undefined) ??
    decodeStomp(text, stomp || Boolean(options.nested)) ??
    decodeEngineIo(text, engineIo)
  );
}
