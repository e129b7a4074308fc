// Why a WebSocket handshake failed, from what the browser saw of it
// (webRequest): the HTTP status that came instead of 101 Switching
// Protocols, or the network error when no HTTP answer came. Pure; the
// diagnosis (handshake-failed) quotes the status line and, when the response
// headers name one, the intermediary that answered.

import type { IdentifiedIntermediary } from './fingerprints';
import { isUpgradeStatus } from './handshakeMatch';
import { headerValue } from './headers';
import type { Connection, HandshakeInfo } from './model';

export type HandshakeFailureCategory =
  | 'not-websocket' // 2xx: a plain HTTP answer
  | 'redirect' // 3xx: WebSockets do not follow redirects
  | 'bad-request' // 400
  | 'unauthorized' // 401, 407
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'upgrade-required' // 426
  | 'rate-limited' // 429
  | 'client-error' // other 4xx
  | 'server-error' // 500, other 5xx
  | 'bad-gateway' // 502, Cloudflare 520–523, 525–526
  | 'unavailable' // 503
  | 'gateway-timeout' // 504, Cloudflare 524
  | 'upgrade-rejected' // 101 came, yet the browser failed the handshake
  | 'connection-refused'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'connection-reset'
  | 'blocked' // the browser or an extension blocked the request
  | 'offline'
  | 'proxy' // an explicit (forward) proxy failed
  | 'network' // another network error
  | 'status-hidden' // Chromium's net::ERR_FAILED: the browser refused the handshake and did not say why
  | 'unknown'; // status 0 and no error: nothing known

export interface HandshakeFailureContext {
  /** The endpoint, for the title (a reconnect chain's key or the URL). */
  endpoint: string;
  /** Failures explained by this answer. */
  count: number;
  /** Intermediaries named by the response headers (src/core/fingerprints.ts). */
  identified: IdentifiedIntermediary[];
  /** Sub-protocols the page asked for. */
  requestedProtocols?: string[];
}

export interface HandshakeExplanation {
  category: HandshakeFailureCategory;
  title: string;
  detail: string;
  fix: string;
}

const UPGRADE_HEADERS = 'proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";';

/** Network errors, Chrome's (net::ERR_…) and Firefox's (NS_ERROR_…, SEC_ERROR_…, SSL_ERROR_…), first match wins. */
const NETWORK_ERRORS: ReadonlyArray<[RegExp, HandshakeFailureCategory]> = [
  // Chromium (checked with 156) gives extensions only onErrorOccurred "net::ERR_FAILED" for a WebSocket handshake
  // answered 404, 200 or 400, and for a refused connection too: the status is not available to webRequest. And while
  // an extension listens to webRequest for WebSockets, the console's "Error during WebSocket handshake: Unexpected
  // response code: 404" is gone as well (the line ends after "failed: "); checked with and without SocketScope.
  [/^net::ERR_FAILED$/, 'status-hidden'],
  [/BLOCKED_BY_(CLIENT|ADMINISTRATOR|RESPONSE|ORB|CSP)|ERR_BLOCKED|NS_ERROR_(CONTENT_BLOCKED|BLOCKED)/i, 'blocked'],
  [/PROXY|TUNNEL_CONNECTION_FAILED/i, 'proxy'],
  [/NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|UNKNOWN_HOST|DNS/i, 'dns'],
  [/CERT|SSL|TLS|SEC_ERROR|NS_ERROR_NET_INADEQUATE_SECURITY/i, 'tls'],
  [/CONNECTION_REFUSED/i, 'connection-refused'],
  [/TIMED_OUT|NET_TIMEOUT|TIMEOUT/i, 'timeout'],
  [/CONNECTION_RESET|CONNECTION_CLOSED|CONNECTION_ABORTED|EMPTY_RESPONSE|NET_RESET|NET_INTERRUPT|PARTIAL_TRANSFER/i, 'connection-reset'],
  [/INTERNET_DISCONNECTED|ADDRESS_UNREACHABLE|NETWORK_CHANGED|NETWORK_ACCESS_DENIED|NS_ERROR_OFFLINE/i, 'offline'],
];

