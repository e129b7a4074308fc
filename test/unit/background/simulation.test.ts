// Reproduce and verify in the background: commands reach only the tab's relays, only from our own pages,
// policies end with the top document unless kept, and Verify the fix concludes and stops.
import { describe, expect, it } from 'vitest';
import type { BackgroundToRelay } from '../../../src/protocol/messages';
import { EXTENSION_ID, Harness, T0, pageBatch } from './fakes';

const commands = (port: { received: unknown[] }) => (port.received as BackgroundToRelay[]).filter((m) => m.kind === 'command');
const idle = { kind: 'idle' as const, ms: 2000, basis: 'any' as const, endpoint: '', keep: false };

describe('background: simulation', () => {
  it('sends a policy to every relay of the tab and no other, and stop', async () => {
    const h = new Harness();
    const top = h.relay(1);
    top.hello('d1');
    const frame = h.relay(1, 3);
    frame.hello('d2', { top: false });
    const other = h.relay(2);
    other.hello('d3');
    const panel = h.panel();
    panel.subscribe(1);
    panel.send({ kind: 'sim-policy', tabId: 1, policy: idle });
    await h.flush();
    expect(commands(top.port)).toEqual([{ kind: 'command', command: { c: 'policy', kind: 'idle', ms: 2000, basis: 'any', endpoint: '' } }]);
    expect(commands(frame.port)).toHaveLength(1);
    expect(commands(other.port)).toEqual([]);
    const state = panel.received.filter((m) => m.kind === 'simulation').at(-1);
    expect(state).toMatchObject({ simulation: { policy: { kind: 'idle', ms: 2000 } } });
    panel.send({ kind: 'sim-policy', tabId: 1, policy: null });
    await h.flush();
    expect(commands(top.port).at(-1)).toEqual({ kind: 'command', command: { c: 'stop' } });
    expect(h.stored(1)?.pageEvents.filter((e) => e.type === 'simulation').map((e) => e.detail?.split(':')[0])).toEqual(['Started', 'Stopped']);
  });

  it('refuses a policy out of bounds, and takes no command from a page', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    const panel = h.panel();
    panel.send({ kind: 'sim-policy', tabId: 1, policy: { ...idle, ms: 5 } });
    // A relay (a web page's frame) sending the panel's command on its own port: ignored.
    relay.send({ kind: 'sim-policy', tabId: 1, policy: idle } as never);
    const page = h.panel({ id: EXTENSION_ID, url: 'https://evil.example/', tab: { id: 1 }, frameId: 0 });
    page.port.connected = page.port.other.connected = true;
    page.send({ kind: 'sim-policy', tabId: 1, policy: idle });
    await h.flush();
    expect(commands(relay.port)).toEqual([]);
  });

  it('ends a policy with the top document, keeps one kept across reloads and sends it to the new document', async () => {
    const h = new Harness();
    const first = h.relay(1);
    first.hello('d1');
    const panel = h.panel();
    panel.send({ kind: 'sim-policy', tabId: 1, policy: idle });
    await h.flush();
    const second = h.relay(1);
    second.hello('d2');
    await h.flush();
    // Ended with the document it was started on: the new document gets no policy (a stop, which its hook ignores).
    expect(commands(second.port).map((m) => m.kind === 'command' && m.command.c)).not.toContain('policy');
    panel.send({ kind: 'sim-policy', tabId: 1, policy: { ...idle, keep: true } });
    await h.flush();
    const third = h.relay(1);
    third.hello('d3');
    await h.flush();
    expect(commands(third.port)).toEqual([{ kind: 'command', docId: 'd3', command: { c: 'policy', kind: 'idle', ms: 2000, basis: 'any', endpoint: '' } }]);
  });

  it('routes an action to the document of the connection, and refuses reserved close codes', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [{ k: 'create', at: 0, id: 4, time: T0 + 1, url: 'wss://app.example/live', protocols: [] }]));
    await h.flush();
    const panel = h.panel();
    panel.send({ kind: 'sim-action', tabId: 1, action: { kind: 'close', connectionId: 'd1:4', code: 1006, reason: '' } });
    panel.send({ kind: 'sim-action', tabId: 1, action: { kind: 'close', connectionId: 'd1:4', code: 1012, reason: 'restart' } });
    panel.send({ kind: 'sim-action', tabId: 1, action: { kind: 'inject', connectionId: 'd1:4', format: 'hex', data: '0a ff' } });
    await h.flush();
    expect(commands(relay.port)).toEqual([
      { kind: 'command', docId: 'd1', command: { c: 'close', id: 4, code: 1012, reason: 'restart' } },
      { kind: 'command', docId: 'd1', command: { c: 'inject', id: 4, binary: true, text: '', b64: 'Cv8=' } },
    ]);
  });
});
