// Reproduce and verify: the core (src/core/simulation.ts), the simulated marks through ingest, storage and the
// HAR round trip, and the diagnosis keeping simulated drops apart.
import { describe, expect, it } from 'vitest';
import { batchToDelta, parseBatch } from '../../src/core/ingest';
import { applyDelta } from '../../src/core/delta';
import { diagnose, diagnoseSimulated } from '../../src/core/diagnosis';
import { decodeStoredTab, encodeStoredTab } from '../../src/core/stored';
import { toHar } from '../../src/core/har';
import { fromHar } from '../../src/core/har/import';
import { emptySession, type Connection, type Session } from '../../src/core/model';
import { encodePayload, evaluateVerification, isSimulableCloseCode, verifyName, withoutSimulated, type SimPolicy } from '../../src/core/simulation';
import { PROTOCOL_VERSION, type PageBatch } from '../../src/protocol/page';

const T0 = 1_790_000_000_000;
const URL = 'wss://app.example/live';

function dropped(id: string, openedAt: number, ageMs: number, simulated: boolean): Connection {
  const time = openedAt + ageMs;
  return { id, frameUrl: '', url: URL, protocols: [], createdAt: openedAt - 20, openedAt, closedAt: time, messages: [], close: { time, code: 1006, reason: '', wasClean: false, initiator: 'abnormal', ...(simulated ? { simulated: true } : {}) } };
}
function sessionOf(connections: Connection[]): Session {
  return { ...emptySession('s', T0), connections };
}

describe('simulation core', () => {
  it('encodes payloads as text, JSON, hex or base64, and refuses what does not parse', () => {
    expect(encodePayload('text', 'hi')).toEqual({ binary: false, text: 'hi', b64: '' });
    expect(encodePayload('json', '{ "a": 1 }')).toEqual({ binary: false, text: '{"a":1}', b64: '' });
    expect(encodePayload('hex', '01 02 ff')).toEqual({ binary: true, text: '', b64: 'AQL/' });
    expect(encodePayload('base64', 'AQL/')).toEqual({ binary: true, text: '', b64: 'AQL/' });
    expect(() => encodePayload('hex', '0g')).toThrow();
    expect(() => encodePayload('json', '{')).toThrow();
  });

  it('allows the close codes a server can send, not the reserved ones', () => {
    for (const code of [1000, 1001, 1011, 1012, 1013, 4000, 4999, 3000]) expect(isSimulableCloseCode(code)).toBe(true);
    for (const code of [1004, 1005, 1006, 1015, 999, 2000, 5000, 1000.5]) expect(isSimulableCloseCode(code)).toBe(false);
  });

  it('the real diagnosis ignores simulated drops; diagnoseSimulated finds the simulated timeout', () => {
    const connections = [0, 1, 2, 3].map((i) => dropped(`d:${i}`, T0 + i * 3000, 2000, true));
    const session = sessionOf(connections);
    expect(withoutSimulated(session).connections).toEqual([]);
    expect(diagnose(session)).toEqual([]);
    const simulated = diagnoseSimulated(session);
    expect(simulated[0]).toMatchObject({ kind: 'idle-timeout' });
    expect(Math.abs(simulated[0].periodMs! - 2000)).toBeLessThan(50);
    // The same closes, real: the finding the real diagnosis makes.
    expect(diagnose(sessionOf([0, 1, 2, 3].map((i) => dropped(`r:${i}`, T0 + i * 3000, 2000, false))))[0]).toMatchObject({ kind: 'idle-timeout' });
  });

  it('Verify the fix: dropped again, survived, or not yet', () => {
    const policy: SimPolicy = { kind: 'idle', ms: 3000, basis: 'any', endpoint: URL, keep: false, startedAt: T0, verify: { finding: 'f', periods: 3 } };
    expect(evaluateVerification(sessionOf([dropped('a:1', T0 + 100, 3000, true)]), policy, T0 + 5000)).toMatchObject({
      passed: false,
      summary: 'dropped again after 3.0 s: the heartbeat does not keep it open',
    });
    const open: Connection = { id: 'a:2', frameUrl: '', url: `${URL}?token=1`, protocols: [], createdAt: T0 - 1000, openedAt: T0 - 900, messages: [] };
    expect(evaluateVerification(sessionOf([open]), policy, T0 + 8000)).toBeUndefined();
    expect(evaluateVerification(sessionOf([open]), policy, T0 + 9000)).toMatchObject({ passed: true, summary: 'survived 3 periods of a simulated 3 s idle timeout' });
    // Closed (by the page) before the third period: no survivor yet.
    const short = { ...open, closedAt: T0 + 4000, close: { time: T0 + 4000, code: 1000, reason: '', wasClean: true, initiator: 'page' as const } };
    expect(evaluateVerification(sessionOf([short]), policy, T0 + 9500)).toBeUndefined();
    // Another endpoint does not count.
    expect(evaluateVerification(sessionOf([{ ...open, url: 'wss://other.example/' }]), policy, T0 + 9500)).toBeUndefined();
  });
});

describe('simulated marks travel', () => {
  it('from the hook batch (sim close, simRows) through ingest, storage and HAR', () => {
    const batch: PageBatch = {
      v: PROTOCOL_VERSION,
      seq: 1,
      records: [
        { k: 'create', at: 0, id: 1, time: T0, url: URL, protocols: [] },
        { k: 'open', at: 0, id: 1, time: T0 + 10, protocol: '', extensions: '' },
        { k: 'close', at: 2, id: 1, time: T0 + 900, code: 1006, reason: '', wasClean: false, sim: 1 },
      ],
      messages: { id: [1, 1], dir: [0, 1], time: [T0 + 100, T0 + 200], opcode: [1, 1], size: [1, 1], preview: ['a', 'b'], truncated: [0, 0] },
      droppedMessages: 0,
      simRows: [1],
    };
    const session = emptySession('s', T0);
    const index = new Map<string, Connection>();
    applyDelta(session, batchToDelta(parseBatch(JSON.stringify(batch)), { docId: 'doc', frameUrl: URL }, session, index), index);
    const connection = session.connections[0];
    expect(connection.close).toMatchObject({ code: 1006, initiator: 'abnormal', simulated: true });
    expect(connection.messages.map((m) => m.simulated ?? false)).toEqual([false, true]);
    const stored = decodeStoredTab(encodeStoredTab(session, {})).session.connections[0];
    expect(stored.messages.map((m) => m.simulated ?? false)).toEqual([false, true]);
    const har = toHar(session);
    expect(har.log.entries[0]._socketscope.simulated).toEqual({ close: true, messages: [1] });
    const back = fromHar(JSON.parse(JSON.stringify(har))).session.connections[0];
    expect(back.close?.simulated).toBe(true);
    expect(back.messages.map((m) => m.simulated ?? false)).toEqual([false, true]);
  });
});

describe('verifyName', () => {
  it('files a verification under the finding kind and basis, not its title (whose period moves as drops come)', () => {
    expect(verifyName({ kind: 'idle-timeout', basis: 'any' })).toBe(verifyName({ kind: 'idle-timeout', basis: 'any' }));
    expect(verifyName({ kind: 'idle-timeout', basis: 'received' })).not.toBe(verifyName({ kind: 'idle-timeout', basis: 'any' }));
    expect(verifyName({ kind: 'max-lifetime' })).toBe('Fixed lifetime');
  });
});
