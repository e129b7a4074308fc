// Connections grouped by endpoint into reconnect chains: a header row per
// chain (foldable), then one row per connection with its frame, state, age,
// traffic each way, last close code, and a badge when a finding concerns it.
import { useEffect, useRef } from 'preact/hooks';
import type { Chain } from '../core/chains';
import type { Connection } from '../core/model';
import type { Finding } from '../core/finding';
import { explainCloseCode } from '../core/closeCodes';
import { connectionState, formatBytes, formatDuration, shortUrl } from './format';
import {
  clearFilters,
  collapsedChains,
  connectionCounts,
  findingsByConnection,
  listRows,
  now,
  revision,
  selectConnection,
  selectedConnectionId,
  session,
  toggleChain,
  type ListRow,
} from './store';

export function ConnectionList() {
  void revision.value;
  const rows = listRows.value;
  const selectedId = selectedConnectionId.value;
  const body = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    body.current?.querySelector('tr.selected')?.scrollIntoView?.({ block: 'nearest' });
  }, [selectedId]);

  if (!rows.length) {
    return (
      <div class="connections pane-empty">
        <p>{session.value.connections.length} connections, none matches the filters.</p>
        <button type="button" onClick={clearFilters}>
          Clear filters
        </button>
      </div>
    );
  }
  const connectionRows = rows.filter((row): row is Extract<ListRow, { kind: 'connection' }> => row.kind === 'connection');
  const onKeyDown = (event: KeyboardEvent) => {
    const at = connectionRows.findIndex((row) => row.connection.id === selectedId);
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = at < 0 ? 0 : Math.min(connectionRows.length - 1, at + 1);
    else if (event.key === 'ArrowUp') next = at < 0 ? 0 : Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = connectionRows.length - 1;
    else if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && at >= 0) {
      const key = connectionRows[at].chain.key;
      if (collapsedChains.value.has(key) === (event.key === 'ArrowRight')) toggleChain(key);
      event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    const row = connectionRows[next];
    if (row) selectConnection(row.connection.id);
  };
  const byConnection = findingsByConnection.value;
  return (
    <div class="connections">
      <table class="grid" aria-label="Connections">
        <colgroup>
          <col class="col-badge" />
          <col class="col-url" />
          <col class="col-frame" />
          <col class="col-state" />
          <col class="col-age" />
          <col class="col-count" />
          <col class="col-bytes" />
          <col class="col-close" />
        </colgroup>
        <thead>
          <tr>
            <th aria-label="Findings" />
            <th>URL</th>
            <th>Frame</th>
            <th>State</th>
            <th>Age</th>
            <th title="Messages sent ↑ / received ↓">Msgs ↑/↓</th>
            <th title="Bytes sent ↑ / received ↓">Bytes ↑/↓</th>
            <th>Last close</th>
          </tr>
        </thead>
        <tbody ref={body} tabIndex={0} onKeyDown={onKeyDown} aria-label="Connections by endpoint">
          {rows.map((row) =>
            row.kind === 'chain' ? (
              <ChainRow key={`chain:${row.chain.key}`} chain={row.chain} byConnection={byConnection} />
            ) : (
              <ConnectionRow key={row.connection.id} connection={row.connection} selected={row.connection.id === selectedId} findings={byConnection.get(row.connection.id)} />
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function ChainRow({ chain, byConnection }: { chain: Chain; byConnection: Map<string, Finding[]> }) {
  const folded = collapsedChains.value.has(chain.key);
  const drops = chain.connections.filter((c) => c.close && c.close.code !== 1000 && c.close.initiator !== 'page').length;
  const open = chain.connections.filter((c) => !c.close).length;
  const concerned = new Set<Finding>();
  for (const connection of chain.connections) for (const finding of byConnection.get(connection.id) ?? []) concerned.add(finding);
  const top = [...concerned][0];
  return (
    <tr class="chain-row" onClick={() => toggleChain(chain.key)} aria-expanded={!folded}>
      <td class="badge-cell">{top && <FindingBadge findings={[...concerned]} />}</td>
      <td colSpan={7} class="chain-title" title={chain.key}>
        <span class={`disclosure${folded ? '' : ' open'}`} aria-hidden="true" />
        <span class="chain-key">{shortUrl(chain.key)}</span>
        <span class="chain-meta">
          {chain.connections.length === 1 ? '1 connection' : `${chain.connections.length} connections`}
          {open ? ` · ${open} open` : ''}
          {drops ? <span class="chain-drops"> · {drops === 1 ? '1 drop' : `${drops} drops`}</span> : ''}
          {top ? <span class="chain-finding"> · {top.title}</span> : ''}
        </span>
      </td>
    </tr>
  );
}

export function FindingBadge({ findings }: { findings: Finding[] }) {
  const title = findings.map((f) => f.title).join('\n');
  const severe = findings.some((f) => f.confidence >= 0.6);
  return (
    // No aria-label: finding titles mention closes, and the row's text already says what it needs.
    <span class={`finding-badge${severe ? '' : ' hint'}`} title={title}>
      !
    </span>
  );
}

export function closeLabel(connection: Connection): string {
  if (!connection.close) return '';
  return `${connection.close.code} ${explainCloseCode(connection.close.code).name}`;
}

function ConnectionRow({ connection, selected, findings }: { connection: Connection; selected: boolean; findings?: Finding[] }) {
  const counts = connectionCounts(connection);
  const state = connectionState(connection);
  const start = connection.openedAt ?? connection.createdAt;
  const ageMs = (connection.closedAt ?? now.value) - start;
  const close = connection.close;
  const bad = close && (close.code !== 1000 || close.initiator === 'abnormal');
  return (
    <tr
      class={`connection-row${selected ? ' selected' : ''}`}
      aria-selected={selected}
      data-connection-id={connection.id}
      onClick={() => selectConnection(connection.id)}
    >
      <td class="badge-cell">{findings?.length ? <FindingBadge findings={findings} /> : null}</td>
      <td class="url" title={connection.url}>
        {connection.url}
      </td>
      <td class="frame" title={connection.frameUrl}>
        {shortUrl(connection.frameUrl)}
      </td>
      <td class={`state state-${state}`}>
        <span class="state-dot" aria-hidden="true" />
        {state}
      </td>
      <td class="num">{formatDuration(Math.max(0, ageMs))}</td>
      <td class="num">
        {counts.sent} / {counts.received}
      </td>
      <td class="num">
        {formatBytes(counts.sentBytes)} / {formatBytes(counts.receivedBytes)}
      </td>
      <td class={bad ? 'close-bad' : 'close-ok'} title={close ? `${explainCloseCode(close.code, close.reason).meaning} (by ${close.initiator})` : ''}>
        {closeLabel(connection)}
      </td>
    </tr>
  );
}
