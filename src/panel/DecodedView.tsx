// The "Decoded" view of the message detail: binary payloads read as
// MessagePack, CBOR, Protocol Buffers (with or without a .proto) or MQTT, and
// Socket.IO events with their binary attachments put back in place.
//
// src/core/decoders (with @msgpack/msgpack, cbor2 and protobufjs, ~200 KiB
// minified) is loaded with a dynamic import() the first time this view
// shows, so the panel's first paint never pays for it.
// Values are plain JSON shown in the panel's JSON tree; `{ hex }` leaves read
// as hex. Everything is rendered as text nodes, never as HTML.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Connection, Message } from '../core/model';
import { endpointKey } from '../core/chains';
import type { DecodeResult, DecoderChoice, DecoderId, MqttLevel, SocketIoBinaryPacket } from '../core/decoders';
import { decoderChoices, loadDecoderChoices, setDecoderChoice } from './decoderChoices';
import { hexDump, JsonNode } from './MessageDetail';

type Decoders = typeof import('../core/decoders');

let decoders: Decoders | undefined;
let loading: Promise<Decoders> | undefined;

/** Loads src/core/decoders once (a separate chunk of the build). */
export function loadDecoders(): Promise<Decoders> {
  loading ??= import('../core/decoders').then((module) => (decoders = module));
  return loading;
}

function useDecoders(): Decoders | undefined {
  const [, setLoaded] = useState(false);
  useEffect(() => {
    void loadDecoderChoices();
    if (!decoders) void loadDecoders().then(() => setLoaded(true));
  }, []);
  return decoders;
}

/** A Socket.IO BINARY_EVENT / BINARY_ACK text packet (`451-[…]`, `461-[…]`): its attachments follow as binary messages. */
export function isSocketIoBinaryPacket(message: Message): boolean {
  return message.opcode === 1 && /^4[56]\d+-/.test(message.preview);
}

/** Whether the message has a Decoded view. */
export function hasDecodedView(message: Message): boolean {
  return message.opcode === 2 || isSocketIoBinaryPacket(message);
}

/** What Copy takes on the Decoded view: the last decoded value shown, as JSON. */
let shownValue: { key: string; json: string } | undefined;
export function decodedCopyText(message: Message, connection: Connection): string | undefined {
  return shownValue?.key === `${connection.id}:${message.index}` ? shownValue.json : undefined;
}

export function DecodedView({ message, connection }: { message: Message; connection: Connection }) {
  const module = useDecoders();
  if (!module) return <p class="note">Loading the decoders…</p>;
  return message.opcode === 1 ? (
    <SocketIoAttachments module={module} message={message} connection={connection} />
  ) : (
    <BinaryDecoded module={module} message={message} connection={connection} />
  );
}

/** The connection's MQTT protocol level, from its first sent message (a CONNECT); undefined reads as 3.1.1. */
function mqttLevelOf(module: Decoders, connection: Connection): MqttLevel | undefined {
  const first = connection.messages.find((m) => m.direction === 'send');
  if (!first || first.opcode !== 2) return undefined;
  const bytes = module.messageBytes(first);
  return bytes.ok ? module.mqttProtocolLevel(bytes.bytes) : undefined;
}

function BinaryDecoded({ module, message, connection }: { module: Decoders; message: Message; connection: Connection }) {
  const endpoint = endpointKey(connection.url);
  const choice = decoderChoices.value.get(endpoint);
  const decoded = useMemo(() => {
    const bytes = module.messageBytes(message);
    if (!bytes.ok) return { bytes: undefined, auto: undefined, result: undefined, error: bytes.error };
    const auto = module.detectBinary(bytes.bytes, { protocol: connection.protocol });
    const id = choice?.decoder ?? auto;
    if (!id) return { bytes: bytes.bytes, auto, result: undefined, error: undefined };
    const result = module.decodeBinary(id, bytes.bytes, {
      ...(choice?.protobufSchema ? { protobufSchema: choice.protobufSchema } : {}),
      ...(id === 'mqtt' ? { mqttLevel: mqttLevelOf(module, connection) } : {}),
    });
    return { bytes: bytes.bytes, auto, result, error: undefined };
  }, [module, message, connection, choice]);
  const label = (id: DecoderId | undefined) => module.DECODERS.find((d) => d.id === id)?.label ?? 'none recognised';
  remember(message, connection, decoded.result);
  return (
    <div class="decoded-view">
      <div class="decode-as">
        <label>
          Decode as{' '}
          <select
            aria-label="Decode as"
            value={choice?.decoder ?? 'auto'}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setDecoderChoice(endpoint, value === 'auto' ? undefined : { decoder: value as DecoderId, ...(choice?.protobufSchema ? { protobufSchema: choice.protobufSchema } : {}) });
            }}
          >
            <option value="auto">Automatic ({decoded.bytes ? label(decoded.auto) : 'nothing to decode'})</option>
            {module.DECODERS.map((decoder) => (
              <option key={decoder.id} value={decoder.id} title={`Automatic ${decoder.automatic}`}>
                {decoder.label}
              </option>
            ))}
          </select>
        </label>
        <span class="note-inline">{choice ? `remembered for ${endpoint}` : ''}</span>
      </div>
      {choice?.decoder === 'protobuf-schema' && <ProtoSchemaEditor module={module} endpoint={endpoint} choice={choice} />}
      {decoded.error !== undefined && <p class="note decode-error">{decoded.error}</p>}
      {decoded.bytes && !decoded.result && (
        <>
          <p class="note">
            Not recognised as MessagePack, CBOR{connection.protocol ? ' or MQTT' : ''} without doubt, so shown as hex. Choose a format in <b>Decode as</b> to read it anyway.
          </p>
          <pre class="payload hex" aria-label="Hex dump">
            {hexDump(decoded.bytes)}
          </pre>
        </>
      )}
      {decoded.result && <DecodedTree result={decoded.result} label={label(decoded.result.decoder)} />}
    </div>
  );
}

