// The streaming parser (src/core/jsonStream.ts) against JSON.parse: the same value or an error for the same
// bytes, however they are cut into chunks.
import { describe, expect, it } from 'vitest';

import { JsonStreamParser, JsonSyntaxError, parseJsonChunks, type ArraySink, type JsonPathItem } from '../../src/core/jsonStream';

const createDecoder = () => new TextDecoder('utf-8', { ignoreBOM: true });
import { createRng } from './helpers/synth';

const encoder = new TextEncoder();

/** What the CLI did before: the file decoded as node decodes it, one byte order mark skipped, JSON.parse. */
function reference(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function streamed(bytes: Uint8Array, cuts: number[], maxStringLength?: number): { ok: true; value: unknown } | { ok: false; error: unknown } {
  const parser = new JsonStreamParser({ createDecoder, maxStringLength });
  try {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      // A fresh copy per chunk, overwritten after push: the parser must not keep a chunk.
      const chunk = bytes.slice(from, cut);
      parser.push(chunk);
      chunk.fill(0x41);
      from = cut;
    }
    return { ok: true, value: parser.end() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A value as text that tells -0 from 0, keeps key order, and never recurses (deep documents). */
function fingerprint(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string' && item.startsWith('\u0000tag:')) {
      out.push(item.slice(5));
    } else if (Array.isArray(item)) {
      out.push('[');
      stack.push('\u0000tag:]');
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (typeof item === 'object' && item !== null) {
      if (Object.getPrototypeOf(item) !== Object.prototype) out.push('<proto!>');
      out.push('{');
      stack.push('\u0000tag:}');
      const keys = Object.keys(item);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((item as Record<string, unknown>)[keys[i]]);
        stack.push(`\u0000tag:${JSON.stringify(keys[i])}:`);
      }
    } else if (typeof item === 'number') out.push(Object.is(item, -0) ? '-0' : String(item));
    else out.push(JSON.stringify(item) ?? String(item));
  }
  return out.join(' ');
}

function expectSame(bytes: Uint8Array, cuts: number[], label: string): void {
  const expected = reference(bytes);
  const actual = streamed(bytes, cuts);
  if (!expected.ok || !actual.ok) {
    expect({ label, ok: actual.ok, error: actual.ok ? undefined : String(actual.error) }).toMatchObject({ label, ok: expected.ok });
    if (!actual.ok) expect(actual.error).toBeInstanceOf(JsonSyntaxError);
    return;
  }
  expect(fingerprint(actual.value), label).toBe(fingerprint(expected.value));
}

function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

const CORPUS: Array<string | Uint8Array> = [
  '{}',
  '[]',
  '0',
  '-0',
  '"x"',
  'true',
  'false',
  'null',
  '  \n\t\r{ "a" : [ 1 , 2.5 , -3e2 , 4E-2, 0.000001, 1e400, -1e-400, 123456789012345678901234567890 ] }\n',
  '{"a":1,"a":2}',
  '{"__proto__":{"polluted":true},"b":[{"__proto__":null}]}',
  '{"1":"one","b":"bee","0":"zero"}',
  '"\\u00e9\\u20AC\\ud83d\\ude00\\ud800\\udc00\\ud800x\\udfff\\"\\\\\\/\\b\\f\\n\\r\\t"',
  '"é€😀 direct, beyond Latin-1 and astral"',
  '"\u00ff\u0100"',
  '"\ufeffa string that starts with a BOM character"',
  '\ufeff{"bom":true}',
  '\ufeff\ufeff{}',
  '{"s":"' + 'x'.repeat(5000) + '","t":"' + 'é\\n'.repeat(3000) + '"}',
  '[' + '['.repeat(3000) + ']'.repeat(3000) + ']',
  '{"a":' + '{"b":'.repeat(2000) + '1' + '}'.repeat(2000) + '}',
  '1.7976931348623157e308',
  '5e-324',
  '0.1e1',
  '[1,2,]',
  '{"a":1,}',
  '[01]',
  '[1.]',
  '[.5]',
  '[+1]',
  '[1e]',
  '[1e+]',
  '[-]',
  '[--1]',
  '[0x10]',
  '[NaN]',
  '[Infinity]',
  "['single']",
  '{a:1}',
  '{"a" 1}',
  '{"a":1 "b":2}',
  '[1 2]',
  '"unterminated',
  '"bad escape \\x"',
  '"bad unicode \\u12G4"',
  '"short unicode \\u12"',
  '"raw\ttab"',
  '"raw\nnewline"',
  '"\u2028 and \u2029 are fine in JSON strings"',
  'tru',
  'truex',
  'nul',
  '[true false]',
  '{"log": {"entries": [',
  '',
  '   ',
  '{} {}',
  '{}x',
  '\u0000',
  '[1]\u0000',
  new Uint8Array([0x22, 0xff, 0xfe, 0x22]),
  new Uint8Array([0x22, 0xe2, 0x82, 0x22]),
  new Uint8Array([0x22, 0xf0, 0x9f, 0x98, 0x22]),
  new Uint8Array([0x22, 0xc3, 0x5c, 0x6e, 0x22]),
  new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]),
  new Uint8Array([0xef, 0xbb, 0x7b, 0x7d]),
  new Uint8Array([0xef, 0xbb, 0xbf]),
  new Uint8Array([0xef]),
  new Uint8Array([0x7b, 0xff, 0x7d]),
];

