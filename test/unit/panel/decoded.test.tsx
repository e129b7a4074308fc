// @vitest-environment happy-dom
// The Decoded view: binary payloads decoded lazily (src/core/decoders is a
// dynamic import), picked automatically when the bytes leave no doubt, a
// "Decode as" menu remembered per endpoint, a .proto for Protocol Buffers,
// MQTT, Socket.IO attachments, and errors in plain words.
import { beforeEach, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { act } from 'preact/test-utils';
import { MessageDetail } from '../../../src/panel/MessageDetail';
import { loadDecoders } from '../../../src/panel/DecodedView';
import { decoderChoices, setDecoderChoice } from '../../../src/panel/decoderChoices';
import { selectConnection } from '../../../src/panel/store';
import { byText, click, flush, load, mount } from './fixtures';
import { addConnection, receive, send, session as emptySession, T0 } from '../helpers/synth';
import type { Session } from '../../../src/core/model';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function decodeSession(): Session {
  const s = emptySession();
  const feed = addConnection(s, { url: 'ws://127.0.0.1:9/feed?token=1', createdAt: T0 });
  receive(feed, T0 + 100, base64(encode({ type: 'trade', price: 101.5, raw: new Uint8Array([1, 2, 255]) })), 2);
  receive(feed, T0 + 200, base64(new Uint8Array([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69])), 2); // protobuf: 1: 150, 2: "hi"
  const truncated = addConnection(s, { url: 'ws://127.0.0.1:9/big', createdAt: T0 + 1 });
  receive(truncated, T0 + 300, base64(encode({ a: 1 })), 2);
  truncated.messages[0].truncated = true;
  truncated.messages[0].size = 100_000;
  const mqtt = addConnection(s, { url: 'ws://127.0.0.1:9/mqtt', createdAt: T0 + 2 });
  mqtt.protocol = 'mqtt';
  // CONNECT (MQTT 3.1.1, client id "c"), then PUBLISH topic "a/b" payload {"x":1}.
  send(mqtt, T0 + 400, base64(new Uint8Array([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x63])), 2);
  receive(mqtt, T0 + 500, base64(new Uint8Array([0x30, 12, 0, 3, 0x61, 0x2f, 0x62, ...new TextEncoder().encode('{"x":1}')])), 2);
  const io = addConnection(s, { url: 'ws://127.0.0.1:9/socket.io/?EIO=4&transport=websocket', createdAt: T0 + 3 });
  receive(io, T0 + 600, '451-["upload",{"_placeholder":true,"num":0}]');
  receive(io, T0 + 601, base64(new Uint8Array([0xca, 0xfe])), 2);
  receive(io, T0 + 700, '<b>not html</b>', 2);
  return s;
}

let s: Session;
const connection = (suffix: string) => s.connections.find((c) => c.url.includes(suffix))!;

async function showDecoded(suffix: string, index: number): Promise<HTMLElement> {
  flush(() => selectConnection(connection(suffix).id, index));
  await loadDecoders();
  const root = mount(<MessageDetail />);
  await act(async () => {
    await loadDecoders();
  });
  return root;
}

describe('Decoded view', () => {
  beforeEach(() => {
    s = load(decodeSession());
    for (const key of decoderChoices.peek().keys()) setDecoderChoice(key, undefined);
  });

  it('reads MessagePack on its own, as a tree with bytes as hex', async () => {
    const root = await showDecoded('/feed', 0);
    expect(root.querySelector('[role=tab][aria-selected=true]')?.textContent).toBe('Decoded');
    const tree = root.querySelector('[role=tree][aria-label="Decoded as MessagePack"]')!;
    expect(tree.textContent).toContain('type: "trade"');
    expect(tree.textContent).toContain('price: 101.5');
    expect(tree.textContent).toContain('raw: 01 02 ff');
    expect((root.querySelector('select[aria-label="Decode as"]') as HTMLSelectElement).value).toBe('auto');
  });

  it('shows hex when nothing is certain, and decodes as chosen, remembered for the endpoint', async () => {
    const root = await showDecoded('/feed', 1);
    expect(root.textContent).toContain('Not recognised');
    expect(root.querySelector('[aria-label="Hex dump"]')?.textContent).toContain('08 96 01 12 02 68 69');
    const select = root.querySelector('select[aria-label="Decode as"]') as HTMLSelectElement;
    act(() => {
      select.value = 'protobuf';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(decoderChoices.value.get('ws://127.0.0.1:9/feed')).toEqual({ decoder: 'protobuf' });
    const tree = root.querySelector('[role=tree]')!;
    expect(tree.getAttribute('aria-label')).toBe('Decoded as Protocol Buffers (no schema)');
    expect(tree.textContent).toContain('150');
    expect(tree.textContent).toContain('"hi"');
    // The same endpoint's other message now reads as protobuf too, and says why it fails.
    const other = await showDecoded('/feed', 0);
    expect(other.textContent).toMatch(/Not valid Protocol Buffers|field|wire/);
  });

  it('decodes Protocol Buffers with a pasted .proto and a message type', async () => {
    setDecoderChoice('ws://127.0.0.1:9/feed', { decoder: 'protobuf-schema' });
    const root = await showDecoded('/feed', 1);
    expect(root.textContent).toContain('Give the .proto text and the message type');
    const area = root.querySelector('textarea[aria-label=".proto schema"]') as HTMLTextAreaElement;
    act(() => {
      area.value = 'syntax = "proto3"; package t; message Tick { int32 seq = 1; string name = 2; }';
      area.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const type = root.querySelector('select[aria-label="Message type"]') as HTMLSelectElement;
    expect([...type.options].map((o) => o.value)).toContain('t.Tick');
    act(() => {
      type.value = 't.Tick';
      type.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(decoderChoices.value.get('ws://127.0.0.1:9/feed')?.protobufSchema?.messageType).toBe('t.Tick');
    const tree = root.querySelector('[role=tree]')!;
    expect(tree.textContent).toContain('seq: 150');
    expect(tree.textContent).toContain('name: "hi"');
    // A .proto that does not compile says so.
    act(() => {
      area.value = 'message {';
      area.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(root.textContent).toContain('The .proto does not compile');
  });

  it('says in plain words that a truncated preview cannot be decoded', async () => {
    const root = await showDecoded('/big', 0);
    expect(root.querySelector('.decode-error')?.textContent).toContain('preview truncated');
  });

  it('reads MQTT on an mqtt sub-protocol, at the level of the connection’s CONNECT', async () => {
    const root = await showDecoded('/mqtt', 1);
    const tree = root.querySelector('[role=tree][aria-label="Decoded as MQTT"]')!;
    expect(tree.textContent).toContain('PUBLISH');
    expect(tree.textContent).toContain('PUBLISH a/b (QoS 0, 7 bytes)');
  });

  it('puts Socket.IO binary attachments back into the event', async () => {
    const root = await showDecoded('/socket.io', 0);
    click(byText(root, '[role=tab]', 'Decoded'));
    expect(root.textContent).toContain('Socket.IO BINARY_EVENT "upload" with 1 binary attachment (messages #1)');
    expect(root.querySelector('[role=tree][aria-label="Socket.IO event with attachments"]')?.textContent).toContain('ca fe');
  });

  it('renders decoded text as text, never as HTML', async () => {
    const root = await showDecoded('/socket.io', 2);
    click(byText(root, '[role=tab]', 'Hex'));
    expect(root.querySelector('b')).toBeNull();
  });
});