/** Cloudflare's own 52x answers (Cloudflare docs: "Troubleshooting Cloudflare 5XX errors"). */
const CLOUDFLARE_5XX: Readonly<Record<number, string>> = {
  520: 'the origin answered with something empty or unexpected',
  521: 'the origin web server refused the connection (it is down, or blocks Cloudflare)',
  522: "Cloudflare's connection to the origin timed out",
  523: 'the origin is unreachable (DNS or routing)',
  524: 'the origin accepted the connection but did not answer in time',
  525: 'the TLS handshake between Cloudflare and the origin failed',
  526: "the origin's certificate is invalid",
};

/** A few words per category, for one-line explanations (a connection's close). */
export const HANDSHAKE_FAILURE_SUMMARY: Readonly<Record<HandshakeFailureCategory, string>> = {
  'not-websocket': 'a plain HTTP answer: not a WebSocket route, or a proxy not forwarding the upgrade',
  redirect: 'a redirect, which WebSockets do not follow',
  'bad-request': 'the upgrade request was refused',
  unauthorized: 'credentials missing or rejected',
  forbidden: 'refused: origin check or credentials',
  'not-found': 'wrong path',
  'upgrade-required': 'the upgrade did not reach the server',
  'rate-limited': 'rate limited',
  'client-error': 'refused by the server',
  'server-error': 'the server failed',
  'bad-gateway': 'the proxy could not reach the backend',
  unavailable: 'no backend available',
  'gateway-timeout': 'the proxy timed out waiting for the backend',
  'upgrade-rejected': 'the browser refused the 101 answer (sub-protocol, extension or accept key)',
  'connection-refused': 'nothing listens at that host and port',
  dns: 'the host name did not resolve',
  tls: 'the secure connection failed',
  timeout: 'no answer in time',
  'connection-reset': 'the connection closed before an answer',
  blocked: 'blocked in the browser',
  offline: 'no network',
  proxy: "the browser's proxy failed",
  network: 'a network error',
  'status-hidden': 'Chromium did not give the HTTP status (net::ERR_FAILED; with SocketScope disabled the console says "Unexpected response code: …")',
  unknown: 'no answer recorded',
};

export function handshakeFailureCategory(handshake: HandshakeInfo): HandshakeFailureCategory {
  const status = handshake.status;
  if (isUpgradeStatus(status, handshake.httpVersion)) return 'upgrade-rejected';
  if (status >= 200 && status < 300) return 'not-websocket';
  if (status >= 300 && status < 400) return 'redirect';
  switch (status) {
    case 400:
      return 'bad-request';
    case 401:
    case 407:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 426:
      return 'upgrade-required';
    case 429:
      return 'rate-limited';
    case 502:
      return 'bad-gateway';
    case 503:
      return 'unavailable';
    case 504:
    case 524:
      return 'gateway-timeout';
  }
  if (CLOUDFLARE_5XX[status]) return 'bad-gateway';
  if (status >= 400 && status < 500) return 'client-error';
  if (status >= 500 && status < 600) return 'server-error';
  if (handshake.error) return NETWORK_ERRORS.find(([pattern]) => pattern.test(handshake.error ?? ''))?.[1] ?? 'network';
  return 'unknown';
}

const REASON_PHRASES: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** 'HTTP 502 Bad Gateway' (the reason phrase the server sent, else the standard one), or the network error. */
export function formatHandshakeStatus(handshake: HandshakeInfo): string {
  if (handshake.status === 0) return handshake.error ?? 'no HTTP answer';
  const reason = handshake.statusText || REASON_PHRASES[handshake.status];
  const version = handshake.httpVersion && /^HTTP\/[23]/.test(handshake.httpVersion) ? handshake.httpVersion : 'HTTP';
  return `${version} ${handshake.status}${reason ? ` ${reason}` : ''}`;
}

/** Hints for 4xx codes without their own category. */
const CLIENT_ERROR_HINTS: Readonly<Record<number, string>> = {
  405: 'the route does not accept this GET: it is not the WebSocket route',
  410: 'the endpoint is gone: the client uses an old URL',
  431: 'the request headers are too large, most often too many or too large cookies on this domain',
};

