// The selected message: metadata, then its payload as text, a collapsible
// JSON tree, a hex dump, the frames of a known protocol, or binary decoded
// (src/panel/DecodedView.tsx, loaded lazily); copy to the clipboard. Payloads are always rendered as text nodes, never as HTML.
import { signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { Connection, Message } from '../core/model';
import { decodeFrame, type DecodedFrame } from '../core/frames';
import { base64ToBytes } from '../core/har';
import { jsonTextDepth, MAX_JSON_DEPTH, tooDeepNotice } from '../core/jsonDepth';
import { formatBytes, formatClock, formatOffset } from '../core/format';
import { base64ByteLength } from '../core/bytes';
import { analysisRevision, selectedConnection, selectedMessage } from './store';
import { DecodedView, decodedCopyText, hasDecodedView } from './DecodedView';
import { BLOB_HELD_READ_MAX, BLOB_HELD_READS_PER_S } from '../protocol/page';

export type DetailView = 'text' | 'json' | 'hex' | 'frames' | 'decoded';
/** The view the user picked last; falls back to what the message supports. */
export const detailView = signal<DetailView>('json');

const HEX_MAX_BYTES = 16 * 1024;
const JSON_MAX_CHILDREN = 200;

export function MessageDetail() {
  void analysisRevision.value;
  const message = selectedMessage.value;
  const connection = selectedConnection.value;
  if (!message || !connection) {
    return (
      <div class="message-detail pane-empty" aria-label="Message detail">
        <p>Select a message to see its payload.</p>
      </div>
    );
  }
  return <MessageDetailBody key={`${connection.id}:${message.index}`} message={message} connection={connection} />;
}

interface Views {
  text: string;
  json?: unknown;
  bytes?: () => Uint8Array;
  frame?: DecodedFrame;
  /** The payload's nesting when it is too deep for a tree (then there is no JSON view). */
  tooDeep?: number;
}

function viewsOf(message: Message, connection: Connection): Views {
  if (message.opcode === 2) {
    return { text: message.preview, bytes: () => safeBase64(message.preview) };
  }
  const text = message.preview;
  const views: Views = { text, bytes: () => new TextEncoder().encode(text) };
  const trimmed = text.trim();
  const jsonLike = trimmed.startsWith('{') || trimmed.startsWith('[');
  views.frame = decodeFrame(text, { url: connection.url, protocol: connection.protocol });
  // Deep nesting overflows anything recursive (the tree, Copy's JSON.stringify): over the limit, text only.
  const depth = jsonLike || views.frame ? jsonTextDepth(text) : 0;
  if (depth > MAX_JSON_DEPTH) views.tooDeep = depth;
  else if (jsonLike) {
    try {
      views.json = JSON.parse(trimmed);
    } catch {
      /* not JSON (or truncated) */
    }
  }
  return views;
}

function safeBase64(text: string): Uint8Array {
  try {
    return base64ToBytes(text);
  } catch {
    return new Uint8Array();
  }
}

function MessageDetailBody({ message, connection }: { message: Message; connection: Connection }) {
  const views = viewsOf(message, connection);
  const available: DetailView[] = ['text'];
  if (views.json !== undefined) available.push('json');
  if (views.frame) available.push('frames');
  if (hasDecodedView(message)) available.push('decoded');
  if (views.bytes) available.push('hex');
  let view = detailView.value;
  if (!available.includes(view)) view = views.frame ? 'frames' : views.json !== undefined ? 'json' : message.opcode === 2 ? 'decoded' : 'text';
  const base = connection.openedAt ?? connection.createdAt;
  const labels: Record<DetailView, string> = { text: message.opcode === 2 ? 'Base64' : 'Text', json: 'JSON', hex: 'Hex', frames: views.frame ? views.frame.protocol : 'Frames', decoded: 'Decoded' };
  const copyText = () =>
    view === 'hex' && views.bytes
      ? hexDump(views.bytes())
      : view === 'json'
        ? JSON.stringify(views.json, null, 2)
        : view === 'decoded'
          ? (decodedCopyText(message, connection) ?? message.preview)
          : message.preview;
  return (
    <div class="message-detail" aria-label="Message detail">
      <div class="detail-header">
        <div class="tabs" role="tablist" aria-label="Payload view">
          {available.map((name) => (
            <button key={name} type="button" role="tab" class="tab" aria-selected={view === name} onClick={() => (detailView.value = name)}>
              {labels[name]}
            </button>
          ))}
        </div>
        <span class="toolbar-spacer" />
        <CopyButton text={copyText} />
      </div>
      <div class="message-meta">
        <span class={message.direction === 'send' ? 'dir-send' : 'dir-receive'}>{message.direction === 'send' ? '↑ sent' : '↓ received'}</span> · #{message.index} ·{' '}
        {formatClock(message.time)} ({formatOffset(message.time - base)}) · {message.opcode === 1 ? 'text' : 'binary'} · {formatBytes(message.size)}
        {message.heartbeat ? <span class={`role role-${message.heartbeat}`}>{message.heartbeat}</span> : null}
        {message.truncated && !message.evicted ? <span class="warn"> · {truncation(message)}</span> : null}
        {message.evicted ? <span class="warn"> · preview not kept: evicted by the memory cap, not copied by the page hook while a flood had spent its preview budget, or a binary message the hook did not read while nothing read the tab (over {BLOB_HELD_READ_MAX / 1024} KiB, or a Blob past {BLOB_HELD_READS_PER_S} a second; the status bar counts each)</span> : null}
      </div>
      <div class="detail-body">
        {views.tooDeep !== undefined && view !== 'hex' && <p class="note json-too-deep">{tooDeepNotice(views.tooDeep)}</p>}
        {view === 'text' && <pre class="payload">{message.preview}</pre>}
        {view === 'json' && (
          <div class="json-tree" role="tree" aria-label="JSON">
            <JsonNode name={undefined} value={views.json} depth={0} />
          </div>
        )}
        {view === 'hex' && views.bytes && <HexView bytes={views.bytes()} />}
        {view === 'frames' && views.frame && <FrameView frame={views.frame} />}
        {view === 'decoded' && <DecodedView message={message} connection={connection} />}
      </div>
    </div>
  );
}

/** What a truncated preview kept: the first characters of text, the first bytes of binary, or nothing (Previews: sizes only). */
function truncation(message: Message): string {
  if (!message.preview) return 'no content kept (Previews: sizes only)';
  const kept = message.opcode === 1 ? `${message.preview.length.toLocaleString('en-US')} characters` : formatBytes(base64ByteLength(message.preview));
  return `preview truncated: the first ${kept} kept`;
}

export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // DevTools panels may not be granted the async clipboard: fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const done = document.execCommand?.('copy') ?? false;
    area.remove();
    return done;
  }
}

