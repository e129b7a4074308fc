// Byte helpers, hand-written so they run the same in node and browsers, and
// count without allocating: previews can be 64 KiB each and there can be 100k.
// Pure: atob/btoa are globals in both.

/** Bytes of a string encoded as UTF-8 (lone surrogates count as U+FFFD, 3 bytes, like TextEncoder). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A string as UTF-8 bytes: what TextEncoder gives (a lone surrogate becomes U+FFFD, EF BF BD). */
export function utf8Encode(text: string): Uint8Array {
  const bytes = new Uint8Array(utf8ByteLength(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    }
    if (code < 0x80) bytes[at++] = code;
    else if (code < 0x800) {
      bytes[at++] = 0xc0 | (code >> 6);
      bytes[at++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      bytes[at++] = 0xe0 | (code >> 12);
      bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[at++] = 0x80 | (code & 0x3f);
    } else {
      bytes[at++] = 0xf0 | (code >> 18);
      bytes[at++] = 0x80 | ((code >> 12) & 0x3f);
      bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[at++] = 0x80 | (code & 0x3f);
    }
  }
  return bytes;
}

/**
 * UTF-8 bytes as a string, or undefined if they are not well-formed UTF-8 (what `new TextDecoder('utf-8',
 * { fatal: true })` refuses: overlong forms, surrogates, code points past U+10FFFF, truncated sequences). A
 * leading byte order mark is dropped, as TextDecoder does.
 */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  const parts: string[] = [];
  let units: number[] = [];
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length) {
    const b0 = bytes[i];
    let code: number;
    let need: number;
    let min: number;
    if (b0 < 0x80) {
      units.push(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      code = b0 & 0x1f;
      need = 1;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      code = b0 & 0x0f;
      need = 2;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      code = b0 & 0x07;
      need = 3;
      min = 0x10000;
    } else return undefined;
    if (i + need >= bytes.length) return undefined;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if ((b & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    if (code >= 0x10000) units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    else units.push(code);
    i += need + 1;
    // fromCharCode.apply has an argument-count limit.
    if (units.length >= 0x4000) {
      parts.push(String.fromCharCode.apply(null, units));
      units = [];
    }
  }
  parts.push(String.fromCharCode.apply(null, units));
  return parts.join('');
}

/** Decoded length of base64 (or base64url) text, without decoding it; whitespace and padding ignored. */
export function base64ByteLength(base64: string): number {
  let dataChars = 0;
  for (let i = 0; i < base64.length; i++) {
    const code = base64.charCodeAt(i);
    // '=' is padding; everything at or below ' ' is line wrapping.
    if (code !== 61 && code > 32) dataChars++;
  }
  // Each character carries 6 bits; a trailing partial byte is padding bits.
  return Math.floor((dataChars * 6) / 8);
}

/** Characters of the padded base64 of `bytes` bytes. */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/**
 * The base64 of the first `bytes` bytes of what `base64` (unwrapped, padded) encodes; all of it when it holds no
 * more. Only the last group is decoded and encoded again. Text that is not base64 there keeps the whole groups before it.
 */
export function base64Prefix(base64: string, bytes: number): string {
  const whole = Math.floor(bytes / 3) * 4;
  const rest = bytes % 3;
  if (base64.length <= whole) return base64;
  const head = base64.slice(0, whole);
  if (!rest) return head;
  try {
    return head + globalThis.btoa(globalThis.atob(base64.slice(whole, whole + 4)).slice(0, rest));
  } catch {
    return head;
  }
}

export function bytesToBase64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  // fromCharCode.apply has an argument-count limit; 32 KiB chunks stay well under it.
  const chunkSize = 0x8000;
  for (let start = 0; start < bytes.length; start += chunkSize) {
    const chunk = bytes.subarray(start, start + chunkSize);
    chunks.push(String.fromCharCode.apply(null, Array.from(chunk)));
  }
  return globalThis.btoa(chunks.join(''));
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = globalThis.atob(base64.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