/** Where to look when a proxy answers 502/503/504, per identified product. */
const GATEWAY_HINTS: Readonly<Record<string, string>> = {
  nginx: "nginx's error log (\"connect() failed … while connecting to upstream\", \"upstream timed out\"), the proxy_pass address, proxy_connect_timeout and proxy_read_timeout",
  'AWS ALB': "the target group's health checks and the targets' port; the ALB answers 502 when a target resets the connection and 504 when it does not answer within the idle timeout",
  Cloudflare: "Cloudflare's error page (it says whether the origin or Cloudflare failed) and that the origin accepts Cloudflare's IP ranges",
  'GCP external HTTP(S) load balancer': "the backend service's health checks (a WebSocket route can fail an HTTP health check) and its timeoutSec",
  Envoy: 'the upstream cluster and its health (Envoy answers "upstream connect error or disconnect/reset before headers"), connect_timeout',
  'Heroku router': "the router's H-codes in the app's logs (H12 request timeout, H13 connection closed without response, H15 idle connection)",
  HAProxy: 'the backend servers\' health checks and timeout connect / timeout server',
  Traefik: "the service's load balancer servers and Traefik's forwardingTimeouts",
};

function identifiedClause(identified: IdentifiedIntermediary[]): string {
  if (!identified.length) return '';
  return ` The response headers name ${identified.map((item) => `${item.name} (\`${item.evidence}\`)`).join(', ')}.`;
}

function gatewayHint(identified: IdentifiedIntermediary[]): string {
  const hints = identified.filter((item) => GATEWAY_HINTS[item.name]).map((item) => `${item.name}: ${GATEWAY_HINTS[item.name]}`);
  return hints.length ? ` Where to look: ${hints.join('; ')}.` : '';
}

/** Where a CDN or load balancer logs the requests its firewall refused. */
const FIREWALL_HINTS: Readonly<Record<string, string>> = {
  Cloudflare: "Cloudflare's Security Events (WAF and bot rules)",
  'AWS CloudFront': 'the AWS WAF web ACL on the distribution',
  'AWS ALB': 'the AWS WAF web ACL on the load balancer',
  Akamai: "Akamai's WAF (App & API Protector) events",
  Fastly: "Fastly's Next-Gen WAF events",
  'Azure Front Door': "the Front Door's WAF policy logs",
  'GCP external HTTP(S) load balancer': 'the Cloud Armor policy on the backend service',
};

function firewallHint(identified: IdentifiedIntermediary[]): string {
  const hints = identified.filter((item) => FIREWALL_HINTS[item.name]).map((item) => FIREWALL_HINTS[item.name]);
  return hints.length ? `; the handshake passed a CDN or load balancer with a firewall: check ${hints.join(' and ')}` : '';
}

function timesPhrase(count: number): string {
  return count > 1 ? ` (${count} times)` : '';
}

function retryAfter(handshake: HandshakeInfo): string {
  const value = headerValue(handshake.responseHeaders, 'retry-after');
  return value ? ` The server sent \`retry-after: ${value}\`.` : '';
}

/**
 * Title, detail and fix for a failed handshake whose answer is known.
 * Category 'unknown' (status 0, no error) has generic text; callers keep
 * their own wording for it.
 */
