// @vitest-environment happy-dom
// The message detail: text, JSON tree, hex dump, decoded frames, never HTML.
import { beforeEach, describe, expect, it } from 'vitest';
import { MessageDetail, hexDump } from '../../../src/panel/MessageDetail';
import { selectConnection } from '../../../src/panel/store';
import { byText, click, flush, load, mount, nginxLikeSession } from './fixtures';
import type { Session } from '../../../src/core/model';

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
    expect(root.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Hex');
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
});
