// Connections grouped by endpoint into reconnect chains: a header row per
// chain (foldable), then one row per connection with its frame, state, age,
// traffic each way, last close code, and a badge when a finding concerns it.
// Virtualized with a fixed row height: a panel with thousands of connections
// lays out and paints only the rows in view.
import { useEffect } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Chain } from '../core/chains';
import type { Connection } from '../core/model';
import type { Finding } from '../core/finding';
import { explainCloseCode } from '../core/closeCodes';
import { closeSeverity, connectionAgeMs, connectionState, isDrop, messageCounts } from '../core/facts';
import { formatBytes, formatMeasured } from '../core/format';
import { shortUrl, splitUrl } from './format';
import { OPEN_AT_END_TEXT } from './clock';
import { useVirtualWindow } from './VirtualList';
import {
  chainSummaries,
  clearFilters,
  collapsedChains,
  findingsByConnection,
  listRowIndex,
  listRows,
  clock,
  link,
  revision,
  selectConnection,
  selectedConnectionId,
  session,
  toggleChain,
  type ChainSummary,
  type ListRow,
} from './store';

/**
 * Every row (chain header or connection) is this tall, and so is the header:
 * the list is virtualized, only the rows in view (and a few more) are in the
 * table, between two spacer rows. panel.css sets the same heights.
 */
export const CONNECTION_ROW_PX = 22;
export const CONNECTION_HEADER_PX = 22;
const COLUMNS = 8;

