// core's UTF-8 (core uses no platform API): differential against TextEncoder / TextDecoder's fatal mode.
import { describe, expect, it } from 'vitest';
import { utf8DecodeStrict, utf8Encode } from '../../src/core/bytes';
import { createRng } from './helpers/synth';

const fatal = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
};

describe('UTF-8 in core', () => {
  it('encodes as TextEncoder does, lone surrogates included', () => {
    const random = createRng(7);
    const samples = ['', 'ascii', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '\ud83d\ude00\ud83d', 'mixed é € 😀 \u0000 \u007f \u0080 \u07ff \u0800 \uffff'];
    for (let n = 0; n < 500; n++) samples.push(String.fromCharCode(...Array.from({ length: Math.floor(random() * 20) }, () => Math.floor(random() ** 3 * 0x10000))));
    for (const text of samples) expect([...utf8Encode(text)], JSON.stringify(text)).toEqual([...new TextEncoder().encode(text)]);
  });

  it('decodes, and refuses, exactly what TextDecoder in fatal mode does', () => {
    const random = createRng(11);
    const cases: number[][] = [
      [], [0x41], [0xef, 0xbb, 0xbf, 0x41], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80],
      [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f, 0x98], [0xe2, 0x82], [0x80], [0xff], [0xc3, 0xa9, 0xe2, 0x82, 0xac],
    ];
    for (let n = 0; n < 3000; n++) {
      // Mostly valid text, then damaged: a byte changed, dropped or cut.
      const bytes = [...new TextEncoder().encode(String.fromCodePoint(...Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() ** 4 * 0x10ffff)).filter((c) => c < 0xd800 || c > 0xdfff)))];
      if (bytes.length && random() < 0.5) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      if (bytes.length && random() < 0.2) bytes.length = Math.floor(random() * bytes.length);
      cases.push(bytes);
    }
    const big = new TextEncoder().encode('é😀x'.repeat(20_000));
    expect(utf8DecodeStrict(big)).toBe(fatal(big));
    for (const bytes of cases) expect(utf8DecodeStrict(Uint8Array.from(bytes)), bytes.join(' ')).toBe(fatal(Uint8Array.from(bytes)));
  });
});
