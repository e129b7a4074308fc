// The selected connection: a summary with its close explained, the message
// filters, and a virtualized list (fixed row height) that follows the tail
// while scrolled to the bottom.
import type { Connection, Message } from '../core/model';
import { explainClose } from '../core/diagnosis';
import { explainCloseCode } from '../core/closeCodes';
import { CLOSED_BY, closeSeverity, isDrop } from '../core/facts';
import { handshakeLine } from '../core/handshakeStatus';
import { VirtualList } from './VirtualList';
import { CopyAsCodeMenu } from './CopyAsCode';
import { formatBytes, formatClock, formatOffset } from '../core/format';
import { oneLine, shortUrl } from './format';
import { MESSAGE_FILTER_ID } from './keyboard';
import {
  analysisRevision,
  directionFilter,
  hideHeartbeats,
  messageFilter,
  messageFilterIsRegex,
  messageMatcher,
  positionOfIndex,
  revision,
  selectedConnection,
  selectedMessageIndex,
  visibleMessages,
  type DirectionFilter,
} from './store';

export const MESSAGE_ROW_PX = 20;

const DIRECTIONS: { value: DirectionFilter; label: string; title: string }[] = [
  { value: 'all', label: 'All', title: 'Messages both ways' },
  { value: 'send', label: '↑ Sent', title: 'Only messages the page sent' },
  { value: 'receive', label: '↓ Received', title: 'Only messages the page received' },
];

export function MessagesPane() {
  const connection = selectedConnection.value;
  if (!connection) {
    return (
      <div class="messages-pane pane-empty">
        <p>Select a connection (in the list or on the timeline) to see its messages.</p>
      </div>
    );
  }
  return (
    <div class="messages-pane">
      <ConnectionSummary connection={connection} />
      <MessageFilters />
      <MessageList connection={connection} />
    </div>
  );
}

export function ConnectionSummary({ connection }: { connection: Connection }) {
  void revision.value;
  const close = connection.close;
  const bad = isDrop(closeSeverity(connection));
  const explained = close ? explainCloseCode(close.code, close.reason) : undefined;
  const by = close ? CLOSED_BY[close.initiator] : '';
  return (
    <div class="summary" aria-label="Connection summary">
      <div class="summary-url" title={connection.url}>
        {connection.url}
      </div>
      <div class="summary-meta">
        <span title={connection.frameUrl}>frame {shortUrl(connection.frameUrl)}</span>
        {connection.protocol ? <span> · protocol {connection.protocol}</span> : null}
        {connection.extensions ? <span> · {connection.extensions}</span> : null}
        {connection.droppedMessages ? (
          <span class="warn" title="Dropped by the memory cap, or left out of the record of a page that went away while nothing was reading it (its last 256 messages per connection are kept): the status bar says which">
            {' '}
            · {connection.droppedMessages} oldest messages dropped
          </span>
        ) : null}
      </div>
      <HandshakeSummary connection={connection} />
      {connection.errorAt !== undefined && connection.openedAt === undefined && <div class={bad ? 'close-bad' : ''}>{explainClose(connection)}</div>}
      {close && explained && connection.openedAt !== undefined && (
        <div class={`close-info${bad ? ' close-bad' : ''}`} aria-label="Close" title={explainClose(connection)}>
          Closed {close.code} {explained.name} by {by}
          {close.reason ? ` · reason "${close.reason}"` : ''} · wasClean {String(close.wasClean)}
          {close.requestedCode !== undefined ? ` · page asked for ${close.requestedCode}` : ''} — {explained.meaning}
        </div>
      )}
    </div>
  );
}

/** The handshake as the browser saw it (status line, headers on demand), or why it is missing. Header values are text, never HTML. */
export function HandshakeSummary({ connection }: { connection: Connection }) {
  const line = handshakeLine(connection);
  if (line === undefined) return null;
  const handshake = connection.handshake;
  if (!handshake) {
    return (
      <div class="summary-handshake note" aria-label="Handshake">
        {line}
      </div>
    );
  }
  return (
    <details class="summary-handshake" aria-label="Handshake">
      <summary>
        Handshake: {line}
        {handshake.error && handshake.status !== 0 ? ` · ${handshake.error}` : ''}
      </summary>
      <HeaderList title="Response headers" headers={handshake.responseHeaders} />
      <HeaderList title="Request headers" headers={handshake.requestHeaders} />
    </details>
  );
}

