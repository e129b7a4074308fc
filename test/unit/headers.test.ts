import { describe, expect, it } from 'vitest';
import {
  HEADER_VALUE_NOT_RECORDED,
  handshakeCost,
  headerValue,
  headerValues,
  MAX_HEADER_VALUE_CHARS,
  MAX_STORED_HEADERS,
  sanitizeHeaders,
} from '../../src/core/headers';

describe('sanitizeHeaders', () => {
  it('never keeps the values of Cookie, Set-Cookie, Authorization and Proxy-Authorization, whatever their case', () => {
    const sanitized = sanitizeHeaders([
      { name: 'Cookie', value: 'session=abc123' },
      { name: 'set-cookie', value: 'id=secret; HttpOnly' },
      { name: 'AUTHORIZATION', value: 'Bearer eyJhbGciOi' },
      { name: 'Proxy-Authorization', value: 'Basic dXNlcjpwYXNz' },
      { name: 'Server', value: 'nginx/1.22.1' },
    ]);
    expect(sanitized).toEqual([
      { name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'set-cookie', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'AUTHORIZATION', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'Proxy-Authorization', value: HEADER_VALUE_NOT_RECORDED },
      { name: 'Server', value: 'nginx/1.22.1' },
    ]);
    const text = JSON.stringify(sanitized);
    for (const secret of ['abc123', 'secret', 'eyJhbGciOi', 'dXNlcjpwYXNz']) expect(text).not.toContain(secret);
  });

  it('keeps Sec-WebSocket-Protocol (redaction handles a token in it on export)', () => {
    expect(sanitizeHeaders([{ name: 'Sec-WebSocket-Protocol', value: 'access_token, abc' }])).toEqual([
      { name: 'Sec-WebSocket-Protocol', value: 'access_token, abc' },
    ]);
  });

  it('decodes binary values, never drops a header, and accepts undefined', () => {
    expect(sanitizeHeaders([{ name: 'X-Bin', binaryValue: [104, 105] }, { name: 'X-Empty' }])).toEqual([
      { name: 'X-Bin', value: 'hi' },
      { name: 'X-Empty', value: '' },
    ]);
    expect(sanitizeHeaders([{ name: 'Cookie', binaryValue: [97] }])).toEqual([{ name: 'Cookie', value: HEADER_VALUE_NOT_RECORDED }]);
    expect(sanitizeHeaders(undefined)).toEqual([]);
  });

  it('looks values up case-insensitively', () => {
    const headers = [
      { name: 'Via', value: '1.1 google' },
      { name: 'via', value: '1.1 vegur' },
    ];
    expect(headerValue(headers, 'VIA')).toBe('1.1 google');
    expect(headerValues(headers, 'via')).toEqual(['1.1 google', '1.1 vegur']);
    expect(headerValue(headers, 'server')).toBeUndefined();
  });

  it('bounds what a handshake stores, and says what it costs', () => {
    const many = Array.from({ length: MAX_STORED_HEADERS + 20 }, (_, i) => ({ name: `X-${i}`, value: 'v' }));
    expect(sanitizeHeaders(many)).toHaveLength(MAX_STORED_HEADERS);
    const [long] = sanitizeHeaders([{ name: 'X-Long', value: 'a'.repeat(MAX_HEADER_VALUE_CHARS * 3) }]);
    expect(long.value.length).toBeLessThan(MAX_HEADER_VALUE_CHARS + 20);
    expect(long.value).toMatch(/… \(truncated\)$/);
    expect(handshakeCost(undefined)).toBe(0);
    expect(handshakeCost({ requestHeaders: [long], responseHeaders: [] })).toBeGreaterThan(MAX_HEADER_VALUE_CHARS);
  });
});