function CopyButton({ text }: { text: () => string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      class="tool-button"
      title="Copy this view to the clipboard"
      onClick={async () => {
        setState((await copyToClipboard(text())) ? 'copied' : 'failed');
        setTimeout(() => setState('idle'), 1500);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

export function hexDump(bytes: Uint8Array, maxBytes = HEX_MAX_BYTES): string {
  const lines: string[] = [];
  const length = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < length; offset += 16) {
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const at = offset + i;
      if (at < length) {
        const byte = bytes[at];
        hex += byte.toString(16).padStart(2, '0') + ' ';
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else hex += '   ';
      if (i === 7) hex += ' ';
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} ${ascii}`);
  }
  return lines.join('\n');
}

function HexView({ bytes }: { bytes: Uint8Array }) {
  return (
    <>
      <pre class="payload hex" aria-label="Hex dump">
        {hexDump(bytes)}
      </pre>
      {bytes.length > HEX_MAX_BYTES && <p class="note">Showing the first {formatBytes(HEX_MAX_BYTES)} of {formatBytes(bytes.length)}.</p>}
    </>
  );
}

function FrameView({ frame }: { frame: DecodedFrame }) {
  return (
    <div class="frame-view" aria-label="Decoded frame">
      <div class="frame-summary">
        <span class="frame-protocol">{frame.protocol}</span> <span class="frame-type">{frame.type}</span> — {frame.summary}
      </div>
      {frame.fields.length > 0 && (
        <table class="kv">
          <tbody>
            {frame.fields.map((field, i) => (
              <tr key={i}>
                <th>{field.name}</th>
                <td>{field.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {frame.data !== undefined && (
        <div class="json-tree" role="tree" aria-label="Frame data">
          <JsonNode name="data" value={frame.data} depth={0} />
        </div>
      )}
      {frame.children?.map((child, i) => (
        <div key={i} class="frame-child">
          <FrameView frame={child} />
        </div>
      ))}
    </div>
  );
}

function JsonValue({ value }: { value: unknown }) {
  if (value === null) return <span class="json-null">null</span>;
  if (typeof value === 'string') return <span class="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-boolean">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

/** Bytes shown inline in a tree; longer values are cut (Copy has them whole). */
const JSON_HEX_MAX_BYTES = 256;

function isHexBytes(value: unknown): value is { hex: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'hex' && typeof (value as { hex: unknown }).hex === 'string';
}

function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

export function JsonNode({ name, value, depth }: { name: string | undefined; value: unknown; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  const [limit, setLimit] = useState(JSON_MAX_CHILDREN);
  const label = name === undefined ? null : <span class="json-key">{name}: </span>;
  if (depth >= MAX_JSON_DEPTH && value !== null && typeof value === 'object') {
    // Values reach here depth-bounded; a guard all the same, as the tree recurses.
    return (
      <div class="json-leaf" role="treeitem">
        {label}
        <span class="json-preview">… (deeper than {MAX_JSON_DEPTH} levels)</span>
      </div>
    );
  }
  if (isHexBytes(value)) {
    // Bytes in a decoded value (`{ hex }`, src/core/decoders): a leaf, not a one-key object.
    return (
      <div class="json-leaf" role="treeitem">
        {label}
        <span class="json-bytes" title={`${value.hex.length / 2} bytes`}>
          {value.hex.length > 2 * JSON_HEX_MAX_BYTES ? `${spacedHex(value.hex.slice(0, 2 * JSON_HEX_MAX_BYTES))} … (${value.hex.length / 2} bytes)` : spacedHex(value.hex) || '(no bytes)'}
        </span>
      </div>
    );
  }
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf" role="treeitem">
        {label}
        <JsonValue value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? (value as unknown[]).map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  const preview = isArray ? `Array(${entries.length})` : `{${entries.slice(0, 3).map(([k]) => k).join(', ')}${entries.length > 3 ? ', …' : ''}}`;
  return (
    <div class="json-node" role="treeitem" aria-expanded={open}>
      <button type="button" class="json-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse' : 'Expand'}>
        <span class={`disclosure${open ? ' open' : ''}`} aria-hidden="true" />
      </button>
      <span class="json-summary" onClick={() => setOpen(!open)}>
        {label}
        <span class="json-preview">{preview}</span>
      </span>
      {open && (
        <div class="json-children" role="group">
          {entries.slice(0, limit).map(([key, child]) => (
            <JsonNode key={key} name={key} value={child} depth={depth + 1} />
          ))}
          {entries.length > limit && (
            <button type="button" class="link-button" onClick={() => setLimit(limit + JSON_MAX_CHILDREN)}>
              … {entries.length - limit} more
            </button>
          )}
        </div>
      )}
    </div>
  );
}
