import { describe, expect, it } from 'vitest';
import { diagnose, explainClose } from '../../src/core/diagnosis';
import type { Finding } from '../../src/core/finding';
import { formatHandshakeStatus, handshakeFailureCategory } from '../../src/core/handshakeStatus';
import type { Connection, HandshakeInfo, Session } from '../../src/core/model';
import { addConnection, failHandshake, session, T0 } from './helpers/synth';

const URL = 'wss://app.example/ws';

interface Answer {
  status: number;
  statusText?: string;
  error?: string;
  response?: Array<[string, string]>;
  request?: Array<[string, string]>;
}

function answer({ status, statusText, error, response = [], request = [['Origin', 'https://app.example']] }: Answer): HandshakeInfo {
  const handshake: HandshakeInfo = {
    status,
    requestHeaders: request.map(([name, value]) => ({ name, value })),
    responseHeaders: response.map(([name, value]) => ({ name, value })),
    startedAt: T0,
  };
  if (statusText !== undefined) handshake.statusText = statusText;
  if (error !== undefined) handshake.error = error;
  return handshake;
}

/** `count` failed handshakes to URL, 10 s apart (no storm), each with this answer. */
function failures(s: Session, given: Answer | undefined, count = 1, startAt = T0, protocols: string[] = []): Connection[] {
  const connections: Connection[] = [];
  for (let i = 0; i < count; i++) {
    const createdAt = startAt + i * 10_000;
    const connection = failHandshake(addConnection(s, { url: URL, createdAt, openDelayMs: null, protocols }), createdAt + 40);
    if (given) {
      connection.handshake = answer(given);
      connection.handshakeEvidence = 'matched';
    }
    connections.push(connection);
  }
  return connections;
}

function handshakeFindings(s: Session): Finding[] {
  return diagnose(s).filter((finding) => finding.kind === 'handshake-failed');
}

