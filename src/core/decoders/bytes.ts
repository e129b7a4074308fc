// A message's payload as bytes, for the binary decoders. Binary previews are
// base64 (src/core/model.ts); a truncated or evicted preview is not the
// payload, and no decoder can read a part of one.
import { utf8Encode } from '../bytes';
import type { Message } from '../model';

export type MessageBytes = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

export function base64Bytes(base64: string): Uint8Array {
  const binary = globalThis.atob(base64.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The whole payload of a message (text as UTF-8, binary from base64), or why it cannot be had. */
export function messageBytes(message: Pick<Message, 'opcode' | 'preview' | 'truncated' | 'evicted' | 'size'>): MessageBytes {
  if (message.evicted) return { ok: false, error: 'The preview was evicted by the memory cap: nothing to decode.' };
  if (message.truncated) {
    return { ok: false, error: `Only the first part of this ${message.size}-byte message was recorded (preview truncated): a part of a message cannot be decoded.` };
  }
  if (message.opcode === 1) return { ok: true, bytes: utf8Encode(message.preview) };
  try {
    return { ok: true, bytes: base64Bytes(message.preview) };
  } catch {
    return { ok: false, error: 'The recorded preview is not valid base64.' };
  }
}