describe('JsonStreamParser against JSON.parse', () => {
  it('reads the corpus identically, cut at every byte', () => {
    for (const [n, doc] of CORPUS.entries()) {
      const bytes = typeof doc === 'string' ? bytesOf(doc) : doc;
      expectSame(bytes, [], `#${n} whole`);
      if (bytes.length <= 400) {
        for (let cut = 0; cut <= bytes.length; cut++) expectSame(bytes, [cut], `#${n} cut at ${cut}`);
      }
      for (const size of [1, 2, 3, 5, 64]) {
        const cuts: number[] = [];
        for (let at = size; at < bytes.length; at += size) cuts.push(at);
        expectSame(bytes, cuts, `#${n} in ${size}-byte chunks`);
      }
    }
  });

  it('reads random documents identically, cut at every byte, including inside multi-byte characters and escapes', () => {
    const random = createRng(20261130);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '\u001f', 'é', 'ÿ', 'Ā', '€', '中', '\u2028', '\ufeff', '😀', '\ud800', '\udc00', '\uffff'];
    const ws = (): string => (random() < 0.7 ? '' : pick([' ', '\n', '\t', '\r\n', '  ']));
    function stringLiteral(): string {
      let out = '"';
      const length = Math.floor(random() * 12);
      for (let i = 0; i < length; i++) {
        const char = pick(CHARS);
        const code = char.charCodeAt(0);
        const form = random();
        if (char === '"' || char === '\\') out += `\\${char}`;
        else if (code < 0x20) out += random() < 0.5 ? `\\u${code.toString(16).padStart(4, '0')}` : JSON.stringify(char).slice(1, -1);
        else if (form < 0.3) out += `\\u${random() < 0.5 ? code.toString(16).padStart(4, '0') : code.toString(16).padStart(4, '0').toUpperCase()}`;
        else if (form < 0.35 && char === '/') out += '\\/';
        else if (code >= 0xd800 && code <= 0xdfff && char.length === 1) out += `\\u${code.toString(16)}`;
        else out += char;
      }
      return `${out}"`;
    }
    function numberLiteral(): string {
      const sign = random() < 0.3 ? '-' : '';
      const int = random() < 0.2 ? '0' : String(Math.floor(random() * 10 ** Math.floor(random() * 20)) || 1);
      const frac = random() < 0.4 ? `.${Math.floor(random() * 1e6)}` : '';
      const exp = random() < 0.3 ? `${pick(['e', 'E'])}${pick(['', '+', '-'])}${Math.floor(random() * 400)}` : '';
      return sign + int + frac + exp;
    }
    function value(depth: number): string {
      const roll = random();
      if (depth > 4 || roll < 0.35) return pick([stringLiteral, numberLiteral, () => pick(['true', 'false', 'null'])])();
      if (roll < 0.65) {
        const items = Array.from({ length: Math.floor(random() * 5) }, () => ws() + value(depth + 1) + ws());
        return `[${items.join(',')}]`;
      }
      const members = Array.from({ length: Math.floor(random() * 5) }, () => `${ws()}${stringLiteral()}${ws()}:${ws()}${value(depth + 1)}${ws()}`);
      return `{${members.join(',')}}`;
    }
    for (let n = 0; n < 300; n++) {
      const doc = ws() + value(0) + ws();
      let bytes = bytesOf(doc);
      // A quarter of them damaged: a byte dropped, changed or doubled.
      if (n % 4 === 3 && bytes.length > 1) {
        const at = Math.floor(random() * bytes.length);
        const copy = Array.from(bytes);
        const how = random();
        if (how < 0.33) copy.splice(at, 1);
        else if (how < 0.66) copy[at] = Math.floor(random() * 256);
        else copy.splice(at, 0, copy[at]);
        bytes = new Uint8Array(copy);
      }
      for (let cut = 0; cut <= bytes.length; cut++) expectSame(bytes, [cut], `random #${n} cut at ${cut}: ${doc}`);
      const cuts: number[] = [];
      for (let at = 1; at < bytes.length; at++) cuts.push(at);
      expectSame(bytes, cuts, `random #${n} byte by byte`);
    }
  });

  it('reads nesting far deeper than a recursive parser could', () => {
    const depth = 200_000;
    const bytes = bytesOf('['.repeat(depth) + ']'.repeat(depth));
    let value = parseJsonChunks([bytes.subarray(0, 1000), bytes.subarray(1000)], { createDecoder });
    let levels = 0;
    while (Array.isArray(value) && value.length <= 1) {
      levels++;
      value = value[0];
    }
    expect(levels).toBe(depth);
  });

  it('says where the bytes stop being JSON: line, column and byte', () => {
    const error = streamed(bytesOf('{\n  "a": 1,\n  "b" 2\n}'), [5]);
    expect(error.ok).toBe(false);
    const thrown = (error as { error: JsonSyntaxError }).error;
    expect(thrown).toBeInstanceOf(JsonSyntaxError);
    expect(thrown.message).toBe("unexpected '2', expected ':' after a property name at line 3, column 7 (byte 18)");
    expect((streamed(bytesOf('{"log": {"entries": ['), [3]) as { error: Error }).error.message).toBe('unexpected end of the file at line 1, column 22 (byte 21)');
    expect((streamed(bytesOf('"abc'), []) as { error: Error }).error.message).toMatch(/^unexpected end of the file inside a string/);
    expect((streamed(bytesOf('["a\\qb"]'), []) as { error: Error }).error.message).toBe('an invalid escape ("\\\\q") in the string starting at line 1, column 2 (byte 1)');
    expect((streamed(bytesOf('\ufeff\n x'), []) as { error: Error }).error.message).toBe("unexpected 'x', expected a JSON value at line 2, column 2 (byte 5)");
  });

  it('refuses a string longer than the longest allowed, and reads a document far larger than it', () => {
    const max = 100;
    const items = Array.from({ length: 2000 }, (_, i) => `"${'é'.repeat(i % 90)}"`);
    const bytes = bytesOf(`[${items.join(',')}]`);
    expect(bytes.length).toBeGreaterThan(100 * max);
    for (const cuts of [[], [7, 13, 500, 501, 502], Array.from({ length: Math.floor(bytes.length / 3) }, (_, i) => (i + 1) * 3)]) {
      const result = streamed(bytes, cuts, max);
      expect(result.ok).toBe(true);
      expect(result.ok && fingerprint(result.value)).toBe(fingerprint(JSON.parse(new TextDecoder().decode(bytes))));
    }
    for (const cuts of [[], [50]]) {
      const result = streamed(bytesOf(`["${'x'.repeat(max - 1)}"]`), cuts, max);
      expect(result.ok).toBe(false);
      expect((result as { error: Error }).error.message).toMatch(/^a string longer than 100 characters, the longest JavaScript can hold, at line 1, column 2 \(byte 1\)$/);
    }
  });

  it('hands the elements of the arrays a sink asks for, one at a time, and puts what the sink ends with in their place', () => {
    const doc = { log: { version: '1.2', entries: [{ a: [1, 2], messages: [{ x: 1 }, 'two', [3]] }, { messages: [] }, 7], after: true } };
    const bytes = bytesOf(JSON.stringify(doc));
    const seen: Array<{ path: JsonPathItem[]; elements: unknown[] }> = [];
    const arraySink = (path: readonly JsonPathItem[]): ArraySink | undefined => {
      if (path.length !== 4 || path[3] !== 'messages') return undefined;
      const record = { path: [...path], elements: [] as unknown[] };
      seen.push(record);
      return { element: (value) => record.elements.push(value), end: () => `sunk ${record.elements.length}` };
    };
    for (const size of [1, 4, bytes.length]) {
      seen.length = 0;
      const cuts: number[] = [];
      for (let at = size; at < bytes.length; at += size) cuts.push(at);
      const parser = new JsonStreamParser({ createDecoder, arraySink });
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        parser.push(bytes.subarray(from, cut));
        from = cut;
      }
      expect(parser.end()).toEqual({ log: { version: '1.2', entries: [{ a: [1, 2], messages: 'sunk 3' }, { messages: 'sunk 0' }, 7], after: true } });
      expect(seen).toEqual([
        { path: ['log', 'entries', 0, 'messages'], elements: [{ x: 1 }, 'two', [3]] },
        { path: ['log', 'entries', 1, 'messages'], elements: [] },
      ]);
    }
  });
});
