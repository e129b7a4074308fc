// @vitest-environment happy-dom
// "Copy as…" in the messages' toolbar: the selected message or the
// connection's text messages (the shown ones when filtered), redacted when
// the export's option is on, and what was skipped said.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'preact/test-utils';
import { MessagesPane } from '../../../src/panel/Messages';
import { exportChoices } from '../../../src/panel/exportChoices';
import { directionFilter, selectConnection } from '../../../src/panel/store';
import { byText, click, flush, load, mount } from './fixtures';
import { addConnection, receive, send, session as emptySession, T0 } from '../helpers/synth';

vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));

let clipboard: string[] = [];

beforeEach(() => {
  clipboard = [];
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void clipboard.push(text) } });
  const s = emptySession();
  const c = addConnection(s, { url: 'wss://chat.example/socket?access_token=abc123', createdAt: T0 });
  c.protocols = ['chat.v2'];
  send(c, T0 + 100, '{"type":"subscribe","room":7}');
  receive(c, T0 + 200, '{"type":"joined"}');
  send(c, T0 + 300, '{"type":"say","text":"it\'s `$(rm -rf /)`"}');
  send(c, T0 + 400, 'AAEC', 2);
  send(c, T0 + 500, '{"type":"big"');
  c.messages[4].truncated = true;
  load(s);
  flush(() => selectConnection(c.id, 2));
});
afterEach(() => {
  exportChoices.value = { ...exportChoices.value, redact: false };
  vi.useRealTimers();
});

async function choose(root: HTMLElement, group: RegExp, flavor: string): Promise<string> {
  click(byText(root, 'button', 'Copy as…'));
  const menu = root.querySelector('[role=menu][aria-label="Copy as code"]')!;
  const buttons = byText(menu, '[role=group]', group);
  await act(async () => {
    byText(buttons, 'button', flavor).click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return root.querySelector('.copy-status')?.textContent ?? '';
}

describe('Copy as…', () => {
  it('copies the selected message as browser JavaScript', async () => {
    const root = mount(<MessagesPane />);
    const status = await choose(root, /Message #2/, 'Browser JavaScript');
    expect(status).toBe('Copied as Browser JavaScript: 1 message');
    expect(clipboard[0]).toContain('new WebSocket(url, protocols)');
    expect(clipboard[0]).toContain(JSON.stringify('{"type":"say","text":"it\'s `$(rm -rf /)`"}'));
  });

  it('copies every text message of the connection, or the shown ones, as websocat, and says what was skipped', async () => {
    const root = mount(<MessagesPane />);
    let status = await choose(root, /All text messages \(4\)/, 'websocat');
    expect(status).toMatch(/^Copied as websocat: 3 messages · 1 skipped \(only the start of it was recorded/);
    expect(clipboard[0]).toContain("'T:{\"type\":\"joined\"}'");
    expect(clipboard[0]).not.toContain('B:AAEC');
    flush(() => (directionFilter.value = 'send'));
    status = await choose(root, /Text messages shown \(3\)/, 'Node.js (ws)');
    expect(status).toMatch(/^Copied as Node.js \(ws\): 2 messages · 1 skipped/);
    expect(clipboard[1]).toContain('import WebSocket from "ws"');
    expect(clipboard[1]).not.toContain('joined');
  });

  it('redacts when the export’s Redact secrets option is on', async () => {
    exportChoices.value = { ...exportChoices.value, redact: true };
    const root = mount(<MessagesPane />);
    const status = await choose(root, /Message #2/, 'Node.js (ws)');
    expect(status).toContain('secrets redacted');
    expect(clipboard[0]).not.toContain('abc123');
    expect(clipboard[0]).toContain('[REDACTED]');
  });
});
