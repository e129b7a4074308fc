import { describe, expect, it } from 'vitest';
import { FINGERPRINTS, identifyIntermediaries, timeoutsOf } from '../../src/core/fingerprints';
import { INTERMEDIARY_TIMEOUTS } from '../../src/core/intermediaries';
import type { HeaderEntry } from '../../src/core/model';

function identify(...headers: Array<[string, string]>): string[] {
  const responseHeaders: HeaderEntry[] = headers.map(([name, value]) => ({ name, value }));
  return identifyIntermediaries({ responseHeaders }).map((item) => `${item.name} ← ${item.evidence}`);
}

/** One case per row of FINGERPRINTS, in the same order. */
const CASES: Array<[name: string, header: [string, string]]> = [
  ['Cloudflare', ['CF-RAY', '8a1b2c3d4e5f6a7b-CDG']],
  ['Cloudflare', ['Server', 'cloudflare']],
  ['AWS CloudFront', ['X-Amz-Cf-Id', 'abcDEF123==']],
  ['AWS CloudFront', ['X-Amz-Cf-Pop', 'CDG50-C1']],
  ['AWS CloudFront', ['Via', '1.1 0123456789abcdef.cloudfront.net (CloudFront)']],
  ['Fastly', ['X-Served-By', 'cache-cdg20741-CDG']],
  ['Fastly', ['X-Fastly-Request-ID', '0f1e2d3c4b5a']],
  ['Akamai', ['Server', 'AkamaiGHost']],
  ['Akamai', ['Akamai-GRN', '0.1234abcd.1700000000.5678']],
  ['Akamai', ['X-Akamai-Transformed', '9 - 0 pmb=mRUM,1']],
  ['Azure Front Door', ['X-Azure-Ref', '0abcDEF…']],
  ['GCP external HTTP(S) load balancer', ['Via', '1.1 google']],
  ['Google Cloud Run', ['Server', 'Google Frontend']],
  ['Vercel', ['X-Vercel-Id', 'cdg1::iad1::abcde-1700000000000-0123456789ab']],
  ['Vercel', ['Server', 'Vercel']],
  ['Fly.io', ['Fly-Request-Id', '01HABCDEF-cdg']],
  ['Fly.io', ['Server', 'Fly/6b9e5a5b (2024-01-01)']],
  ['Heroku router', ['Via', '1.1 vegur']],
  ['Heroku router', ['Via', '1.1 heroku-router']],
  ['AWS ALB', ['Server', 'awselb/2.0']],
  ['Envoy', ['Server', 'istio-envoy']],
  ['Envoy', ['x-envoy-upstream-service-time', '3']],
  ['Squid', ['Via', '1.1 proxy.example (squid/5.7)']],
  ['Squid', ['X-Squid-Error', 'ERR_CONNECT_FAIL 111']],
  ['Traefik', ['Server', 'Traefik']],
  ['Caddy', ['Server', 'Caddy']],
  ['HAProxy', ['Server', 'HAProxy']],
  ['nginx', ['Server', 'nginx/1.22.1']],
  ['Apache httpd', ['Server', 'Apache/2.4.57 (Debian)']],
];

describe('identifyIntermediaries', () => {
  it('has one case per fingerprint', () => {
    expect(CASES.map(([name]) => name)).toEqual(FINGERPRINTS.map((fingerprint) => fingerprint.name));
  });

  it.each(CASES)('identifies %s from %j', (name, [header, value]) => {
    expect(identify([header, value])).toEqual([`${name} ← ${header.toLowerCase()}: ${value}`]);
  });

  it('identifies plain "server: nginx" and OpenResty as nginx', () => {
    expect(identify(['server', 'nginx'])).toEqual(['nginx ← server: nginx']);
    expect(identify(['Server', 'openresty/1.21.4.1'])).toEqual(['nginx ← server: openresty/1.21.4.1']);
  });

  it('lists every intermediary seen, outermost first, once each', () => {
    expect(identify(['Server', 'nginx/1.22.1'], ['Via', '1.1 google'], ['CF-Ray', '1-CDG'], ['Server', 'cloudflare'])).toEqual([
      'Cloudflare ← cf-ray: 1-CDG',
      'GCP external HTTP(S) load balancer ← via: 1.1 google',
      'nginx ← server: nginx/1.22.1',
    ]);
  });

  it('names nothing for ordinary servers or an unknown handshake', () => {
    expect(identify(['Server', 'gunicorn'], ['Server', 'Microsoft-IIS/10.0'], ['Via', '1.1 varnish'], ['X-Served-By', 'web-3'])).toEqual([]);
    expect(identifyIntermediaries(undefined)).toEqual([]);
  });

  it('names products as INTERMEDIARY_TIMEOUTS does, where it has their timers', () => {
    const withoutTimers = new Set(['Fastly', 'Akamai']);
    for (const fingerprint of FINGERPRINTS) {
      for (const row of fingerprint.timeouts ?? []) expect(INTERMEDIARY_TIMEOUTS.some((timeout) => timeout.name === row), row).toBe(true);
      if (!withoutTimers.has(fingerprint.name)) expect(timeoutsOf(fingerprint.name).length, fingerprint.name).toBeGreaterThan(0);
    }
    expect(timeoutsOf('nginx')[0].knob).toMatch(/proxy_read_timeout/);
  });
});
