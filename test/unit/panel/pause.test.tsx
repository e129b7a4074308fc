// @vitest-environment happy-dom
// Pause: capture goes on underneath (every delta applied to the session) while
// the views stay on the frozen revision; Resume shows everything, nothing lost.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/panel/App';
import { MessagesPane } from '../../../src/panel/Messages';
import { arrivedWhilePaused, applySessionDelta, applySessionDeltas, pause, paused, resume, revision, selectConnection, session } from '../../../src/panel/store';
import { handleShortcut } from '../../../src/panel/keyboard';
import type { Message } from '../../../src/core/model';
import { click, flush, load, mount, nginxLikeSession } from './fixtures';

vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));

afterEach(() => flush(() => resume()));

function tick(index: number, time: number): Message {
  return { index, direction: 'receive', time, opcode: 1, size: 12, preview: `{"tick":${index}}`, truncated: false };
}

describe('pause', () => {
  it('freezes the views, counts what arrives, and shows every delta after Resume', () => {
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    flush(() => selectConnection(live.id));
    const root = mount(<MessagesPane />);
    const countText = () => root.querySelector('.count')?.textContent;
    expect(countText()).toBe('30 messages');

    flush(() => pause());
    const frozen = revision.value;
    let time = live.messages[live.messages.length - 1].time;
    let index = live.messages.length;
    flush(() => {
      for (let batch = 0; batch < 50; batch++) {
        applySessionDelta({ messages: [{ connectionId: live.id, messages: [tick(index++, ++time), tick(index++, ++time)] }] });
      }
      applySessionDelta({ connections: [{ id: 'late', url: 'ws://127.0.0.1:8080/late', frameUrl: '', protocols: [], createdAt: time }] });
      applySessionDelta({ messages: [{ connectionId: 'late', messages: [tick(0, ++time)] }] });
    });
    // The session has it all; the view has not moved.
    expect(live.messages.length).toBe(130);
    expect(session.value.connections.some((c) => c.id === 'late')).toBe(true);
    expect(revision.value).toBe(frozen);
    expect(countText()).toBe('30 messages');
    expect(arrivedWhilePaused.value).toEqual({ messages: 101, connections: 1, pageEvents: 0 });

    flush(() => resume());
    expect(paused.value).toBe(false);
    expect(countText()).toBe('130 messages');
    const indexes = live.messages.map((m) => m.index);
    expect(indexes).toEqual(Array.from({ length: 130 }, (_, i) => i));
  });

  it('applies a hand-over\'s deltas together: one revision live, every one counted while paused (decision 76)', () => {
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    let time = live.messages[live.messages.length - 1].time;
    let index = live.messages.length;
    const deltas = () => [
      { messages: [{ connectionId: live.id, messages: [tick(index++, ++time)] }] },
      { connections: [{ id: `late${index}`, url: 'ws://127.0.0.1:8080/late', frameUrl: '', protocols: [], createdAt: time }] },
      { messages: [{ connectionId: live.id, messages: [tick(index++, ++time), tick(index++, ++time)] }], pageEvents: [{ type: 'online' as const, time }] },
    ];
    const before = revision.value;
    flush(() => applySessionDeltas(deltas()));
    expect(revision.value, 'one redraw for the three').toBe(before + 1);
    expect(live.messages.map((m) => m.index)).toEqual(Array.from({ length: 33 }, (_, i) => i));
    flush(() => pause());
    flush(() => applySessionDeltas(deltas()));
    expect(arrivedWhilePaused.value).toEqual({ messages: 3, connections: 1, pageEvents: 1 });
  });

  it('says how many messages arrived in the bar, and Resume / P give them back', () => {
    const s = load(nginxLikeSession());
    const live = s.connections.find((c) => c.url.endsWith('/echo?live'))!;
    const root = mount(<App tabId={1} />);
    click(root.querySelector('button[aria-label="Pause the view"]'));
    expect(paused.value).toBe(true);
    let time = live.messages[live.messages.length - 1].time;
    flush(() => {
      for (let i = 0; i < 1234; i++) applySessionDelta({ messages: [{ connectionId: live.id, messages: [tick(live.messages.length, ++time)] }] });
    });
    expect(root.querySelector('[data-testid=pause-bar]')?.textContent).toContain('Paused · 1,234 new messages');
    expect(root.querySelector('.status-summary')?.textContent).toContain('· 45 messages');
    click([...root.querySelectorAll('[data-testid=pause-bar] button')].find((b) => b.textContent === 'Resume'));
    expect(root.querySelector('[data-testid=pause-bar]')).toBeNull();
    expect(root.querySelector('.status-summary')?.textContent).toContain('· 1,279 messages');
    // The P key toggles it (not while typing in a field).
    flush(() => handleShortcut(new KeyboardEvent('keydown', { key: 'p' }), () => {}));
    expect(paused.value).toBe(true);
    flush(() => handleShortcut(new KeyboardEvent('keydown', { key: 'p' }), () => {}));
    expect(paused.value).toBe(false);
  });
});
