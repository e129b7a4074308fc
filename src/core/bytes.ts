// Byte helpers, hand-written so they run the same in node and browsers, and
// count without allocating: previews can be 64 KiB each and there can be 100k.
// Pure: atob/btoa are globals in both.

// count without allocating: previews can be 64 KiB each and there can be 100k)

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
