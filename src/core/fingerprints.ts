// Which proxies, CDNs and platforms a handshake passed through, read from the
// headers they write into responses. A fingerprint is evidence seen in this
// session (quoted), unlike a suspect, which only matches a default.
//
// Each row names its source. "documented": the vendor's own documentation says
// the header is added; "observed": widely seen in real responses but not
// promised by the vendor (it may be switched off or rewritten); "uncertain":
// off by default or not confirmed, kept because it is specific when present.
// Limits: an outer CDN usually replaces `Server` (Cloudflare, CloudFront),
// hiding the proxy behind it; operators can strip any of these headers; and
// only header names survive for Set-Cookie (src/core/headers.ts), so cookie
// fingerprints (AWSALB, OpenShift's hashed route cookie, GCLB) are not usable.

import { INTERMEDIARY_TIMEOUTS, type IntermediaryTimeout } from './intermediaries';
import type { HandshakeInfo, HeaderEntry } from './model';

export type FingerprintCertainty = 'documented' | 'observed' | 'uncertain';

export interface Fingerprint {
  /** The product, as named in INTERMEDIARY_TIMEOUTS when it has rows there. */
  name: string;
  /** Lower-case response header name; a trailing '*' matches any name with that prefix (x-envoy-*). */
  header: string;
  /** The value must match; absent: the header's presence is enough. */
  value?: RegExp;
  certainty: FingerprintCertainty;
  /** Where the fact comes from (vendor documentation named). */
  source: string;
  /** Rows of INTERMEDIARY_TIMEOUTS for this product, when named differently (defaults to [name]). */
  timeouts?: readonly string[];
}

