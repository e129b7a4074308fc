import { useComputed } from '@preact/signals';
import type { Connection, Message } from '../core/model';
import { explainCloseCode } from '../core/closeCodes';
import { VirtualList } from './VirtualList';
import { connectionState, formatBytes, formatClock, formatDuration, oneLine } from './format';
import { exportHar } from './exporting';
import { send } from './live';
import {
  connections,
  link,
  linkError,
  revision,
  selectedConnection,
  selectedConnectionId,
  selectedMessageIndex,
  session,
  urlFilter,
} from './store';

const MESSAGE_ROW_PX = 20;

export function App({ tabId }: { tabId?: number }) {
  return (
    <div class="app">
      <Toolbar tabId={tabId} />
      <div class="main">
        <ConnectionList />
        <ConnectionDetail />
      </div>
      <StatusBar />
    </div>
  );
}

function Toolbar({ tabId }: { tabId?: number }) {
  return (
    <div class="toolbar" role="toolbar">
      <input
        class="filter"
        type="search"
        placeholder="Filter URLs"
        aria-label="Filter connections by URL"
        value={urlFilter.value}
        onInput={(event) => (urlFilter.value = event.currentTarget.value)}
      />
      <button type="button" onClick={() => tabId !== undefined && send({ kind: 'clear', tabId })} disabled={tabId === undefined} title="Clear this tab's records">
        Clear
      </button>
      <button type="button" onClick={() => exportHar(session.peek())} title="Download this session as a HAR file">
        Export
      </button>
    </div>
  );
}

function StatusBar() {
  const summary = useComputed(() => {
    void revision.value;
    const current = session.value;
    let messages = 0;
    for (const connection of current.connections) messages += connection.messages.length;
    const { dropped } = current;
    const lost = [
      dropped.messages && `${dropped.messages} messages dropped`,
      dropped.previews && `${dropped.previews} previews evicted`,
      dropped.rejected && `${dropped.rejected} records refused`,
      dropped.lostBatches && `${dropped.lostBatches} batches lost`,
    ].filter(Boolean);
    return `${current.connections.length} connections · ${messages} messages${lost.length ? ` · ${lost.join(' · ')} (memory cap)` : ''}`;
  });
  const state = link.value;
  return (
    <div class="statusbar" role="status">
      <span>{summary.value}</span>
      <span class={`link link-${state}`}>{linkError.value ?? (state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : state === 'offline' ? 'Reconnecting to the extension…' : 'Imported file')}</span>
    </div>
  );
}

function closeLabel(connection: Connection): string {
  if (!connection.close) return '';
  return `${connection.close.code} ${explainCloseCode(connection.close.code).name}`;
}

