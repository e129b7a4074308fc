// CBOR (RFC 8949) through cbor2, the maintained successor of node-cbor: pure
// ES modules on Uint8Array, no Node built-ins, no eval. cbor-x was the first
// choice: it does bundle for the browser (its `browser` field drops
// node:buffer), but it was turned down because at load it calls
// `new Function('')` to probe for eval, which an MV3 extension page's policy
// refuses (cbor-x catches the EvalError, the refusal is still a reported CSP
// violation), and it throws "Indefinite length not supported for byte or text
// strings" on chunked strings, which RFC 8949 §3.2.3 allows (cbor-x 1.6.9).
import { decode, Simple, Tag } from 'cbor2';
import { looksLikeData, MAX_DECODED_DEPTH, NodeBudget, toJsonSafe, type CustomConverter, type DecodeLimits } from './jsonSafe';

/** Tag 55799: "this is CBOR" (RFC 8949 §3.4.6), encoded d9 d9 f7. */
export const CBOR_SELF_DESCRIBE_PREFIX = [0xd9, 0xd9, 0xf7] as const;

const cborTypes: CustomConverter = (value, child) => {
  if (value instanceof Tag) return { tag: Number(value.tag), value: child(value.contents) };
  if (value instanceof Simple) return { simple: value.value };
  return undefined;
};

/**
 * The whole buffer as one CBOR data item, JSON-safe. Tags cbor2 knows are
 * applied (dates, bignums, URIs, self-describe), others come back as
 * `{ tag, value }`; simple values as `{ simple }`. Throws on malformed input
 * or trailing bytes.
 */
export function decodeCbor(bytes: Uint8Array, limits?: DecodeLimits): unknown {
  const budget = new NodeBudget(limits);
  const value: unknown = decode(bytes, { maxDepth: limits?.maxDepth ?? MAX_DECODED_DEPTH });
  return toJsonSafe(value, budget, 0, cborTypes);
}

export function hasSelfDescribeTag(bytes: Uint8Array): boolean {
  return bytes.length > 3 && CBOR_SELF_DESCRIBE_PREFIX.every((byte, i) => bytes[i] === byte);
}

/**
 * Safe to show as CBOR without being asked: it starts with the self-describe
 * tag and decodes, or it is two bytes or more whose whole content is one map
 * or array (major types 4 and 5) with no trailing bytes and no string made
 * of control characters (see looksLikeData).
 */
export function looksLikeCbor(bytes: Uint8Array): boolean {
  const selfDescribed = hasSelfDescribeTag(bytes);
  if (!selfDescribed) {
    if (bytes.length < 2) return false;
    const majorType = bytes[0] >> 5;
    if (majorType !== 4 && majorType !== 5) return false;
  }
  try {
    const value: unknown = decode(bytes, { maxDepth: MAX_DECODED_DEPTH });
    return selfDescribed || looksLikeData(value);
  } catch {
    return false;
  }
}