function HeaderList({ title, headers }: { title: string; headers: { name: string; value: string }[] }) {
  return (
    <div class="header-list">
      <div class="section-label">{title}</div>
      {headers.length === 0 ? (
        <div class="note">none reported</div>
      ) : (
        <dl>
          {headers.map((header, i) => (
            <div key={i}>
              <dt>{header.name}</dt>
              <dd>{header.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function MessageFilters() {
  const { error } = messageMatcher.value;
  const { count } = visibleMessages.value;
  const total = selectedConnection.value?.messages.length ?? 0;
  return (
    <div class="subtoolbar" role="toolbar" aria-label="Message filters">
      <div class="segmented" role="group" aria-label="Direction">
        {DIRECTIONS.map((option) => (
          <button
            key={option.value}
            type="button"
            class="segment"
            aria-pressed={directionFilter.value === option.value}
            title={option.title}
            onClick={() => (directionFilter.value = option.value)}
          >
            {option.label}
          </button>
        ))}
      </div>
      <input
        id={MESSAGE_FILTER_ID}
        class={`filter${error ? ' invalid' : ''}`}
        type="search"
        placeholder={messageFilterIsRegex.value ? 'Filter messages by regex' : 'Filter messages'}
        aria-label="Filter messages"
        aria-invalid={Boolean(error)}
        title={error ?? 'Text (case-insensitive) or, with .*, a regular expression'}
        spellcheck={false}
        value={messageFilter.value}
        onInput={(event) => (messageFilter.value = event.currentTarget.value)}
      />
      <button
        type="button"
        class="segment toggle"
        aria-pressed={messageFilterIsRegex.value}
        aria-label="Regular expression"
        title="Use a regular expression"
        onClick={() => (messageFilterIsRegex.value = !messageFilterIsRegex.value)}
      >
        .*
      </button>
      <label class="check" title="Hide recognized heartbeats (pings and pongs)">
        <input type="checkbox" checked={hideHeartbeats.value} onChange={(event) => (hideHeartbeats.value = event.currentTarget.checked)} />
        Hide heartbeats
      </label>
      <span class="toolbar-spacer" />
      <CopyAsCodeMenu />
      <span class="count" aria-live="polite">
        {count === total ? `${total.toLocaleString('en-US')} messages` : `${count.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}
      </span>
    </div>
  );
}

function preview(message: Message): string {
  // Evicted by the memory cap, or never copied by the hook (a flood spent its budget): one flag for both; the status bar's counts split them.
  if (message.evicted) return '(preview not kept: memory cap, flood budget or an unread Blob)';
  if (message.truncated && !message.preview) return '(no content kept: Previews was sizes only)';
  if (message.opcode === 2) return `binary ${formatBytes(message.size)}${message.preview ? ` · ${message.preview.slice(0, 48)}` : ''}`;
  return oneLine(message.preview, 240);
}

export function MessageRow({ message, base, selected }: { message: Message; base: number; selected: boolean }) {
  const dirClass = message.direction === 'send' ? 'msg-send' : 'msg-receive';
  return (
    <div
      class={`msg ${dirClass}${message.heartbeat ? ' msg-heartbeat' : ''}${selected ? ' selected' : ''}`}
      role="option"
      aria-selected={selected}
      data-index={message.index}
      onClick={() => (selectedMessageIndex.value = message.index)}
    >
      <span class="msg-dir" title={message.direction === 'send' ? 'sent by the page' : 'received by the page'}>
        {message.direction === 'send' ? '↑' : '↓'}
      </span>
      <span class="msg-clock">{formatClock(message.time)}</span>
      <span class="msg-rel" title="since the socket opened">
        {formatOffset(message.time - base)}
      </span>
      <span class="msg-size">{formatBytes(message.size)}</span>
      <span class="msg-role">
        {message.simulated ? <span class="role role-sim" title="sent or injected by you (Reproduce and verify), not by the page or the server">sim</span> : message.heartbeat ? <span class={`role role-${message.heartbeat}`}>{message.heartbeat}</span> : null}
      </span>
      <span class="msg-preview">
        {message.event !== undefined && (
          <span class="msg-event" title={`Event type ${message.event}${message.lastEventId ? `, lastEventId ${message.lastEventId}` : ', no lastEventId'}`}>
            {message.event}
            {message.lastEventId ? ` #${message.lastEventId}` : ''}
          </span>
        )}
        {preview(message)}
      </span>
    </div>
  );
}

function MessageList({ connection }: { connection: Connection }) {
  void analysisRevision.value; // heartbeat roles
  const { positions, count } = visibleMessages.value;
  const messages = connection.messages;
  const selected = selectedMessageIndex.value;
  const base = connection.openedAt ?? connection.createdAt;
  const at = (row: number) => messages[positions ? positions[row] : row];
  const selectedPosition = selected === undefined ? -1 : positionOfIndex(connection, selected);
  let selectedRow: number | undefined;
  if (selectedPosition >= 0) {
    if (!positions) selectedRow = selectedPosition;
    else {
      // Binary search: positions are increasing.
      let low = 0;
      let high = positions.length - 1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (positions[mid] === selectedPosition) {
          selectedRow = mid;
          break;
        }
        if (positions[mid] < selectedPosition) low = mid + 1;
        else high = mid - 1;
      }
    }
  }
  if (!count) {
    return <div class="vlist pane-empty">{messages.length ? 'No message matches the filters.' : 'No message on this connection.'}</div>;
  }
  return (
    <VirtualList
      count={count}
      rowHeightPx={MESSAGE_ROW_PX}
      renderRow={(row) => {
        const message = at(row);
        return <MessageRow message={message} base={base} selected={message.index === selected} />;
      }}
      followTail
      label="Messages"
      scrollToIndex={selectedRow}
      onKeyDown={(event) => {
        const page = Math.max(1, Math.floor(((event.currentTarget as HTMLElement).clientHeight || 200) / MESSAGE_ROW_PX) - 1);
        const steps: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
        const step = steps[event.key];
        if (step === undefined) return;
        event.preventDefault();
        const from = selectedRow ?? (step > 0 ? -1 : count);
        const next = Math.min(count - 1, Math.max(0, from + step));
        selectedMessageIndex.value = at(next).index;
      }}
    />
  );
}
