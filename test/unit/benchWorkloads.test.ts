// The bench's workloads (bench/lib/workloads.mjs): the page limit each condition is judged by, and which of a page's
// timings is its page time. Shared by `npm run bench` and `npm run bench:threads`, so both judge alike.
import { describe, expect, it } from 'vitest';
import { pageLimitOf, pageMsOf, workloadUrl, WORKLOADS } from '../../bench/lib/workloads.mjs';

const byName = (name: string) => {
  const w = WORKLOADS.find((candidate) => candidate.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
};

describe('pageLimitOf', () => {
  it('gives the issue page limits: 1.10 (1.05 for ArrayBuffers) quiet, 1.15 beside a busy core', () => {
    expect(pageLimitOf(byName('recv-text'), 'quiet')).toBe(1.1);
    expect(pageLimitOf(byName('recv-binary'), 'quiet')).toBe(1.05);
    expect(pageLimitOf(byName('recv-blob'), 'quiet')).toBe(1.1);
    expect(pageLimitOf(byName('send-text'), 'quiet')).toBe(1.1);
    for (const name of ['recv-text', 'recv-binary', 'recv-blob', 'send-text']) expect(pageLimitOf(byName(name), 'busy')).toBe(1.15);
  });

  it('keeps information workloads without a limit under either load', () => {
    expect(pageLimitOf(byName('recv-one'), 'quiet')).toBe(Infinity);
    expect(pageLimitOf(byName('recv-one'), 'busy')).toBe(Infinity);
  });
});

describe('pageMsOf', () => {
  const report = { goToLastMs: 812.5, startToConfirmMs: 640.25 };
  it('reads "go" to the last message for a receiving page, the first send to the confirmation for a sending one', () => {
    expect(pageMsOf(byName('recv-binary'), report)).toBe(812.5);
    expect(pageMsOf(byName('send-text'), report)).toBe(640.25);
  });
});

describe('workloadUrl', () => {
  const server = { origin: 'http://127.0.0.1:1', wsOrigin: 'ws://127.0.0.1:1' };
  it('asks the page to decode each message only for the workload that reads its messages', () => {
    const decoding = new URL(workloadUrl(server, byName('recv-binary-decode'), 'r1'));
    expect(decoding.searchParams.get('decode')).toBe('1024');
    expect(decoding.searchParams.get('binaryType')).toBe('arraybuffer');
    expect(new URL(workloadUrl(server, byName('recv-binary'), 'r2')).searchParams.has('decode')).toBe(false);
  });

  it('asks the page to read each Blob only for the workload that reads its Blobs', () => {
    const reading = new URL(workloadUrl(server, byName('recv-blob-small-read'), 'r3'));
    expect(reading.searchParams.get('read')).toBe('1');
    expect(reading.searchParams.get('binaryType')).toBe('blob');
    expect(new URL(workloadUrl(server, byName('recv-blob-small'), 'r4')).searchParams.has('read')).toBe(false);
  });
});