function ConnectionList() {
  const list = connections.value;
  if (!list.length) {
    return (
      <div class="connections empty" aria-label="Connections">
        <p>No WebSocket recorded in this tab yet.</p>
        <p>SocketScope records from the moment a page starts loading, even with DevTools closed. Sockets opened before the extension was installed are not seen: reload the page to catch them.</p>
      </div>
    );
  }
  const selectedId = selectedConnectionId.value;
  const move = (delta: number) => {
    const at = list.findIndex((c) => c.id === selectedId);
    const next = list[Math.min(list.length - 1, Math.max(0, at + delta))];
    if (next) select(next.id);
  };
  return (
    <div class="connections">
      <table aria-label="Connections">
        <thead>
          <tr>
            <th>URL</th>
            <th>State</th>
            <th>Age</th>
            <th title="sent / received">Messages</th>
            <th title="sent / received">Bytes</th>
            <th>Close</th>
          </tr>
        </thead>
        <tbody
          tabIndex={0}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') move(1);
            else if (event.key === 'ArrowUp') move(-1);
            else return;
            event.preventDefault();
          }}
        >
          {list.map((connection) => (
            <ConnectionRow key={connection.id} connection={connection} selected={connection.id === selectedId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function select(id: string): void {
  selectedConnectionId.value = id;
  selectedMessageIndex.value = undefined;
}

function ConnectionRow({ connection, selected }: { connection: Connection; selected: boolean }) {
  let sent = 0;
  let received = 0;
  let sentBytes = 0;
  let receivedBytes = 0;
  for (const message of connection.messages) {
    if (message.direction === 'send') {
      sent++;
      sentBytes += message.size;
    } else {
      received++;
      receivedBytes += message.size;
    }
  }
  const state = connectionState(connection);
  const ageMs = (connection.closedAt ?? Date.now()) - connection.createdAt;
  return (
    <tr class={selected ? 'selected' : ''} aria-selected={selected} data-connection-id={connection.id} onClick={() => select(connection.id)}>
      <td class="url" title={`${connection.url}\nframe: ${connection.frameUrl}`}>
        {connection.url}
      </td>
      <td class={`state state-${state}`}>{state}</td>
      <td>{formatDuration(ageMs)}</td>
      <td>
        {sent} / {received}
      </td>
      <td>
        {formatBytes(sentBytes)} / {formatBytes(receivedBytes)}
      </td>
      <td class={connection.close && connection.close.code !== 1000 ? 'close-bad' : ''}>{closeLabel(connection)}</td>
    </tr>
  );
}

function ConnectionDetail() {
  const connection = selectedConnection.value;
  if (!connection) return <div class="detail empty">Select a connection to see its messages.</div>;
  return (
    <div class="detail">
      <ConnectionSummary connection={connection} />
      <MessageList connection={connection} />
      <MessageDetail connection={connection} />
    </div>
  );
}

function ConnectionSummary({ connection }: { connection: Connection }) {
  const close = connection.close;
  const explained = close ? explainCloseCode(close.code, close.reason) : undefined;
  return (
    <div class="summary" aria-label="Connection summary">
      <div class="summary-url">{connection.url}</div>
      <div>
        Frame: {connection.frameUrl}
        {connection.protocol ? ` · protocol ${connection.protocol}` : ''}
        {connection.extensions ? ` · ${connection.extensions}` : ''}
      </div>
      {connection.errorAt !== undefined && connection.openedAt === undefined && <div class="close-bad">The handshake failed: an error before any open.</div>}
      {close && explained && (
        <div class="close-info" aria-label="Close">
          Closed {close.code} {explained.name} by {close.initiator === 'page' ? 'the page' : close.initiator === 'server' ? 'the server' : 'nobody (abnormal: no close frame)'}
          {close.reason ? ` · reason "${close.reason}"` : ''} · wasClean {String(close.wasClean)}
          {close.requestedCode !== undefined ? ` · page asked for ${close.requestedCode}` : ''} — {explained.meaning}
        </div>
      )}
    </div>
  );
}

function MessageList({ connection }: { connection: Connection }) {
  const messages = connection.messages;
  const selected = selectedMessageIndex.value;
  const base = connection.openedAt ?? connection.createdAt;
  const renderRow = (i: number) => {
    const message = messages[i];
    return (
      <div
        class={`msg msg-${message.direction}${message.index === selected ? ' selected' : ''}`}
        role="option"
        aria-selected={message.index === selected}
        onClick={() => (selectedMessageIndex.value = message.index)}
      >
        <span class="msg-dir">{message.direction === 'send' ? '↑' : '↓'}</span>
        <span class="msg-time" title={formatClock(message.time)}>
          +{formatDuration(message.time - base)}
        </span>
        <span class="msg-size">{formatBytes(message.size)}</span>
        <span class="msg-preview">{message.opcode === 2 ? `binary ${message.size} B` : message.evicted ? '(preview evicted)' : oneLine(message.preview)}</span>
      </div>
    );
  };
  const selectedPosition = selected === undefined ? undefined : messages.findIndex((m) => m.index === selected);
  return (
    <VirtualList
      count={messages.length}
      rowHeightPx={MESSAGE_ROW_PX}
      renderRow={renderRow}
      followTail
      label="Messages"
      scrollToIndex={selectedPosition}
      onKeyDown={(event) => {
        if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
        event.preventDefault();
        const at = selectedPosition ?? -1;
        const next = messages[Math.min(messages.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)))];
        if (next) selectedMessageIndex.value = next.index;
      }}
    />
  );
}

function MessageDetail({ connection }: { connection: Connection }) {
  const index = selectedMessageIndex.value;
  const message: Message | undefined = index === undefined ? undefined : connection.messages.find((m) => m.index === index);
  if (!message) return null;
  return (
    <div class="message-detail" aria-label="Message detail">
      <div class="message-meta">
        #{message.index} · {message.direction} · {formatClock(message.time)} · {message.opcode === 1 ? 'text' : 'binary (base64)'} · {formatBytes(message.size)}
        {message.truncated ? ' · preview truncated' : ''}
      </div>
      <pre class="payload">{message.preview}</pre>
    </div>
  );
}
