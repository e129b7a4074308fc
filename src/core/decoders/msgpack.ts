// MessagePack (https://msgpack.org/) through @msgpack/msgpack, the format's
// reference JavaScript implementation. Its decoder is iterative (no recursion
// on nesting) and refuses trailing bytes; lengths are capped by the payload's
// size so a 5-byte header that claims 4 GiB of items fails at once.
import { Decoder, ExtData } from '@msgpack/msgpack';
import { looksLikeData, NodeBudget, toJsonSafe, type CustomConverter, type DecodeLimits } from './jsonSafe';

const extensions: CustomConverter = (value, child) =>
  value instanceof ExtData ? { ext: value.type, data: child(value.data) } : undefined;

function decoderFor(bytes: Uint8Array): Decoder {
  const max = bytes.length;
  return new Decoder({ useBigInt64: true, maxStrLength: max, maxBinLength: max, maxArrayLength: max, maxMapLength: max, maxExtLength: max });
}

/** The whole buffer as one MessagePack value, JSON-safe (extensions as `{ ext, data }`, the timestamp extension as an ISO date). Throws on malformed input. */
export function decodeMsgpack(bytes: Uint8Array, limits?: DecodeLimits): unknown {
  const value = decoderFor(bytes).decode(bytes);
  return toJsonSafe(value, new NodeBudget(limits), 0, extensions);
}

/**
 * Safe to show as MessagePack without being asked: two bytes or more, the
 * whole buffer is one value with no trailing bytes, and that value is a map
 * or an array (a lone number or string is what most binary data starts
 * with). Map keys are strings or numbers (the decoder refuses others), and
 * no string holds control characters (see looksLikeData).
 */
export function looksLikeMsgpack(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const first = bytes[0];
  const container = (first >= 0x80 && first <= 0x9f) || (first >= 0xdc && first <= 0xdf);
  if (!container) return false;
  try {
    return looksLikeData(decoderFor(bytes).decode(bytes));
  } catch {
    return false;
  }
}
