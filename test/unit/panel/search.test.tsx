// @vitest-environment happy-dom
// Search across every connection: text or regex, incremental (slices, a new
// query cancels the old scan), virtualized results, and a hit opens in place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/panel/App';
import { runSearch, searchOpen, searchState, setSearch, setSearchScheduler, compileSearch } from '../../../src/panel/search';
import { openSearchHit } from '../../../src/panel/SearchPane';
import { collapsedChains, messageFilter, selectedConnectionId, selectedMessageIndex, urlFilter } from '../../../src/panel/store';
import { handleShortcut } from '../../../src/panel/keyboard';
import { flush, key, load, mount, nginxLikeSession, type } from './fixtures';
import { addConnection, receive } from '../helpers/synth';

vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));

afterEach(() => {
  setSearchScheduler(undefined);
  flush(() => {
    setSearch('');
    searchOpen.value = false;
  });
});

describe('search across connections', () => {
  it('finds text case-insensitively and by regex, in text messages only, with JSON escapes decoded', () => {
    const s = nginxLikeSession();
    const extra = addConnection(s, { url: 'ws://127.0.0.1:8080/chat', createdAt: s.connections[0].createdAt + 5 });
    receive(extra, extra.openedAt! + 10, '{"text":"caf\\u00e9 ouvert"}');
    load(s);
    flush(() => setSearch('PONG'));
    expect(searchState.value.done).toBe(true);
    expect(searchState.value.hits).toHaveLength(15);
    expect(new Set(searchState.value.hits.map((h) => h.connection.url))).toEqual(new Set(['ws://127.0.0.1:8080/echo?live']));
    flush(() => setSearch('café'));
    expect(searchState.value.hits.map((h) => h.connection.url)).toEqual(['ws://127.0.0.1:8080/chat']);
    flush(() => setSearch('"seq":1[0-2]\\b', true));
    expect(searchState.value.hits).toHaveLength(6);
    flush(() => setSearch('(', true));
    expect(searchState.value.error).toMatch(/Not a valid regular expression/);
    // The base64 of the binary message is not searched.
    flush(() => setSearch('AAECAwQF', false));
    expect(searchState.value.hits).toHaveLength(0);
    expect(compileSearch('a.b', false)).not.toHaveProperty('error');
  });

  it('scans in slices and a new query cancels the running scan', () => {
    const s = nginxLikeSession();
    const big = addConnection(s, { url: 'ws://127.0.0.1:8080/big', createdAt: s.connections[0].createdAt + 1 });
    for (let i = 0; i < 100_000; i++) big.messages.push({ index: i, direction: 'receive', time: big.openedAt! + i, opcode: 1, size: 20, preview: `{"seq":${i},"v":"x"}`, truncated: false });
    load(s);
    const slices: (() => void)[] = [];
    setSearchScheduler((run) => slices.push(run));
    // Make every clock read look 10 ms later, so each slice yields after its first check.
    let fake = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (fake += 10));
    flush(() => setSearch('"seq":99999,'));
    expect(searchState.value.done).toBe(false);
    expect(slices.length).toBe(1);
    const stale = slices.shift()!;
    flush(() => setSearch('"seq":4242,'));
    const pending = slices.length;
    stale(); // the cancelled scan's next slice does nothing
    expect(slices.length).toBe(pending);
    now.mockRestore();
    while (slices.length) flush(() => slices.shift()!());
    expect(searchState.value.done).toBe(true);
    expect(searchState.value.scanned).toBe(searchState.value.total);
    expect(searchState.value.hits.map((h) => [h.connection.url, h.messageIndex])).toEqual([['ws://127.0.0.1:8080/big', 4242]]);
  });

  it('opens a hit in place, undoing the filters and folds that hide it; Ctrl+Shift+F opens, Enter opens the hit', () => {
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    const root = mount(<App tabId={1} />);
    flush(() => handleShortcut(new KeyboardEvent('keydown', { key: 'F', ctrlKey: true, shiftKey: true }), () => {}));
    expect(searchOpen.value).toBe(true);
    const input = root.querySelector('input[aria-label="Search all messages"]');
    expect(input).not.toBeNull();
    flush(() => {
      urlFilter.value = 'burst';
      messageFilter.value = 'ping';
      collapsedChains.value = new Set(['ws://127.0.0.1:8080/echo']);
    });
    type(input, '"seq":7}');
    const status = root.querySelector('.search-status')!;
    expect(status.textContent).toMatch(/^2 matches in \d+ messages/);
    const rows = root.querySelectorAll('[aria-label="Search results"] [role=option]');
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain('↓');
    expect(rows[1].textContent).toContain('127.0.0.1:8080/echo?live #13');
    key(root.querySelector('[aria-label="Search results"]'), 'ArrowDown');
    key(root.querySelector('[aria-label="Search results"]'), 'Enter');
    expect(selectedConnectionId.value).toBe(live.id);
    expect(selectedMessageIndex.value).toBe(13);
    expect(urlFilter.value).toBe('');
    expect(messageFilter.value).toBe('');
    expect(collapsedChains.value.size).toBe(0);
    expect(root.querySelector('.messages-pane [role=option][aria-selected=true]')?.getAttribute('data-index')).toBe('13');
    expect(root.querySelector('.message-detail pre, .message-detail [role=tree]')?.textContent).toContain('pong');
    // Opening with a function too.
    flush(() => openSearchHit(searchState.value.hits[0]));
    expect(selectedMessageIndex.value).toBe(12);
    flush(() => runSearch());
    expect(searchState.value.hits).toHaveLength(2);
  });
});
