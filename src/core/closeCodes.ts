// WebSocket close codes in plain words (RFC 6455 §7.4 and the IANA registry),
// from shared/reference/close-codes.md.

/** Close codes the analysis reasons about, by name (RFC 6455 §7.4.1, IANA). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_SERVICE_RESTART = 1012;

export interface CloseCodeExplanation {
  name: string;
  meaning: string;
}

export const CLOSE_CODES: Readonly<Record<number, CloseCodeExplanation>> = {
  1000: { name: 'Normal Closure', meaning: 'the purpose is fulfilled; a deliberate close by either side' },
  1001: { name: 'Going Away', meaning: 'the server is going down, or the page is navigating away' },
  1002: { name: 'Protocol Error', meaning: 'a peer broke the WebSocket framing protocol' },
  1003: { name: 'Unsupported Data', meaning: 'the endpoint received a data type it cannot accept (e.g. binary on a text-only endpoint)' },
  1004: { name: 'Reserved', meaning: 'reserved by the standard; never sent on purpose' },
  1005: {
    name: 'No Status Received',
    meaning: 'a close frame arrived without a status code (reserved, never sent as such)',
  },
  1006: {
    name: 'Abnormal Closure',
    meaning:
      'the connection ended without a close frame: a network drop, a proxy or load balancer cutting TCP, a crashed server, or a failed handshake',
  },
  1007: { name: 'Invalid Frame Payload Data', meaning: 'a message had invalid content, e.g. a text message that is not UTF-8' },
  1008: { name: 'Policy Violation', meaning: 'a generic refusal (authentication, rate limit) when no more specific code fits' },
  1009: { name: 'Message Too Big', meaning: "a message was over the endpoint's size limit" },
  1010: { name: 'Mandatory Extension', meaning: 'the client required an extension the server did not negotiate' },
  1011: { name: 'Internal Error', meaning: 'the server hit an unexpected condition' },
  1012: { name: 'Service Restart', meaning: 'the server is restarting' },
  1013: { name: 'Try Again Later', meaning: 'the server is temporarily overloaded; reconnect later' },
  1014: { name: 'Bad Gateway', meaning: 'a gateway received an invalid response from upstream' },
  1015: {
    name: 'TLS Handshake',
    meaning: 'the TLS handshake failed, e.g. an untrusted certificate (reserved, never sent as such)',
  },
};

/** Library codes registered with IANA that are common enough to name. */
const LIBRARY_CODES: Readonly<Record<number, CloseCodeExplanation>> = {
  3000: { name: 'Go Away (SockJS)', meaning: 'SockJS closed the session (the server went away or the session was replaced)' },
  3008: { name: 'Timeout', meaning: 'some servers use 3008 when a client timed out (e.g. no heartbeat reply)' },
};

function withReason(meaning: string, reason: string | undefined): string {
  return reason ? `${meaning}; reason given: "${reason}"` : meaning;
}

export function explainCloseCode(code: number, reason?: string): CloseCodeExplanation {
  const known = CLOSE_CODES[code] ?? LIBRARY_CODES[code];
  if (known) return { name: known.name, meaning: withReason(known.meaning, reason) };
  if (!Number.isInteger(code) || code < 0 || code > 4999) {
    return { name: 'Unknown code', meaning: withReason(`${code} is not a valid WebSocket close code`, reason) };
  }
  if (code < 1000) return { name: 'Unused', meaning: withReason('codes below 1000 are unused by the standard', reason) };
  if (code < 3000) {
    return { name: 'Reserved', meaning: withReason('reserved for the WebSocket standard and its extensions; not expected from applications', reason) };
  }
  if (code < 4000) {
    return {
      name: 'Library code',
      meaning: withReason('a code registered with IANA by a library or framework; see that library for its meaning', reason),
    };
  }
  return {
    name: 'Application code',
    meaning: withReason("private to the application: its meaning is defined by this site's own code", reason),
  };
}
