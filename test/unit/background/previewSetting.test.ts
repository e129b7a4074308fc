// The preview bound (Settings.previewBytes): the background sends it to every hook when it changes, and to each
// new document at its hello; a value that is not one of the choices is ignored, wherever it comes from.
import { describe, expect, it } from 'vitest';
import type { BackgroundToRelay, BackgroundToPanel } from '../../../src/protocol/messages';
import { Harness, T0, pageBatch } from './fakes';

const previews = (port: { received: unknown[] }) => (port.received as BackgroundToRelay[]).filter((m) => m.kind === 'command' && m.command.c === 'preview');

describe('background: preview setting', () => {
  it('sends a new bound to every relay of every tab, then to each new document at its hello', async () => {
    const h = new Harness();
    const a = h.relay(1);
    a.hello('d1');
    const b = h.relay(2, 4);
    b.hello('d2', { top: false });
    await h.flush();
    // The default needs no command.
    expect(previews(a.port)).toEqual([]);
    const panel = h.panel();
    panel.send({ kind: 'settings', settings: { previewBytes: 1024 } });
    await h.flush();
    expect(previews(a.port)).toEqual([{ kind: 'command', command: { c: 'preview', bytes: 1024 } }]);
    expect(previews(b.port)).toEqual([{ kind: 'command', command: { c: 'preview', bytes: 1024 } }]);
    expect((h.browser.local.data.get('settings') as { previewBytes: number }).previewBytes).toBe(1024);
    // The same value again: nothing sent.
    panel.send({ kind: 'settings', settings: { previewBytes: 1024, preserveLog: false } });
    await h.flush();
    expect(previews(a.port)).toHaveLength(1);
    const c = h.relay(1);
    c.hello('d3');
    await h.flush();
    expect(previews(c.port)).toEqual([{ kind: 'command', docId: 'd3', command: { c: 'preview', bytes: 1024 } }]);
    // The panel's next snapshot carries it.
    panel.subscribe(1);
    await h.flush();
    const snapshot = (panel.received as BackgroundToPanel[]).filter((m) => m.kind === 'snapshot').at(-1);
    expect(snapshot && snapshot.kind === 'snapshot' && snapshot.settings.previewBytes).toBe(1024);
  });

  it('cuts a preview the hook recorded before it had the bound (a batch already on its way)', async () => {
    const h = new Harness();
    h.panel().send({ kind: 'settings', settings: { previewBytes: 1024 } });
    const relay = h.relay(1);
    relay.hello('d1');
    relay.batch('d1', pageBatch(1, [{ k: 'create', at: 0, id: 1, time: T0 + 1, url: 'wss://app.example/ws', protocols: [] }], [[1, 1, T0 + 2, 1, 5000, 'z'.repeat(5000)]]));
    await h.flush();
    expect(h.stored(1)?.connections[0].messages.map((m) => [m.size, m.preview.length, m.truncated])).toEqual([[5000, 1024, true]]);
  });

  it('shows a change made in one panel in every other open panel, of every tab', async () => {
    const h = new Harness();
    const one = h.panel();
    one.subscribe(1);
    const other = h.panel();
    other.subscribe(2);
    await h.flush();
    one.send({ kind: 'settings', settings: { previewBytes: 16384 } });
    await h.flush();
    const last = (other.received as BackgroundToPanel[]).filter((m) => m.kind === 'settings').at(-1);
    expect(last?.kind === 'settings' && last.settings).toMatchObject({ previewBytes: 16384, preserveLog: true });
  });

  it('ignores a bound that is not a choice, from the panel or from storage, and keeps the other settings', async () => {
    const h = new Harness();
    const relay = h.relay(1);
    relay.hello('d1');
    const panel = h.panel();
    for (const previewBytes of [-1, 100, 1e9, Number.NaN, '1024', null]) panel.send({ kind: 'settings', settings: { previewBytes: previewBytes as number } });
    panel.send({ kind: 'settings', settings: { previewBytes: 7, preserveLog: false } });
    await h.flush();
    expect(previews(relay.port)).toEqual([]);
    panel.subscribe(1);
    await h.flush();
    const snapshot = (panel.received as BackgroundToPanel[]).filter((m) => m.kind === 'snapshot').at(-1);
    expect(snapshot?.kind === 'snapshot' && snapshot.settings).toMatchObject({ previewBytes: 65536, preserveLog: false });
    // Changed in storage by another context: taken when valid, ignored otherwise.
    h.browser.local.onChanged.emit({ settings: { newValue: { previewBytes: 123 } } });
    await h.flush();
    expect(previews(relay.port)).toEqual([]);
    h.browser.local.onChanged.emit({ settings: { newValue: { previewBytes: 0 } } });
    await h.flush();
    expect(previews(relay.port)).toEqual([{ kind: 'command', command: { c: 'preview', bytes: 0 } }]);
  });

  it('restores the bound from storage and sends it at the first hello', async () => {
    const first = new Harness();
    first.panel().send({ kind: 'settings', settings: { previewBytes: 4096 } });
    await first.flush();
    // The worker restarts: a new background reads storage.local.
    const again = new Harness({ clock: first.clock, local: first.browser.local });
    const relay = again.relay(1);
    relay.hello('d1');
    await again.flush();
    expect(previews(relay.port)).toEqual([{ kind: 'command', docId: 'd1', command: { c: 'preview', bytes: 4096 } }]);
  });
});
