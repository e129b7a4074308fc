// @vitest-environment happy-dom
// What the hook cannot capture is said on screen, and event streams can be listed apart from WebSockets.
import { describe, expect, it } from 'vitest';
import { coverageNotes, networkLogOnly } from '../../../src/panel/Coverage';
import { connections, kindFilter } from '../../../src/panel/store';
import { emptySession, type Connection, type Session } from '../../../src/core/model';
import { flush, load } from './fixtures';
import { render } from 'preact';
import { MessageRow } from '../../../src/panel/Messages';

const T0 = 1_790_000_000_000;
const connection = (id: string, kind?: 'eventsource'): Connection => ({ id, frameUrl: 'https://app.example/', url: `https://app.example/${id}`, protocols: [], createdAt: T0, messages: [], ...(kind ? { kind } : {}) });

function sessionWith(extra: Partial<Session>): Session {
  return { ...emptySession('s', T0), ...extra };
}

describe('coverage notes and the kind filter', () => {
  it('names the workers the page started and says their sockets are not captured', () => {
    const notes = coverageNotes(
      sessionWith({
        pageEvents: [
          { type: 'worker', time: T0, detail: 'Worker /js/socket-worker.js' },
          { type: 'worker', time: T0 + 1, detail: 'SharedWorker /js/shared.js' },
        ],
      }),
    );
    expect(notes).toEqual([expect.stringMatching(/started 2 workers \(Worker \/js\/socket-worker\.js, SharedWorker \/js\/shared\.js\).*not captured/)]);
  });

  it('says what an event stream cannot show, and says nothing for a plain WebSocket session', () => {
    expect(coverageNotes(sessionWith({ connections: [connection('ws')] }))).toEqual([]);
    expect(coverageNotes(sessionWith({ connections: [connection('ws'), connection('sse', 'eventsource')] }))).toEqual([expect.stringMatching(/comment lines.*never reach the page/)]);
  });

  it('finds the WebSockets of DevTools\' network log that were not recorded (a worker\'s)', () => {
    const recorded = [{ ...connection('ws'), url: 'ws://h/echo' }];
    const entries = [
      { _resourceType: 'document', request: { url: 'http://h/' } },
      { _resourceType: 'websocket', request: { url: 'ws://h/echo' }, _webSocketMessages: [{}, {}] },
      { _resourceType: 'websocket', request: { url: 'ws://h/echo' }, _webSocketMessages: [{}] },
      { _resourceType: 'websocket', request: { url: 'ws://h/worker' }, _webSocketMessages: [{}, {}] },
      null,
    ];
    expect(networkLogOnly(entries, recorded)).toEqual([
      { url: 'ws://h/echo', messages: 1 },
      { url: 'ws://h/worker', messages: 2 },
    ]);
  });

  it('filters the list by kind', () => {
    load(sessionWith({ connections: [connection('ws'), connection('sse', 'eventsource')] }));
    expect(connections.value.map((c) => c.id)).toEqual(['ws', 'sse']);
    flush(() => (kindFilter.value = 'eventsource'));
    expect(connections.value.map((c) => c.id)).toEqual(['sse']);
    flush(() => (kindFilter.value = 'websocket'));
    expect(connections.value.map((c) => c.id)).toEqual(['ws']);
    flush(() => (kindFilter.value = 'all'));
  });

  it('shows an event\'s type and lastEventId before its data', () => {
    const root = document.createElement('div');
    render(<MessageRow message={{ index: 0, direction: 'receive', time: T0, opcode: 1, size: 7, preview: '{"n":1}', truncated: false, event: 'update', lastEventId: '42' }} base={T0} selected={false} />, root);
    expect(root.querySelector('.msg-preview')?.textContent).toBe('update #42{"n":1}');
    expect(root.querySelector('.msg-event')?.getAttribute('title')).toBe('Event type update, lastEventId 42');
  });
});
