// @vitest-environment happy-dom
// The connection list: chains, rows, close codes, finding badges, filters, keyboard.
import { beforeEach, describe, expect, it, vi } from 'vitest';

// The toolbar's Clear talks to the background through the polyfill, which refuses to load outside an extension.
vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));
import { ConnectionList, CONNECTION_ROW_PX } from '../../../src/panel/ConnectionList';
import { Toolbar } from '../../../src/panel/Toolbar';
import { findings, selectedConnectionId, stateFilter, urlFilter } from '../../../src/panel/store';
import { messageCounts } from '../../../src/core/facts';
import { addConnection, closeAt, receive, send, session as emptyTestSession, T0 } from '../helpers/synth';
import { byText, click, flush, key, load, mount, nginxLikeSession, type } from './fixtures';

describe('ConnectionList', () => {
  beforeEach(() => load(nginxLikeSession()));

  it('groups connections into reconnect chains with their URL, state, counts, bytes and last close', () => {
    const root = mount(<ConnectionList />);
    const chains = root.querySelectorAll('tr.chain-row');
    expect(chains.length).toBe(3);
    expect(chains[0].textContent).toMatch(/\/burst.*4 connections.*4 drops/);
    const rows = root.querySelectorAll('tr[data-connection-id]');
    expect(rows.length).toBe(6);
    const first = rows[0];
    expect(first.querySelector('td.url')?.textContent).toBe('ws://127.0.0.1:8080/burst?count=2&every=200');
    expect(first.textContent).toContain('closed');
    expect(first.textContent).toContain('1 / 2'); // one sent, two received
    expect(first.textContent).toMatch(/\d+ B \/ \d+ B/);
    expect(first.textContent).toContain('1006 Abnormal Closure');
    expect(first.querySelector('td.frame')?.textContent).toBe('app.example/');
    const live = byText(root, 'tr[data-connection-id]', '/echo?live');
    expect(live.textContent).toContain('open');
    expect(live.textContent).toContain('15 / 15');
  });

  it('badges the rows a finding concerns, and only those', () => {
    expect(findings.value[0]?.kind).toBe('idle-timeout');
    const root = mount(<ConnectionList />);
    const badged = [...root.querySelectorAll('tr[data-connection-id]')].filter((row) => row.querySelector('.finding-badge'));
    expect(badged.length).toBe(4);
    expect(badged.every((row) => row.textContent?.includes('/burst'))).toBe(true);
    expect(badged[0].querySelector('.finding-badge')?.getAttribute('title')).toMatch(/Connections die after 3 s of silence/);
  });

  it('filters by URL text and by state, and says so when nothing matches', () => {
    const root = mount(
      <>
        <Toolbar tabId={1} />
        <ConnectionList />
      </>,
    );
    type(root.querySelector('input[aria-label="Filter connections by URL"]'), 'LIVE');
    expect(urlFilter.value).toBe('LIVE');
    expect([...root.querySelectorAll('tr[data-connection-id] td.url')].map((td) => td.textContent)).toEqual(['ws://127.0.0.1:8080/echo?live']);
    type(root.querySelector('input[aria-label="Filter connections by URL"]'), '');
    click(byText(root, 'button.segment', 'Ended'));
    expect(stateFilter.value).toBe('closed');
    expect(root.querySelectorAll('tr[data-connection-id]').length).toBe(4);
    click(byText(root, 'button.segment', 'Open'));
    expect(root.querySelectorAll('tr[data-connection-id]').length).toBe(2);
    type(root.querySelector('input[aria-label="Filter connections by URL"]'), 'nothing-like-this');
    expect(root.textContent).toContain('none matches the filters');
    click(byText(root, 'button', 'Clear filters'));
    expect(root.querySelectorAll('tr[data-connection-id]').length).toBe(6);
  });

  it('selects with a click and moves with the arrow keys; folds a chain', () => {
    const root = mount(<ConnectionList />);
    const rows = () => [...root.querySelectorAll('tr[data-connection-id]')];
    click(rows()[1]);
    expect(selectedConnectionId.value).toBe(rows()[1].getAttribute('data-connection-id'));
    expect(rows()[1].getAttribute('aria-selected')).toBe('true');
    const body = root.querySelector('tbody');
    key(body, 'ArrowDown');
    expect(selectedConnectionId.value).toBe(rows()[2].getAttribute('data-connection-id'));
    key(body, 'ArrowUp');
    key(body, 'ArrowUp');
    expect(selectedConnectionId.value).toBe(rows()[0].getAttribute('data-connection-id'));
    key(body, 'End');
    expect(selectedConnectionId.value).toBe(rows()[5].getAttribute('data-connection-id'));
    click(root.querySelector('tr.chain-row'));
    expect(root.querySelectorAll('tr[data-connection-id]').length).toBe(2);
    expect(root.querySelector('tr.chain-row')?.getAttribute('aria-expanded')).toBe('false');
    flush(() => undefined);
  });

  it('renders only the rows in view of 2,000 connections, keeps the scrollbar whole, and scrolls the selection into view', () => {
    const big = emptyTestSession();
    for (let i = 0; i < 2000; i++) {
      const c = addConnection(big, { url: `wss://api${i % 40}.example/socket?client=${i}`, createdAt: T0 + i * 1500 });
      send(c, c.openedAt! + 10, 'hello');
      receive(c, c.openedAt! + 20, 'world');
      if (i < 1999) closeAt(c, c.openedAt! + 1000);
    }
    load(big);
    const root = mount(<ConnectionList />);
    const table = root.querySelector('table');
    const rowCount = 2000 + 40; // connections and chain headers
    expect(table?.getAttribute('aria-rowcount')).toBe(String(rowCount + 1));
    const rendered = root.querySelectorAll('tr[data-connection-id], tr.chain-row');
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(60);
    const after = root.querySelector<HTMLElement>('tr.spacer-row');
    expect(after?.getAttribute('aria-hidden')).toBe('true');
    expect(after?.style.height).toBe(`${(rowCount - rendered.length) * CONNECTION_ROW_PX}px`);
    expect(rendered[1].getAttribute('aria-rowindex')).toBe('3');

    // End selects the last connection, scrolls to it, and its row is rendered once the list has scrolled.
    const viewport = root.querySelector<HTMLElement>('.connections')!;
    key(root.querySelector('tbody'), 'End');
    expect(selectedConnectionId.value).toBe(big.connections[1999].id);
    expect(viewport.scrollTop).toBeGreaterThan(40_000);
    flush(() => viewport.dispatchEvent(new Event('scroll')));
    const selected = root.querySelector('tr.connection-row.selected');
    expect(selected?.getAttribute('data-connection-id')).toBe(big.connections[1999].id);
    expect(selected?.getAttribute('aria-rowindex')).toBe(String(rowCount + 1));
    expect(root.querySelectorAll('tr[data-connection-id], tr.chain-row').length).toBeLessThan(60);
  });

  it('counts each connection once, then only the messages appended since', () => {
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    const first = messageCounts(live);
    expect(first).toMatchObject({ sent: 15, received: 15 });
    expect(messageCounts(live)).toEqual(first);
    receive(live, live.messages[live.messages.length - 1].time + 5, 'late');
    expect(messageCounts(live)).toMatchObject({ sent: 15, received: 16 });
  });
});