export function explainHandshakeFailure(handshake: HandshakeInfo, context: HandshakeFailureContext): HandshakeExplanation {
  const category = handshakeFailureCategory(handshake);
  const status = formatHandshakeStatus(handshake);
  const quoted = `\`${status}\``;
  const { endpoint, identified } = context;
  const times = timesPhrase(context.count);
  const through = identifiedClause(identified);
  const answered = (what: string): string => `The WebSocket handshake to ${endpoint} got ${what}${times}`;
  const failed = (what: string): string => `The WebSocket handshake to ${endpoint} failed: ${what}${times}`;
  const proxyUpgrade = `through nginx, the location must forward the upgrade (${UPGRADE_HEADERS}); other proxies have an equivalent`;
  let path = endpoint;
  try {
    path = new URL(endpoint).pathname;
  } catch {
    // keep the endpoint as given
  }

  switch (category) {
    case 'not-websocket':
      return {
        category,
        title: answered(`${status} instead of a WebSocket upgrade`),
        detail:
          `The server answered ${quoted}, a plain HTTP response, where a WebSocket handshake expects 101 Switching Protocols. ` +
          'Either this path is not a WebSocket endpoint (an SPA or static fallback answering every path, or a route to the wrong backend), ' +
          'or a proxy did not forward the upgrade and the request reached the application as a plain GET.' +
          through,
        fix: `Check that ${path} is the server's WebSocket route; ${proxyUpgrade}.`,
      };
    case 'redirect': {
      const location = headerValue(handshake.responseHeaders, 'location');
      return {
        category,
        title: answered(`a redirect (${status})`),
        detail:
          `The server answered ${quoted}${location ? ` to \`${location}\`` : ''}. WebSockets do not follow redirects, so the handshake fails.` + through,
        fix: `Use the final URL${location ? ` (${location})` : ''} in the page: often wss: instead of ws:, another host, or a trailing slash the server adds.`,
      };
    }
    case 'bad-request':
      return {
        category,
        title: answered(`${status}: the upgrade request was refused`),
        detail:
          `The server answered ${quoted}. WebSocket servers answer 400 to a request they cannot upgrade: most often a proxy dropped the Upgrade and Connection headers, ` +
          "so the server saw a plain GET (Socket.IO and ws answer 400 or 426 then); or a query parameter the server requires is missing (Socket.IO's EIO and transport), " +
          'or it refuses the requested sub-protocol or Sec-WebSocket-Version.' +
          through,
        fix: `Forward the upgrade (${proxyUpgrade}); check the server's log for why it refused, and the URL's query parameters against the server's version.`,
      };
    case 'upgrade-required':
      return {
        category,
        title: answered(`${status}: the upgrade did not reach the server`),
        detail:
          `The server answered ${quoted}: it wants a WebSocket upgrade and did not get one. The Upgrade header was lost on the way ` +
          '(a proxy that does not forward Upgrade/Connection, or that speaks HTTP/1.0 to the backend), or the Sec-WebSocket-Version is not one it accepts (13).' +
          through,
        fix: `Forward the upgrade: ${proxyUpgrade}.`,
      };
    case 'unauthorized': {
      const challenge = headerValue(handshake.responseHeaders, handshake.status === 407 ? 'proxy-authenticate' : 'www-authenticate');
      const cookie = headerValue(handshake.requestHeaders, 'cookie') !== undefined;
      return {
        category,
        title: answered(`${status}: credentials missing or rejected`),
        detail:
          `The server answered ${quoted}${challenge ? ` with \`${handshake.status === 407 ? 'proxy-authenticate' : 'www-authenticate'}: ${challenge}\`` : ''}. ` +
          'A page cannot set an Authorization header on a WebSocket: credentials travel as a cookie, a token in the URL, or a sub-protocol. ' +
          `The request ${cookie ? 'carried a Cookie header (value not recorded)' : 'carried no Cookie header'}.` +
          through,
        fix:
          'Check the credentials the server expects: a session cookie (sent only to the same site, with SameSite and Secure as needed), ' +
          'or a token in the URL or sub-protocol that may have expired: fetch a fresh one before reconnecting.',
      };
    }
    case 'forbidden': {
      const origin = headerValue(handshake.requestHeaders, 'origin');
      return {
        category,
        title: answered(`${status}: the server refused this client`),
        detail:
          `The server answered ${quoted}. Most often an Origin check: the request's Origin was ${origin ? `\`${origin}\`` : 'not recorded'}, ` +
          'and the server accepts only origins on its allow-list; or credentials it does not accept (an expired session or token); or a firewall or CDN rule.' +
          through,
        fix:
          `Add ${origin ?? "the page's origin"} (scheme, host and port exactly) to the server's allowed origins ` +
          '(Socket.IO cors.origin, ws verifyClient, Spring setAllowedOrigins, Rails allowed_request_origins), and check the credentials' +
          firewallHint(identified) +
          '.',
      };
    }
    case 'not-found':
      return {
        category,
        title: answered(`${status}: wrong path`),
        detail: `The server answered ${quoted}: nothing serves WebSocket upgrades at ${path}.` + through,
        fix:
          `Check the path on both sides (Socket.IO: /socket.io/ unless its path option says otherwise), a proxy location or rewrite that strips or adds a prefix, ` +
          'and that the server registers the route.',
      };
    case 'rate-limited':
      return {
        category,
        title: answered(`${status}: rate limited`),
        detail: `The server answered ${quoted}: this client opened too many connections or requests.${retryAfter(handshake)}` + through,
        fix:
          'Back off: reconnect with exponential backoff and jitter, honour Retry-After when present, and open fewer sockets ' +
          '(one per tab, shared by its frames).',
      };
    case 'client-error': {
      const hint = CLIENT_ERROR_HINTS[handshake.status];
      return {
        category,
        title: answered(status),
        detail: `The server refused the upgrade with ${quoted}${hint ? `: ${hint}` : ''}.` + through,
        fix: "Look up the request in the server's log at that time; the status says what it refused.",
      };
    }
    case 'bad-gateway': {
      const cloudflare = CLOUDFLARE_5XX[handshake.status];
      return {
        category,
        title: answered(`${status}: the proxy could not reach the backend`),
        detail:
          `A proxy answered ${quoted}${cloudflare ? ` (Cloudflare: ${cloudflare})` : ''}: it could not get a valid answer from the server behind it, ` +
          'which was down, restarting, listening elsewhere, or dropped the connection during the upgrade.' +
          through,
        fix: 'Check the backend: that it runs, listens where the proxy sends it, and passes its health checks.' + gatewayHint(identified),
      };
    }
    case 'unavailable':
      return {
        category,
        title: answered(`${status}: no backend available`),
        detail:
          `The server or a proxy answered ${quoted}: no healthy backend (health checks failing, scaled to zero, deploying), or overload or maintenance.` +
          retryAfter(handshake) +
          through,
        fix:
          "Check the backend's health checks (a WebSocket route can fail an HTTP health check) and capacity; reconnect with backoff." + gatewayHint(identified),
      };
    case 'gateway-timeout':
      return {
        category,
        title: answered(`${status}: the proxy timed out waiting for the backend`),
        detail:
          `A proxy answered ${quoted}${CLOUDFLARE_5XX[handshake.status] ? ` (Cloudflare: ${CLOUDFLARE_5XX[handshake.status]})` : ''}: ` +
          'it gave up waiting for the server behind it to answer the upgrade. The backend is unreachable or too slow, or the proxy\'s connect or read timeout is short.' +
          through,
        fix: "Check the backend and its health, and the proxy's connect and read timeouts." + gatewayHint(identified),
      };
    case 'server-error':
      return {
        category,
        title: answered(`${status}: the server failed`),
        detail: `The server answered ${quoted}: it failed while handling the upgrade (an error in the handler or the framework).` + through,
        fix: "Look up the request in the server's log at that time: the exception that made it answer " + `${handshake.status}.`,
      };
    case 'upgrade-rejected': {
      const chosen = headerValue(handshake.responseHeaders, 'sec-websocket-protocol');
      const requested = context.requestedProtocols ?? [];
      const protocolMismatch =
        (requested.length > 0 && !chosen) || (chosen !== undefined && !requested.includes(chosen))
          ? ` The page asked for sub-protocol(s) ${requested.length ? requested.map((p) => `\`${p}\``).join(', ') : '(none)'} and the server ${chosen ? `chose \`${chosen}\`` : 'chose none'}.`
          : '';
      return {
        category,
        title: failed('the server upgraded, the browser refused the answer'),
        detail:
          `The server answered ${quoted}, yet the browser failed the handshake: a wrong Sec-WebSocket-Accept, a sub-protocol the page did not offer ` +
          '(or none when it offered some), or an extension it did not ask for.' +
          protocolMismatch +
          through,
        fix: "Make the server answer with one of the page's requested sub-protocols (or none when the page offers none) and only extensions it offered; the console shows the browser's reason.",
      };
    }
    case 'connection-refused':
      return {
        category,
        title: failed(`connection refused (${status})`),
        detail: `${quoted}: nothing accepted the TCP connection at this host and port. The server is down, listens on another port, or a firewall rejects it.`,
        fix: 'Check that the server runs and listens on the URL\'s port (ws: 80 and wss: 443 unless given), and the firewall.',
      };
    case 'dns':
      return {
        category,
        title: failed(`the host name did not resolve (${status})`),
        detail: `${quoted}: the browser could not resolve the host name.`,
        fix: 'Check the host name in the URL (a typo, a missing environment variable in the build) and its DNS records.',
      };
    case 'tls':
      return {
        category,
        title: failed(`TLS error (${status})`),
        detail:
          `${quoted}: the secure connection could not be set up: a certificate the browser does not trust (self-signed, expired, for another host), ` +
          'or a TLS version or cipher mismatch. wss: to a port that speaks plain HTTP also ends here.',
        fix: 'Open the https: form of the same host and port in a tab to see the certificate error; fix the certificate, or use ws: for a plain port.',
      };
    case 'timeout':
      return {
        category,
        title: failed(`no answer (${status})`),
        detail: `${quoted}: the connection was not answered in time: a firewall dropping packets, a wrong address, or an overloaded server.`,
        fix: 'Check that the host is reachable from this network on that port (firewall, security group, VPN) and the server load.',
      };
    case 'connection-reset':
      return {
        category,
        title: failed(`the connection was closed before an answer (${status})`),
        detail: `${quoted}: the connection was reset or closed before any HTTP answer: a proxy or firewall cut it, the server crashed, or ws: was used on a TLS port.` + through,
        fix: "Check the scheme against the port (wss: for TLS), the server's log, and any proxy or firewall in between.",
      };
    case 'blocked':
      return {
        category,
        title: failed(`blocked in the browser (${status})`),
        detail: `${quoted}: the request never left the browser: an extension (an ad or tracker blocker), an enterprise policy, or a browser security rule blocked it.`,
        fix: 'Try with extensions disabled; if a blocker is the cause, serve the socket from a host or path blocklists do not match.',
      };
    case 'offline':
      return {
        category,
        title: failed(`the network was unavailable (${status})`),
        detail: `${quoted}: the device had no usable network (offline, the network changed, or the address is unreachable from it).`,
        fix: "Reconnect when the browser fires 'online' (with backoff).",
      };
    case 'proxy':
      return {
        category,
        title: failed(`the browser's proxy failed (${status})`),
        detail: `${quoted}: the proxy the browser is configured to use refused or failed the connection (CONNECT tunnel).`,
        fix: "Check the system or browser proxy settings (PAC file) and whether the proxy allows WebSocket tunnels to this host and port.",
      };
    case 'status-hidden':
      return {
        category,
        title: failed('the browser did not give the HTTP status'),
        detail:
          `Chromium reports ${quoted} to extensions for every refused WebSocket handshake (a 404, a plain 200, a 400 or 426 from a server the upgrade did not reach, ` +
          'or a refused connection), without the status or the response headers, so SocketScope cannot tell which it was. ' +
          "While an extension observes WebSocket requests (SocketScope does), Chromium's own DevTools console line loses the reason too: it reads " +
          '"WebSocket connection to … failed: " with nothing after it.' +
          through,
        fix:
          'To read the status: disable SocketScope for a moment (chrome://extensions) and reload; the DevTools console then says ' +
          '"WebSocket connection to … failed: Error during WebSocket handshake: Unexpected response code: 404". Or record the page in Firefox, which gives SocketScope the status, ' +
          "or ask the server directly (curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' <the URL as http>). " +
          `Then: 404 is a wrong path, 403 an origin or authentication check, 400/426 a proxy that did not forward the upgrade (${proxyUpgrade}); a connection error means nothing listens there.`,
      };
    case 'network':
      return {
        category,
        title: failed(status),
        detail: `${quoted}: the request failed before any HTTP answer.` + through,
        fix: 'Look the error up in the browser\'s net-internals (chrome://net-export) or about:networking, and check the server is reachable.',
      };
    case 'unknown':
      return {
        category,
        title: failed('no answer recorded'),
        detail: 'The browser recorded no HTTP answer and no network error for this handshake.',
        fix: 'Look at the handshake request in the Network panel.',
      };
  }
}

