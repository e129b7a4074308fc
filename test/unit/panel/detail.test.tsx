// @vitest-environment happy-dom
// The message detail: text, JSON tree, hex dump, decoded frames, never HTML.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageDetail, hexDump } from '../../../src/panel/MessageDetail';
import { selectConnection } from '../../../src/panel/store';
import { byText, click, flush, load, mount, nginxLikeSession } from './fixtures';
import type { Session } from '../../../src/core/model';
import { addConnection, receive } from '../helpers/synth';

let s: Session;
const connection = (suffix: string) => s.connections.find((c) => c.url.endsWith(suffix))!;

describe('MessageDetail', () => {
  beforeEach(() => {
    s = load(nginxLikeSession());
  });

  it('asks for a message first', () => {
    const root = mount(<MessageDetail />);
    expect(root.querySelector('[aria-label="Message detail"]')?.textContent).toContain('Select a message');
  });

  it('shows JSON as a collapsible tree, and the raw text and hex on their tabs', () => {
    flush(() => selectConnection(connection('/echo?live').id, 0));
    const root = mount(<MessageDetail />);
    const detail = root.querySelector('[aria-label="Message detail"]')!;
    expect(detail.textContent).toContain('↑ sent');
    expect(detail.textContent).toContain('#0');
    expect(detail.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('JSON');
    const tree = detail.querySelector('[role=tree]')!;
    expect(tree.textContent).toContain('type: "ping"');
    expect(tree.textContent).toContain('seq: 1');
    click(tree.querySelector('button.json-toggle'));
    expect(tree.textContent).not.toContain('seq: 1');
    expect(tree.querySelector('[role=treeitem]')?.getAttribute('aria-expanded')).toBe('false');
    click(byText(detail, '[role=tab]', 'Text'));
    expect(detail.querySelector('pre.payload')?.textContent).toBe('{"type":"ping","seq":1}');
    click(byText(detail, '[role=tab]', 'Hex'));
    expect(detail.querySelector('[aria-label="Hex dump"]')?.textContent).toMatch(/^00000000  7b 22 74 79 70 65 22 3a  22 70 69 6e 67 22 2c 22 {2}\{"type":"ping","/);
  });

  it('shows binary messages as a hex dump', () => {
    flush(() => selectConnection(connection('/binary').id, 0));
    const root = mount(<MessageDetail />);
    // Binary opens on the Decoded view (tested in decoded.test.tsx); its Hex tab is the dump.
    expect(root.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Decoded');
    click(byText(root, '[role=tab]', 'Hex'));
    expect(root.querySelector('[aria-label="Hex dump"]')?.textContent).toContain('00 01 02 03 04 05 06 07  48 49 69');
    expect(root.textContent).toContain('binary');
  });

  it('renders payloads as text, never as HTML', () => {
    flush(() => selectConnection(connection('/binary').id, 1));
    const root = mount(<MessageDetail />);
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('pre.payload')?.textContent).toBe('<img src=x onerror="alert(1)">');
  });

  it('decodes the frames of known protocols (Socket.IO here)', () => {
    flush(() => selectConnection(connection('/binary').id, 2));
    const root = mount(<MessageDetail />);
    expect(root.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Socket.IO');
    const frame = root.querySelector('[aria-label="Decoded frame"]')!;
    expect(frame.textContent).toContain('EVENT "chat"');
    expect(frame.textContent).toContain('namespace/');
    expect(frame.textContent).toContain('text: "hi"');
  });

  it('formats hex dumps with offsets and printable characters', () => {
    expect(hexDump(new Uint8Array([0x41, 0x00, 0x7f]))).toBe(`00000000  41 00 7f ${' '.repeat(3 * 13 + 1)} A..`);
  });

  describe('deeply nested JSON', () => {
    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    let writeText: ReturnType<typeof vi.fn>;

    beforeEach(() => {
      const deep = addConnection(s, { url: 'ws://127.0.0.1:8080/socket.io/?EIO=4&transport=websocket&deep', createdAt: s.startedAt + 30 });
      receive(deep, deep.openedAt! + 10, deepArray);
      receive(deep, deep.openedAt! + 20, `42["ev",${deepObject}]`);
      receive(deep, deep.openedAt! + 30, '['.repeat(150) + '1' + ']'.repeat(150));
      s = load(s);
      writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    });
    afterEach(() => {
      Reflect.deleteProperty(navigator, 'clipboard');
    });

    it('shows the text and a "too deep" notice for 100000 nested arrays, and Copy copies the text', async () => {
      flush(() => selectConnection(connection('&deep').id, 0));
      const root = mount(<MessageDetail />);
      const detail = root.querySelector('[aria-label="Message detail"]')!;
      expect(detail.querySelector('.json-too-deep')?.textContent).toBe('Too deep to show as a tree (100000 levels; the limit is 200); showing the text.');
      expect(detail.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Text');
      expect([...detail.querySelectorAll('[role=tab]')].map((tab) => tab.textContent)).not.toContain('JSON');
      expect(detail.querySelector('pre.payload')?.textContent).toBe(deepArray);
      click(byText(detail, 'button', 'Copy'));
      await Promise.resolve();
      expect(writeText).toHaveBeenCalledWith(deepArray);
    });

    it('shows a deep Socket.IO event as a frame with the notice, and its text on the Text tab', () => {
      flush(() => selectConnection(connection('&deep').id, 1));
      const root = mount(<MessageDetail />);
      const detail = root.querySelector('[aria-label="Message detail"]')!;
      expect(detail.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Socket.IO');
      expect(detail.querySelector('.json-too-deep')?.textContent).toMatch(/^Too deep to show as a tree \(5001 levels/);
      expect(detail.querySelector('[aria-label="Decoded frame"]')?.textContent).toContain('EVENT');
      click(byText(detail, '[role=tab]', 'Text'));
      expect(detail.querySelector('pre.payload')?.textContent).toBe(`42["ev",${deepObject}]`);
    });

    it('still shows 150 levels as a tree, and copies it as JSON', async () => {
      flush(() => selectConnection(connection('&deep').id, 2));
      const root = mount(<MessageDetail />);
      const detail = root.querySelector('[aria-label="Message detail"]')!;
      expect(detail.querySelector('.json-too-deep')).toBeNull();
      expect(detail.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('JSON');
      click(byText(detail, 'button', 'Copy'));
      await Promise.resolve();
      expect(JSON.parse(writeText.mock.calls[0][0] as string)).toEqual(JSON.parse('['.repeat(150) + '1' + ']'.repeat(150)));
    });
  });
});

describe('MessageDetail: what a bounded preview kept', () => {
  it('says how much a truncated preview kept, and that sizes only kept nothing', () => {
    s = nginxLikeSession();
    const bounded = addConnection(s, { url: 'wss://app.example/bounded', createdAt: s.startedAt + 30 });
    receive(bounded, bounded.openedAt! + 10, 'x'.repeat(1024));
    receive(bounded, bounded.openedAt! + 20, Buffer.from(new Uint8Array(1024)).toString('base64'), 2);
    receive(bounded, bounded.openedAt! + 30, '');
    for (const m of bounded.messages) Object.assign(m, { truncated: true, size: 5000 });
    s = load(s);
    const texts = [0, 1, 2].map((i) => {
      flush(() => selectConnection(connection('/bounded').id, i));
      return mount(<MessageDetail />).querySelector('.message-meta')!.textContent;
    });
    expect(texts[0]).toContain('preview truncated: the first 1,024 characters kept');
    expect(texts[1]).toContain('preview truncated: the first 1.0 KiB kept');
    expect(texts[2]).toContain('no content kept (Previews: sizes only)');
  });
});

