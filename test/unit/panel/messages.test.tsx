// @vitest-environment happy-dom
// The message list of the selected connection: rows, filters, selection, keyboard.
import { beforeEach, describe, expect, it } from 'vitest';
import { MessagesPane } from '../../../src/panel/Messages';
import { directionFilter, hideHeartbeats, selectConnection, selectedMessageIndex } from '../../../src/panel/store';
import { click, flush, key, load, mount, nginxLikeSession, type } from './fixtures';
import type { Session } from '../../../src/core/model';

let s: Session;
const liveId = () => s.connections.find((c) => c.url.endsWith('/echo?live'))!.id;

describe('MessagesPane', () => {
  beforeEach(() => {
    s = load(nginxLikeSession());
  });

  it('asks for a selection first', () => {
    const root = mount(<MessagesPane />);
    expect(root.textContent).toContain('Select a connection');
  });

  it('lists the messages with time, direction, size, heartbeat role and a preview', () => {
    flush(() => selectConnection(liveId()));
    const root = mount(<MessagesPane />);
    const options = root.querySelectorAll('[role=option]');
    expect(options.length).toBeGreaterThanOrEqual(20); // the rows in view and a few more
    expect(options.length).toBeLessThanOrEqual(30);
    const first = options[0];
    expect(first.querySelector('.msg-dir')?.textContent).toBe('↑');
    expect(first.querySelector('.msg-clock')?.textContent).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(first.querySelector('.msg-rel')?.textContent).toBe('+1.000 s');
    expect(first.querySelector('.msg-size')?.textContent).toBe('23 B');
    expect(first.querySelector('.msg-role')?.textContent).toBe('ping');
    expect(options[1].querySelector('.msg-role')?.textContent).toBe('pong');
    expect(first.querySelector('.msg-preview')?.textContent).toBe('{"type":"ping","seq":1}');
    expect(root.querySelector('.count')?.textContent).toBe('30 messages');
  });

  it('filters by direction, by text, by regex (reporting a bad one) and hides heartbeats', () => {
    flush(() => selectConnection(liveId()));
    const root = mount(<MessagesPane />);
    const options = () => [...root.querySelectorAll('[role=option]')];
    click([...root.querySelectorAll('button.segment')].find((b) => b.textContent === '↓ Received'));
    expect(directionFilter.value).toBe('receive');
    expect(options().length).toBe(15);
    expect(options().every((o) => o.classList.contains('msg-receive'))).toBe(true);
    click([...root.querySelectorAll('button.segment')].find((b) => b.textContent === 'All'));
    const input = root.querySelector('#message-filter');
    type(input, '"SEQ":1}');
    expect(options().length).toBe(2);
    expect(root.querySelector('.count')?.textContent).toBe('2 of 30');
    click(root.querySelector('button[aria-label="Regular expression"]'));
    type(input, '"seq":1\\d}');
    expect(options().length).toBe(12); // 10..15, both ways
    type(input, '(');
    expect(input?.getAttribute('aria-invalid')).toBe('true');
    type(input, '');
    flush(() => (hideHeartbeats.value = true));
    expect(root.textContent).toContain('No message matches the filters.');
  });

  it('selects a message with a click and moves with the keyboard', () => {
    flush(() => selectConnection(liveId()));
    const root = mount(<MessagesPane />);
    const options = () => [...root.querySelectorAll('[role=option]')];
    click(options()[3]);
    expect(selectedMessageIndex.value).toBe(3);
    expect(options()[3].getAttribute('aria-selected')).toBe('true');
    const list = root.querySelector('[role=listbox]');
    key(list, 'ArrowDown');
    expect(selectedMessageIndex.value).toBe(4);
    key(list, 'Home');
    expect(selectedMessageIndex.value).toBe(0);
    key(list, 'End');
    expect(selectedMessageIndex.value).toBe(29);
  });

  it('shows the close of the connection in plain words', () => {
    flush(() => selectConnection(s.connections[0].id));
    const root = mount(<MessagesPane />);
    expect(root.querySelector('[aria-label="Close"]')?.textContent).toMatch(/Closed 1006 Abnormal Closure by nobody \(no close frame\).*without a close frame/);
  });

  it('renders only the visible rows of a 100k-message connection', () => {
    const big = nginxLikeSession();
    const live = big.connections.find((c) => c.url.endsWith('/echo?live'))!;
    const start = live.messages[live.messages.length - 1].time;
    for (let i = 0; i < 100_000; i++) {
      live.messages.push({ index: live.messages.length, direction: i % 2 ? 'receive' : 'send', time: start + i, opcode: 1, size: 10, preview: `tick ${i}`, truncated: false });
    }
    s = load(big);
    flush(() => selectConnection(live.id));
    const root = mount(<MessagesPane />);
    expect(root.querySelectorAll('[role=option]').length).toBeLessThan(80);
    expect(root.querySelector('.count')?.textContent).toBe('100,030 messages');
    const spacer = root.querySelector<HTMLElement>('.vspacer');
    expect(spacer?.style.height).toBe(`${100_030 * 20}px`);
  });
});