function onlyFailure(given: Answer, count = 1): Finding {
  const s = session();
  failures(s, given, count);
  const found = handshakeFindings(s);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('handshake-failed explained by the answer', () => {
  it('200: not a WebSocket route, or a proxy not forwarding the upgrade', () => {
    const finding = onlyFailure({ status: 200, statusText: 'OK', response: [['Server', 'nginx/1.22.1']] });
    expect(finding.title).toMatch(/^The WebSocket handshake to wss:\/\/app\.example(:443)?\/ws got HTTP 200 OK instead of a WebSocket upgrade$/);
    expect(finding.detail).toContain('`HTTP 200 OK`');
    expect(finding.detail).toContain('nginx (`server: nginx/1.22.1`)');
    expect(finding.fix).toContain('proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";');
    expect(finding.fix).toContain('/ws');
    expect(finding.identified).toEqual([{ name: 'nginx', evidence: 'server: nginx/1.22.1' }]);
    expect(finding.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('400: the upgrade was refused (proxy dropping Upgrade, missing query parameters)', () => {
    const finding = onlyFailure({ status: 400, statusText: 'Bad Request' }, 2);
    expect(finding.title).toMatch(/got HTTP 400 Bad Request: the upgrade request was refused \(2 times\)$/);
    expect(finding.detail).toMatch(/dropped the Upgrade and Connection headers/);
    expect(finding.fix).toContain('proxy_http_version 1.1');
    expect(finding.connections).toHaveLength(2);
  });

  it('426: the upgrade did not reach the server', () => {
    const finding = onlyFailure({ status: 426, statusText: 'Upgrade Required' });
    expect(finding.title).toMatch(/got HTTP 426 Upgrade Required: the upgrade did not reach the server/);
    expect(finding.fix).toContain('proxy_set_header Connection "upgrade"');
  });

  it('401: credentials, with the challenge quoted and whether a cookie was sent', () => {
    const finding = onlyFailure({
      status: 401,
      statusText: 'Unauthorized',
      response: [['WWW-Authenticate', 'Bearer realm="api"']],
      request: [
        ['Origin', 'https://app.example'],
        ['Cookie', '(value not recorded)'],
      ],
    });
    expect(finding.title).toMatch(/got HTTP 401 Unauthorized: credentials missing or rejected/);
    expect(finding.detail).toContain('`www-authenticate: Bearer realm="api"`');
    expect(finding.detail).toContain('carried a Cookie header (value not recorded)');
    expect(finding.fix).toMatch(/expired/);
  });

  it('403: the Origin allow-list and the credentials, naming the CDN that answered', () => {
    const finding = onlyFailure({ status: 403, statusText: 'Forbidden', response: [['Server', 'cloudflare'], ['CF-RAY', '1-CDG']] });
    expect(finding.title).toMatch(/got HTTP 403 Forbidden: the server refused this client/);
    expect(finding.detail).toContain("Origin was `https://app.example`");
    expect(finding.fix).toContain('Add https://app.example');
    expect(finding.fix).toMatch(/allowed origins/);
    expect(finding.fix).toMatch(/Cloudflare's Security Events/);
    expect(onlyFailure({ status: 403, response: [['Server', 'nginx']] }).fix).not.toMatch(/firewall/);
  });

  it('404: wrong path', () => {
    const finding = onlyFailure({ status: 404, statusText: 'Not Found' });
    expect(finding.title).toMatch(/got HTTP 404 Not Found: wrong path$/);
    expect(finding.detail).toContain('at /ws');
    expect(finding.fix).toMatch(/\/socket\.io\//);
  });

  it('429: rate limited, quoting Retry-After', () => {
    const finding = onlyFailure({ status: 429, statusText: 'Too Many Requests', response: [['Retry-After', '30']] });
    expect(finding.title).toMatch(/HTTP 429 Too Many Requests: rate limited/);
    expect(finding.detail).toContain('`retry-after: 30`');
    expect(finding.fix).toMatch(/backoff/);
    expect(onlyFailure({ status: 429 }).detail).not.toMatch(/retry-after/);
  });

  it('502: the proxy could not reach the backend, with where to look in the identified ALB', () => {
    const finding = onlyFailure({ status: 502, statusText: 'Bad Gateway', response: [['Server', 'awselb/2.0']] }, 3);
    expect(finding.title).toMatch(/got HTTP 502 Bad Gateway: the proxy could not reach the backend \(3 times\)/);
    expect(finding.detail).toContain('AWS ALB (`server: awselb/2.0`)');
    expect(finding.fix).toMatch(/health checks/);
    expect(finding.fix).toMatch(/AWS ALB: the target group's health checks/);
  });

  it('503: no backend available, quoting Retry-After', () => {
    const finding = onlyFailure({ status: 503, statusText: 'Service Unavailable', response: [['Retry-After', '120']] });
    expect(finding.title).toMatch(/HTTP 503 Service Unavailable: no backend available/);
    expect(finding.detail).toContain('`retry-after: 120`');
    expect(finding.fix).toMatch(/health checks/);
  });

  it("504: the proxy timed out, naming nginx's timeouts", () => {
    const finding = onlyFailure({ status: 504, statusText: 'Gateway Time-out', response: [['Server', 'nginx']] });
    expect(finding.title).toMatch(/HTTP 504 Gateway Time-out: the proxy timed out waiting for the backend/);
    expect(finding.fix).toMatch(/connect and read timeouts/);
    expect(finding.fix).toMatch(/proxy_connect_timeout/);
  });

  it("Cloudflare's 52x answers", () => {
    const finding = onlyFailure({ status: 521, response: [['Server', 'cloudflare']] });
    expect(finding.title).toMatch(/got HTTP 521: the proxy could not reach the backend/);
    expect(finding.detail).toMatch(/origin web server refused the connection/);
    expect(onlyFailure({ status: 524 }).title).toMatch(/timed out/);
  });

  it('500 and other statuses', () => {
    expect(onlyFailure({ status: 500 }).title).toMatch(/HTTP 500 Internal Server Error: the server failed/);
    expect(onlyFailure({ status: 431 }).detail).toMatch(/cookies/);
    expect(onlyFailure({ status: 301, response: [['Location', 'wss://www.app.example/ws']] }).fix).toContain('wss://www.app.example/ws');
  });

  it('101 yet failed: a sub-protocol the page did not offer', () => {
    const s = session();
    failures(s, { status: 101, statusText: 'Switching Protocols', response: [['Sec-WebSocket-Protocol', 'v2']] }, 1, T0, ['v1']);
    const [finding] = handshakeFindings(s);
    expect(finding.title).toMatch(/the server upgraded, the browser refused the answer/);
    expect(finding.detail).toContain('`v1`');
    expect(finding.detail).toContain('chose `v2`');
  });

  it('200 over HTTP/2 is an accepted upgrade the browser refused, not a plain answer', () => {
    const s = session();
    const [connection] = failures(s, { status: 200 }, 1, T0, ['v1']);
    (connection.handshake as HandshakeInfo).httpVersion = 'HTTP/2';
    const [finding] = handshakeFindings(s);
    expect(finding.title).toMatch(/the server upgraded, the browser refused the answer/);
    expect(finding.detail).toContain('`HTTP/2 200 OK`');
  });

  it.each([
    ['net::ERR_CONNECTION_REFUSED', /connection refused/],
    ['NS_ERROR_CONNECTION_REFUSED', /connection refused/],
    ['net::ERR_NAME_NOT_RESOLVED', /the host name did not resolve/],
    ['NS_ERROR_UNKNOWN_HOST', /the host name did not resolve/],
    ['net::ERR_CERT_AUTHORITY_INVALID', /TLS error/],
    ['net::ERR_SSL_PROTOCOL_ERROR', /TLS error/],
    ['SEC_ERROR_UNKNOWN_ISSUER', /TLS error/],
    ['net::ERR_CONNECTION_TIMED_OUT', /no answer/],
    ['net::ERR_CONNECTION_RESET', /closed before an answer/],
    ['net::ERR_BLOCKED_BY_CLIENT', /blocked in the browser/],
    ['net::ERR_INTERNET_DISCONNECTED', /network was unavailable/],
    ['net::ERR_TUNNEL_CONNECTION_FAILED', /proxy failed/],
    ['net::ERR_SOMETHING_NEW', /failed: net::ERR_SOMETHING_NEW/],
  ])('status 0 with %s', (error, title) => {
    const finding = onlyFailure({ status: 0, error });
    expect(finding.title).toMatch(title);
    expect(finding.detail).toContain(`\`${error}\``);
  });

  it('keeps the old wording when the handshake is unknown', () => {
    const s = session();
    failures(s, undefined, 1);
    failures(s, { status: 0 }, 1, T0 + 60_000); // no status, no error: nothing known
    const [finding] = handshakeFindings(s);
    expect(finding.title).toMatch(/^The WebSocket handshake to wss:\/\/app\.example(:443)?\/ws failed 2 times$/);
    expect(finding.fix).toMatch(/Look at the handshake request in the Network panel/);
    expect(finding.identified).toBeUndefined();
  });

  it('one finding per kind of answer; failures with no answer join the largest group', () => {
    const s = session();
    failures(s, { status: 502, statusText: 'Bad Gateway' }, 2, T0);
    failures(s, { status: 403, statusText: 'Forbidden' }, 1, T0 + 100_000);
    failures(s, undefined, 1, T0 + 200_000);
    const found = handshakeFindings(s);
    expect(found.map((finding) => finding.connections.length).sort()).toEqual([1, 3]);
    const gateway = found.find((finding) => /502/.test(finding.title));
    expect(gateway?.detail).toMatch(/1 other failed handshake\(s\) to this endpoint had no answer recorded/);
  });

  it('says when other connections to the endpoint opened', () => {
    const s = session();
    addConnection(s, { url: URL, createdAt: T0 - 60_000 });
    failures(s, { status: 503 }, 1);
    expect(handshakeFindings(s)[0].detail).toMatch(/did open: the failure is intermittent/);
  });

  it('formats the status and classifies', () => {
    expect(formatHandshakeStatus(answer({ status: 502 }))).toBe('HTTP 502 Bad Gateway');
    expect(formatHandshakeStatus(answer({ status: 502, statusText: 'Proxy Error' }))).toBe('HTTP 502 Proxy Error');
    expect(formatHandshakeStatus(answer({ status: 0, error: 'net::ERR_FAILED' }))).toBe('net::ERR_FAILED');
    expect(handshakeFailureCategory(answer({ status: 0 }))).toBe('unknown');
    expect(handshakeFailureCategory(answer({ status: 407 }))).toBe('unauthorized');
  });

  it("explains a connection's failed handshake in one line", () => {
    const s = session();
    const [known] = failures(s, { status: 403, statusText: 'Forbidden' });
    const [unknown] = failures(s, undefined, 1, T0 + 60_000);
    expect(explainClose(known)).toBe('The handshake failed with `HTTP 403 Forbidden`: refused: origin check or credentials.');
    expect(explainClose(unknown)).toMatch(/^The handshake failed: the socket reported an error/);
  });
});

describe("Chromium's net::ERR_FAILED: the status is not available to extensions", () => {
  it('says the browser did not give the status, and where to read it', () => {
    const finding = onlyFailure({ status: 0, error: 'net::ERR_FAILED' }, 2);
    expect(finding.title).toMatch(/failed: the browser did not give the HTTP status \(2 times\)$/);
    expect(finding.detail).toContain('`net::ERR_FAILED`');
    expect(finding.fix).toContain('Unexpected response code: 404');
    expect(finding.fix).toContain('DevTools console');
    expect(finding.fix).toContain('disable SocketScope');
    expect(finding.detail).toMatch(/console line loses the reason/);
    expect(finding.title + finding.detail).not.toMatch(/before any HTTP answer/);
  });

  it('explains the close in one line with the console hint', () => {
    const s = session();
    const [connection] = failures(s, { status: 0, error: 'net::ERR_FAILED' });
    expect(explainClose(connection)).toContain('Unexpected response code');
  });
});