/** Why a connection has no handshake, in the words every view uses. */
export const HANDSHAKE_NOT_SEEN = 'Handshake not seen (webRequest reported no request that fits this socket, e.g. one opened in a worker)';
export const HANDSHAKE_NOT_AVAILABLE =
  'Handshake not available (no webRequest access: the browser lacks the API, or the host permission was withdrawn; in Firefox grant it in about:addons → SocketScope → Permissions)';

/**
 * One line about a connection's handshake as the browser saw it: the status
 * line ('HTTP 101 Switching Protocols from 127.0.0.1'), or why it is missing.
 * Undefined while it is being matched, and for files written before handshakes were recorded.
 */
export function handshakeLine(connection: Pick<Connection, 'handshake' | 'handshakeEvidence'>): string | undefined {
  const handshake = connection.handshake;
  if (handshake) {
    const version = handshake.httpVersion && !/^HTTP\/[23]/.test(handshake.httpVersion) && handshake.status !== 0 ? `${handshake.httpVersion} ` : '';
    const status = formatHandshakeStatus(handshake);
    return `${version ? status.replace(/^HTTP /, version) : status}${handshake.remoteIp ? ` from ${handshake.remoteIp}` : ''}`;
  }
  switch (connection.handshakeEvidence) {
    case 'unmatched':
      return HANDSHAKE_NOT_SEEN;
    case 'unavailable':
      return HANDSHAKE_NOT_AVAILABLE;
    default:
      return undefined;
  }
}