function remember(message: Message, connection: Connection, result: DecodeResult | undefined): void {
  shownValue = result?.ok ? { key: `${connection.id}:${message.index}`, json: JSON.stringify(result.value, null, 2) } : undefined;
}

function DecodedTree({ result, label }: { result: DecodeResult; label: string }) {
  if (!result.ok) return <p class="note decode-error">{result.error}</p>;
  return (
    <div class="json-tree" role="tree" aria-label={`Decoded as ${label}`}>
      <JsonNode name={undefined} value={result.value} depth={0} />
    </div>
  );
}

/** The .proto text and the message type for 'protobuf-schema', remembered with the endpoint's choice. */
function ProtoSchemaEditor({ module, endpoint, choice }: { module: Decoders; endpoint: string; choice: DecoderChoice }) {
  const [proto, setProto] = useState(choice.protobufSchema?.proto ?? '');
  const compiled = useMemo(() => (proto.trim() ? module.compileProtoSchema(proto) : undefined), [module, proto]);
  const types = compiled?.ok ? compiled.messageTypes : [];
  const current = choice.protobufSchema?.messageType;
  const save = (messageType: string | undefined) => {
    if (!compiled?.ok) return;
    const type = messageType && types.includes(messageType) ? messageType : types[0];
    if (type) setDecoderChoice(endpoint, { decoder: 'protobuf-schema', protobufSchema: { proto, messageType: type } });
  };
  return (
    <div class="proto-schema">
      <textarea
        aria-label=".proto schema"
        placeholder={'syntax = "proto3";\nmessage Envelope { string type = 1; bytes body = 2; }'}
        spellcheck={false}
        rows={6}
        value={proto}
        onInput={(event) => setProto(event.currentTarget.value)}
        onBlur={() => save(current)}
      />
      <div class="proto-type">
        <label>
          Message type{' '}
          <select aria-label="Message type" value={current && types.includes(current) ? current : ''} disabled={!types.length} onChange={(event) => save(event.currentTarget.value)}>
            {!(current && types.includes(current)) && <option value="">{types.length ? 'Choose…' : '(paste the .proto first)'}</option>}
            {types.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="tool-button" disabled={!compiled?.ok} onClick={() => save(current)}>
          Apply
        </button>
      </div>
      {compiled && !compiled.ok && <p class="note decode-error">The .proto does not compile: {compiled.error}</p>}
    </div>
  );
}

/** A Socket.IO binary event: the text packet with its attachments (the next binary messages) in place. */
function SocketIoAttachments({ module, message, connection }: { module: Decoders; message: Message; connection: Connection }) {
  const packet = useMemo<SocketIoBinaryPacket | undefined>(() => {
    const start = connection.messages.indexOf(message);
    if (start < 0) return undefined;
    // Its attachments follow it; other traffic may interleave, so look a little further than their count.
    const window = connection.messages.slice(start, start + 1 + 4 * SOCKET_IO_LOOKAHEAD);
    return module.assembleSocketIoBinary(window, { url: connection.url, protocol: connection.protocol }).find((p) => p.index === message.index);
  }, [module, message, connection]);
  shownValue = packet?.data !== undefined ? { key: `${connection.id}:${message.index}`, json: JSON.stringify(packet.data, null, 2) } : undefined;
  if (!packet) return <p class="note">Not a Socket.IO binary packet that could be read.</p>;
  const attached = packet.attachmentIndexes.length ? ` (messages ${packet.attachmentIndexes.map((i) => `#${i}`).join(', ')})` : '';
  return (
    <div class="decoded-view">
      <p class="note">
        Socket.IO {packet.type}
        {packet.event ? ` "${packet.event}"` : ''} with {packet.attachments === 1 ? '1 binary attachment' : `${packet.attachments} binary attachments`}
        {attached}
      </p>
      {packet.error !== undefined && <p class="note decode-error">{packet.error}</p>}
      {packet.data !== undefined && (
        <div class="json-tree" role="tree" aria-label="Socket.IO event with attachments">
          <JsonNode name={undefined} value={packet.data} depth={0} />
        </div>
      )}
    </div>
  );
}

/** Attachments read past the text packet, at most (times four for interleaved traffic). */
const SOCKET_IO_LOOKAHEAD = 256;