export function ConnectionList() {
  const currentRevision = revision.value;
  const rows = listRows.value;
  const selectedId = selectedConnectionId.value;
  const view = useVirtualWindow<HTMLDivElement>({ count: rows.length, rowHeightPx: CONNECTION_ROW_PX, headerPx: CONNECTION_HEADER_PX });

  // Only when the selection changes (a click here, on the timeline or in the
  // evidence): new rows arriving must not pull the list back to it.
  useEffect(() => {
    const index = selectedId === undefined ? undefined : listRowIndex.peek().get(selectedId);
    if (index !== undefined) view.scrollIntoView(index);
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
  const onKeyDown = (event: KeyboardEvent) => {
    const connectionRows = listRows.peek().filter((row): row is Extract<ListRow, { kind: 'connection' }> => row.kind === 'connection');
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
  const summaries = chainSummaries.value;
  const folded = collapsedChains.value;
  const shown: ComponentChildren[] = [];
  for (let index = view.first; index < view.last; index++) {
    const row = rows[index];
    shown.push(
      row.kind === 'chain' ? (
        <ChainRow key={`chain:${row.chain.key}`} chain={row.chain} summary={summaries.get(row.chain.key)} folded={folded.has(row.chain.key)} rowIndex={index} />
      ) : (
        <ConnectionRow
          key={row.connection.id}
          connection={row.connection}
          selected={row.connection.id === selectedId}
          findings={byConnection.get(row.connection.id)}
          rowIndex={index}
          revision={currentRevision}
        />
      ),
    );
  }
  return (
    <div class="connections" ref={view.ref} onScroll={view.onScroll}>
      {/* aria-rowcount and aria-rowindex tell assistive technology about the rows that are not in the DOM; the header row is row 1. */}
      <table class="grid" aria-label="Connections" aria-rowcount={rows.length + 1}>
        {/* Widths on the header cells (table-layout: fixed reads the first row): a column hidden in a narrow panel (panel.css) hides with its cells. */}
        <thead>
          <tr aria-rowindex={1}>
            <th class="col-badge" aria-label="Findings" />
            <th class="col-url">URL</th>
            <th class="col-frame c-frame">Frame</th>
            <th class="col-state">State</th>
            <th class="col-age c-age">Age</th>
            <th class="col-count c-count" title="Messages sent ↑ / received ↓">
              Msgs ↑/↓
            </th>
            <th class="col-bytes c-bytes" title="Bytes sent ↑ / received ↓">
              Bytes ↑/↓
            </th>
            <th class="col-close">Last close</th>
          </tr>
        </thead>
        <tbody tabIndex={0} onKeyDown={onKeyDown} aria-label="Connections by endpoint">
          {view.first > 0 && <SpacerRow key="spacer:before" heightPx={view.first * CONNECTION_ROW_PX} />}
          {shown}
          {view.last < rows.length && <SpacerRow key="spacer:after" heightPx={(rows.length - view.last) * CONNECTION_ROW_PX} />}
        </tbody>
      </table>
    </div>
  );
}

/** Stands for the rows out of view, so the scrollbar is the whole list's. */
function SpacerRow({ heightPx }: { heightPx: number }) {
  return (
    <tr class="spacer-row" aria-hidden="true" style={{ height: `${heightPx}px` }}>
      <td colSpan={COLUMNS} />
    </tr>
  );
}

/** Zebra stripes by position in the whole list, not in the DOM (which starts wherever the window does). */
function stripe(rowIndex: number): string {
  return rowIndex % 2 === 1 ? ' stripe' : '';
}

function ChainRow({ chain, summary, folded, rowIndex }: { chain: Chain; summary: ChainSummary | undefined; folded: boolean; rowIndex: number }) {
  const { open = 0, drops = 0, findings = [] } = summary ?? {};
  const top = findings[0];
  return (
    <tr class="chain-row" onClick={() => toggleChain(chain.key)} aria-expanded={!folded} aria-rowindex={rowIndex + 2}>
      <td class="badge-cell">{top && <FindingBadge findings={findings} />}</td>
      <td colSpan={COLUMNS - 1} class="chain-title" title={chain.key}>
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

/** The code first, in its own element: in a narrow column the name gives way, never the code. */
function CloseLabel({ code }: { code: number }) {
  return (
    <>
      <span class="close-code">{code}</span> {explainCloseCode(code).name}
    </>
  );
}

/** A URL elided in the middle when its cell is narrow: "ws://host…/end of path?query" (the whole URL is in the cell's text and title). */
function MiddleElided({ url }: { url: string }) {
  const { head, tail } = splitUrl(url);
  return (
    <span class="url-split">
      <span class="url-head">{head}</span>
      <span class="url-tail">{tail}</span>
    </span>
  );
}

export function closeLabel(connection: Connection): string {
  if (!connection.close) return '';
  return `${connection.close.code} ${explainCloseCode(connection.close.code).name}`;
}

interface ConnectionRowProps {
  connection: Connection;
  selected: boolean;
  findings?: Finding[];
  rowIndex: number;
  /** The session revision: the connection object is mutated in place, so this is what tells the row it may have changed. */
  revision: number;
}

function ConnectionRow({ connection, selected, findings, rowIndex }: ConnectionRowProps) {
  // Read on every delta from core's per-connection facts (the analysis' own definitions), not at the analysis' pace.
  const counts = messageCounts(connection);
  const state = connectionState(connection);
  const ageMs = connectionAgeMs(connection, clock.value);
  const close = connection.close;
  const bad = isDrop(closeSeverity(connection));
  // A file's open sockets were open when it was exported: they end with the recording, not today (src/panel/clock.ts).
  const openAtEnd = link.value === 'imported' && (state === 'open' || state === 'connecting' || state === 'closing');
  return (
    <tr
      class={`connection-row${stripe(rowIndex)}${selected ? ' selected' : ''}`}
      aria-selected={selected}
      aria-rowindex={rowIndex + 2}
      data-connection-id={connection.id}
      onClick={() => selectConnection(connection.id)}
    >
      <td class="badge-cell">{findings?.length ? <FindingBadge findings={findings} /> : null}</td>
      <td class="url" title={connection.kind === 'eventsource' ? `Event stream (EventSource): ${connection.url}` : connection.url}>
        {connection.kind === 'eventsource' && <span class="kind-badge">SSE</span>}
        <MiddleElided url={connection.url} />
      </td>
      <td class="frame c-frame" title={connection.frameUrl}>
        {shortUrl(connection.frameUrl)}
      </td>
      <td class={`state state-${state}`} title={openAtEnd ? `${state}: ${OPEN_AT_END_TEXT}` : undefined}>
        <span class="state-dot" aria-hidden="true" />
        {state}
      </td>
      <td class="num c-age" title={openAtEnd ? 'Age at the end of the recording' : undefined}>
        {formatMeasured(Math.max(0, ageMs))}
      </td>
      <td class="num c-count">
        {counts.sent} / {counts.received}
      </td>
      <td class="num c-bytes">
        {formatBytes(counts.sentBytes)} / {formatBytes(counts.receivedBytes)}
      </td>
      <td class={bad ? 'close-bad' : openAtEnd ? 'close-open-at-end' : 'close-ok'} title={close ? `${explainCloseCode(close.code, close.reason).meaning} (by ${close.simulated ? 'a simulation, not real' : close.initiator})` : openAtEnd ? OPEN_AT_END_TEXT : ''}>
        {close?.simulated && <span class="role role-sim" title="ended by a simulation (Reproduce and verify), not by the network or the server">sim</span>}
        {openAtEnd ? OPEN_AT_END_TEXT : close ? <CloseLabel code={close.code} /> : null}
      </td>
    </tr>
  );
}
