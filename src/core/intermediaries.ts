// Proxies, load balancers and platforms that end WebSockets on a timer, from
// shared/reference/intermediaries.md. One row per timer: an intermediary with
// both an idle and an absolute limit (API Gateway, Front Door) has two rows.

import type { Suspect } from './finding';

/** idle: reset by traffic; absolute: fixed age whatever the traffic; event: ends sockets on an operation (deploy, reload). */
export type TimeoutKind = 'idle' | 'absolute' | 'event';

export interface IntermediaryTimeout {
  name: string;
  /** Absent when the timer is off unless configured. */
  defaultMs?: number;
  kind: TimeoutKind;
  knob: string;
  /** False when the vendor offers no way to change the limit. */
  adjustable: boolean;
  notes: string;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

export const INTERMEDIARY_TIMEOUTS: readonly IntermediaryTimeout[] = [
  {
    name: 'nginx',
    defaultMs: 60 * SECOND_MS,
    kind: 'idle',
    knob: 'proxy_read_timeout (also proxy_send_timeout)',
    adjustable: true,
    notes: 'Once upgraded, traffic in either direction resets the timer (measured with nginx 1.22).',
  },
  {
    name: 'ingress-nginx (Kubernetes)',
    defaultMs: 60 * SECOND_MS,
    kind: 'idle',
    knob: 'annotations nginx.ingress.kubernetes.io/proxy-read-timeout, proxy-send-timeout',
    adjustable: true,
    notes: '',
  },
  {
    name: 'HAProxy (OpenShift router)',
    defaultMs: 30 * SECOND_MS,
    kind: 'idle',
    knob: 'timeout tunnel (and timeout client-fin)',
    adjustable: true,
    notes: 'HAProxy has no built-in default; the OpenShift router uses a 30 s client timeout when unset. Ends the socket with 1006.',
  },
  {
    name: 'Apache httpd',
    defaultMs: 60 * SECOND_MS,
    kind: 'idle',
    knob: 'ProxyTimeout / Timeout (ProxyWebsocketIdleTimeout before 2.4.47)',
    adjustable: true,
    notes: 'From 2.4.47 the lower of the client and backend socket timeouts; the 60 s default is unconfirmed.',
  },
  {
    name: 'Envoy',
    defaultMs: 5 * MINUTE_MS,
    kind: 'idle',
    knob: 'HTTP connection manager stream_idle_timeout',
    adjustable: true,
    notes: 'The route timeout (15 s) does not apply to WebSocket streams.',
  },
  {
    name: 'Envoy',
    kind: 'absolute',
    knob: 'max_connection_duration',
    adjustable: true,
    notes: 'Off by default.',
  },
  {
    name: 'Traefik',
    defaultMs: 180 * SECOND_MS,
    kind: 'idle',
    knob: 'entryPoints.<name>.transport.respondingTimeouts.idleTimeout',
    adjustable: true,
    notes: '1006 observed.',
  },
  {
    name: 'Traefik (v2.11.2+)',
    defaultMs: 60 * SECOND_MS,
    kind: 'idle',
    knob: 'entryPoints.<name>.transport.respondingTimeouts.readTimeout',
    adjustable: true,
    notes: 'readTimeout was 0 (off) before v2.11.2.',
  },
  {
    name: 'Caddy',
    kind: 'absolute',
    knob: 'stream_timeout, stream_close_delay',
    adjustable: true,
    notes: 'No limit unless set; also closes streams on config reload.',
  },
  {
    name: 'AWS ALB',
    defaultMs: 60 * SECOND_MS,
    kind: 'idle',
    knob: 'idle_timeout.timeout_seconds (1–4000)',
    adjustable: true,
    notes: '',
  },
  {
    name: 'AWS NLB',
    defaultMs: 350 * SECOND_MS,
    kind: 'idle',
    knob: 'tcp.idle_timeout.seconds (60–6000)',
    adjustable: true,
    notes: 'Fixed on TLS listeners.',
  },
  {
    name: 'AWS API Gateway (WebSocket APIs)',
    defaultMs: 10 * MINUTE_MS,
    kind: 'idle',
    knob: 'not adjustable',
    adjustable: false,
    notes: 'Also a 2 h maximum connection age.',
  },
  {
    name: 'AWS API Gateway (WebSocket APIs)',
    defaultMs: 2 * HOUR_MS,
    kind: 'absolute',
    knob: 'not adjustable',
    adjustable: false,
    notes: 'Also a 10 min idle timeout.',
  },
  { name: 'AWS CloudFront', defaultMs: 10 * MINUTE_MS, kind: 'idle', knob: 'not adjustable', adjustable: false, notes: '' },
  {
    name: 'GCP external HTTP(S) load balancer',
    defaultMs: 30 * SECOND_MS,
    kind: 'absolute',
    knob: 'timeoutSec on the backend service (BackendConfig on GKE)',
    adjustable: true,
    notes: 'For WebSockets the backend service timeout is a maximum connection age, whatever the traffic.',
  },
  {
    name: 'Google Cloud Run',
    defaultMs: 5 * MINUTE_MS,
    kind: 'absolute',
    knob: 'request timeout (max 60 min)',
    adjustable: true,
    notes: '',
  },
  {
    name: 'Azure Load Balancer',
    defaultMs: 4 * MINUTE_MS,
    kind: 'idle',
    knob: 'IdleTimeoutInMinutes (4–100), EnableTcpReset',
    adjustable: true,
    notes: 'Drops silently unless TCP reset is enabled: the page notices only on its next send.',
  },
  { name: 'Azure Front Door', defaultMs: 5 * MINUTE_MS, kind: 'idle', knob: 'not adjustable', adjustable: false, notes: 'Also a 4 h maximum.' },
  { name: 'Azure Front Door', defaultMs: 4 * HOUR_MS, kind: 'absolute', knob: 'not adjustable', adjustable: false, notes: 'Also a 5 min idle timeout.' },
  {
    name: 'Cloudflare',
    defaultMs: 100 * SECOND_MS,
    kind: 'idle',
    knob: 'proxy read timeout (Enterprise only)',
    adjustable: true,
    notes: 'Community answers say 100 s; the current limits page says 120 s.',
  },
  {
    name: 'Cloudflare',
    defaultMs: 120 * SECOND_MS,
    kind: 'idle',
    knob: 'proxy read timeout (Enterprise only)',
    adjustable: true,
    notes: 'The current limits page says 120 s; community answers say 100 s.',
  },
  { name: 'Heroku router', defaultMs: 55 * SECOND_MS, kind: 'idle', knob: 'not adjustable', adjustable: false, notes: 'Counts traffic in either direction; H15 in router logs.' },
  { name: 'Fly.io', defaultMs: 60 * SECOND_MS, kind: 'idle', knob: 'none', adjustable: false, notes: 'Documented, reportedly removed; sends a close frame when suspending a machine.' },
  { name: 'Vercel functions (Hobby)', defaultMs: 300 * SECOND_MS, kind: 'absolute', knob: 'maxDuration', adjustable: true, notes: '' },
  { name: 'Vercel functions (Pro)', defaultMs: 800 * SECOND_MS, kind: 'absolute', knob: 'maxDuration', adjustable: true, notes: '' },
  {
    name: 'Render',
    defaultMs: 60 * SECOND_MS,
    kind: 'event',
    knob: 'none',
    adjustable: false,
    notes: 'A deploy ends the old instances 60 s after the switch; traffic also passes Cloudflare.',
  },
  { name: 'Squid', defaultMs: 15 * MINUTE_MS, kind: 'idle', knob: 'read_timeout', adjustable: true, notes: 'For tunnels (unconfirmed).' },
  { name: 'Squid', defaultMs: 24 * HOUR_MS, kind: 'absolute', knob: 'client_lifetime', adjustable: true, notes: '' },
  {
    name: 'Binance (service limit)',
    defaultMs: 24 * HOUR_MS,
    kind: 'absolute',
    knob: 'none',
    adjustable: false,
    notes: 'The server pings at the protocol level, which the page cannot see.',
  },
];

/** How far an observed period may be from a default and still match it: timers fire late by up to a second or two, and vendors round. */
export function matchToleranceMs(defaultMs: number): number {
  return Math.max(2 * SECOND_MS, defaultMs * 0.1);
}

type TimeoutWithDefault = IntermediaryTimeout & { defaultMs: number };

/** Rows arrive sorted best first; keep one per intermediary (Cloudflare has two candidate defaults). */
function toSuspects(rows: TimeoutWithDefault[]): Suspect[] {
  const seen = new Set<string>();
  const suspects: Suspect[] = [];
  for (const row of rows) {
    if (seen.has(row.name)) continue;
    seen.add(row.name);
    suspects.push({ name: row.name, knob: row.knob, defaultMs: row.defaultMs });
  }
  return suspects;
}

/** Intermediaries whose default timer of this kind matches the observed period, closest first. */
export function suspectsFor(periodMs: number, kind: 'idle' | 'absolute'): Suspect[] {
  const matching = INTERMEDIARY_TIMEOUTS.filter(
    (row): row is TimeoutWithDefault =>
      row.kind === kind && row.defaultMs !== undefined && Math.abs(periodMs - row.defaultMs) <= matchToleranceMs(row.defaultMs),
  );
  return toSuspects(matching.sort((a, b) => Math.abs(periodMs - a.defaultMs) - Math.abs(periodMs - b.defaultMs)));
}

/**
 * When no default matches, a configured value is the likely cause: the
 * intermediaries that let you set a timer of this kind, in the table's order
 * (the most common first: how close their default is says nothing about a
 * value someone chose). Rows without a default (off unless set) can't be a
 * Suspect, whose defaultMs is required.
 */
export function configurableSuspects(_periodMs: number, kind: 'idle' | 'absolute'): Suspect[] {
  return toSuspects(
    INTERMEDIARY_TIMEOUTS.filter((row): row is TimeoutWithDefault => row.kind === kind && row.adjustable && row.defaultMs !== undefined),
  );
}