/** Outermost first (CDNs and edges, then load balancers, then proxies and servers): the order findings list them. */
export const FINGERPRINTS: readonly Fingerprint[] = [
  // Cloudflare docs, "Cloudflare HTTP headers": CF-Ray is added to every proxied response; Server is set to "cloudflare".
  { name: 'Cloudflare', header: 'cf-ray', certainty: 'documented', source: 'Cloudflare docs: Cloudflare HTTP headers (CF-Ray)' },
  { name: 'Cloudflare', header: 'server', value: /^cloudflare\b/i, certainty: 'documented', source: 'Cloudflare docs: Cloudflare HTTP headers' },
  // Amazon CloudFront developer guide: X-Amz-Cf-Id and X-Amz-Cf-Pop on responses; Via: 1.1 <id>.cloudfront.net (CloudFront).
  { name: 'AWS CloudFront', header: 'x-amz-cf-id', certainty: 'documented', source: 'Amazon CloudFront developer guide (X-Amz-Cf-Id)' },
  { name: 'AWS CloudFront', header: 'x-amz-cf-pop', certainty: 'documented', source: 'Amazon CloudFront developer guide (X-Amz-Cf-Pop)' },
  { name: 'AWS CloudFront', header: 'via', value: /cloudfront/i, certainty: 'documented', source: 'Amazon CloudFront developer guide (Via)' },
  // Fastly header reference: X-Served-By "cache-{datacenter}{nodeid}-{datacenter}" is set on all responses by default.
  { name: 'Fastly', header: 'x-served-by', value: /(^|,\s*)cache-/i, certainty: 'documented', source: 'Fastly header reference: X-Served-By' },
  { name: 'Fastly', header: 'x-fastly-request-id', certainty: 'observed', source: 'Fastly (request ID header; not on every service)' },
  // Akamai: AkamaiGHost is the Server of responses the edge generates itself (errors); akamai-grn is the reference ID
  // of an edge error; x-akamai-* headers come with Akamai's debug Pragma headers. None is on every proxied response.
  { name: 'Akamai', header: 'server', value: /^AkamaiGHost\b/i, certainty: 'documented', source: 'Akamai docs: edge-generated responses (Server: AkamaiGHost)' },
  { name: 'Akamai', header: 'akamai-grn', certainty: 'observed', source: 'Akamai error reference (Akamai-GRN)' },
  { name: 'Akamai', header: 'x-akamai-*', certainty: 'documented', source: 'Akamai docs: debug headers (Pragma: akamai-x-…)' },
  // Microsoft Learn, "HTTP headers protocol support in Azure Front Door": X-Azure-Ref on every response.
  { name: 'Azure Front Door', header: 'x-azure-ref', certainty: 'documented', source: 'Azure Front Door docs: HTTP headers (X-Azure-Ref)' },
  // Google Cloud load balancing docs (target proxies): the external Application Load Balancer adds "Via: 1.1 google" to responses.
  {
    name: 'GCP external HTTP(S) load balancer',
    header: 'via',
    value: /(^|,\s*)1\.1 google\b/i,
    certainty: 'documented',
    source: 'Google Cloud docs: external Application Load Balancer, target proxies (Via: 1.1 google)',
  },
  // "Server: Google Frontend" is the Google Front End, in front of Cloud Run, App Engine and Cloud Functions alike:
  // the header does not say which; Cloud Run is the one of those that holds long WebSockets.
  { name: 'Google Cloud Run', header: 'server', value: /^Google Frontend$/i, certainty: 'uncertain', source: 'observed on Google-hosted responses (Google Front End)' },
  // Vercel docs, "Request headers" / "Response headers": x-vercel-id on every response; Server: Vercel.
  {
    name: 'Vercel',
    header: 'x-vercel-id',
    certainty: 'documented',
    source: 'Vercel docs: response headers (x-vercel-id)',
    timeouts: ['Vercel functions (Hobby)', 'Vercel functions (Pro)'],
  },
  { name: 'Vercel', header: 'server', value: /^Vercel$/i, certainty: 'documented', source: 'Vercel docs: response headers (server)', timeouts: ['Vercel functions (Hobby)', 'Vercel functions (Pro)'] },
  // Fly.io docs, "Request headers": fly-request-id is added to responses by the Fly proxy; Server: Fly/<version>.
  { name: 'Fly.io', header: 'fly-request-id', certainty: 'documented', source: 'Fly.io docs: request and response headers (fly-request-id)' },
  { name: 'Fly.io', header: 'server', value: /^Fly\//i, certainty: 'observed', source: 'Fly.io proxy (Server: Fly/…)' },
  // Heroku Dev Center, "HTTP routing": the router adds "Via: 1.1 vegur" (Vegur is Heroku's proxy library).
  // Router 2.0 reportedly writes "heroku-router" instead (not confirmed here).
  { name: 'Heroku router', header: 'via', value: /\bvegur\b/i, certainty: 'documented', source: 'Heroku Dev Center: HTTP routing (Via: 1.1 vegur)' },
  { name: 'Heroku router', header: 'via', value: /\bheroku-router\b/i, certainty: 'uncertain', source: 'Heroku Router 2.0 (unconfirmed spelling)' },
  // AWS ELB docs: "Server: awselb/2.0" is on responses the Application Load Balancer generates itself (its own 4xx/5xx,
  // e.g. 502/503/504); a 101 from the backend carries the backend's Server instead, so ALB is mostly seen on failures.
  { name: 'AWS ALB', header: 'server', value: /^awselb\//i, certainty: 'documented', source: 'AWS Elastic Load Balancing docs: ALB-generated responses (awselb/2.0)' },
  // Envoy docs, "HTTP header manipulation": server_name defaults to "envoy" (Istio: "istio-envoy"); x-envoy-upstream-service-time
  // and other x-envoy-* response headers unless suppress_envoy_headers is set.
  { name: 'Envoy', header: 'server', value: /\benvoy\b/i, certainty: 'documented', source: 'Envoy docs: HTTP connection manager server_name (default "envoy")' },
  { name: 'Envoy', header: 'x-envoy-*', certainty: 'documented', source: 'Envoy docs: router filter x-envoy-* response headers' },
  // Squid docs: Via names the Squid version ("1.1 host (squid/5.7)"); X-Squid-Error on Squid's own error pages.
  { name: 'Squid', header: 'via', value: /\(squid\b/i, certainty: 'documented', source: 'Squid docs: via directive' },
  { name: 'Squid', header: 'x-squid-error', certainty: 'documented', source: 'Squid error pages (X-Squid-Error)' },
  // Traefik writes no Server header by default: only matched when an operator (or a middleware) sets one.
  {
    name: 'Traefik',
    header: 'server',
    value: /^traefik\b/i,
    certainty: 'uncertain',
    source: 'Traefik sets no Server header by default (operator-set only)',
    timeouts: ['Traefik (v2.11.2+)', 'Traefik'],
  },
  // Caddy docs: Caddy adds "Server: Caddy" to responses by default (header_down -Server removes it).
  { name: 'Caddy', header: 'server', value: /^Caddy\b/i, certainty: 'documented', source: 'Caddy docs: default Server header' },
  // HAProxy adds no Server header by default; the OpenShift router's mark is a cookie with a hashed name, and cookie
  // names are not stored. Only an operator-set "Server: haproxy" identifies it.
  {
    name: 'HAProxy',
    header: 'server',
    value: /\bhaproxy\b/i,
    certainty: 'uncertain',
    source: 'HAProxy sets no Server header by default (operator-set only)',
    timeouts: ['HAProxy (OpenShift router)'],
  },
  // nginx docs, ngx_http_core_module server_tokens: "Server: nginx" or "nginx/1.22.1" on every response it sends;
  // OpenResty is nginx. Kubernetes ingress-nginx answers "nginx" too (its knobs are the proxy-*-timeout annotations).
  { name: 'nginx', header: 'server', value: /^(nginx|openresty)\b/i, certainty: 'documented', source: 'nginx docs: server_tokens' },
  // Apache httpd docs, ServerTokens: "Server: Apache" or "Apache/2.4.57 (Debian)".
  { name: 'Apache httpd', header: 'server', value: /^Apache\b/i, certainty: 'documented', source: 'Apache httpd docs: ServerTokens' },
];

export interface IdentifiedIntermediary {
  /** The product, as in FINGERPRINTS (and INTERMEDIARY_TIMEOUTS). */
  name: string;
  /** The header quoted, e.g. 'server: nginx/1.22.1'. */
  evidence: string;
}

const MAX_QUOTED_VALUE = 120;

function quote(header: HeaderEntry): string {
  const value = header.value.length > MAX_QUOTED_VALUE ? `${header.value.slice(0, MAX_QUOTED_VALUE)}…` : header.value;
  return `${header.name.toLowerCase()}: ${value}`;
}

function headerMatches(fingerprint: Fingerprint, header: HeaderEntry): boolean {
  const name = header.name.toLowerCase();
  const nameMatches = fingerprint.header.endsWith('*') ? name.startsWith(fingerprint.header.slice(0, -1)) : name === fingerprint.header;
  return nameMatches && (fingerprint.value === undefined || fingerprint.value.test(header.value));
}

/** The intermediaries this handshake's response headers name, outermost first, one per product with the first header quoted. */
export function identifyIntermediaries(handshake: Pick<HandshakeInfo, 'responseHeaders'> | undefined): IdentifiedIntermediary[] {
  const headers = handshake?.responseHeaders ?? [];
  const found: IdentifiedIntermediary[] = [];
  for (const fingerprint of FINGERPRINTS) {
    if (found.some((item) => item.name === fingerprint.name)) continue;
    const header = headers.find((candidate) => headerMatches(fingerprint, candidate));
    if (header) found.push({ name: fingerprint.name, evidence: quote(header) });
  }
  return found;
}

/** The rows of INTERMEDIARY_TIMEOUTS for a product named by a fingerprint. */
export function timeoutsOf(name: string): IntermediaryTimeout[] {
  const names = FINGERPRINTS.find((fingerprint) => fingerprint.name === name)?.timeouts ?? [name];
  return INTERMEDIARY_TIMEOUTS.filter((row) => names.includes(row.name));
}
