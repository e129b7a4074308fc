import { describe, expect, it } from 'vitest';
import { endpointKey, reconnectChains } from '../../src/core/chains';
import { addConnection, session, T0 } from './helpers/synth';

describe('endpointKey', () => {
  it('keeps scheme, host, port and path; drops query and fragment', () => {
    expect(endpointKey('wss://API.example.com/socket.io/?EIO=4&transport=websocket&t=abc')).toBe('wss://api.example.com:443/socket.io/');
    expect(endpointKey('ws://localhost:8080/ws?token=secret#x')).toBe('ws://localhost:8080/ws');
    expect(endpointKey('ws://example.com/ws')).toBe('ws://example.com:80/ws');
  });

  it('groups an unparsable URL with its twins', () => {
    expect(endpointKey('not a url?token=1')).toBe(endpointKey('not a url?token=2'));
  });
});

describe('reconnectChains', () => {
  it('groups connections by endpoint, ordered by createdAt, chains by their first connection', () => {
    const s = session();
    const late = addConnection(s, { url: 'wss://a.example/ws?token=2', createdAt: T0 + 5000 });
    const other = addConnection(s, { url: 'wss://b.example/live', createdAt: T0 + 1000 });
    const early = addConnection(s, { url: 'wss://a.example/ws?token=1', createdAt: T0 });
    const chains = reconnectChains(s);
    expect(chains.map((chain) => chain.key)).toEqual(['wss://a.example:443/ws', 'wss://b.example:443/live']);
    expect(chains[0].connections).toEqual([early, late]);
    expect(chains[0].url).toBe('wss://a.example/ws?token=1');
    expect(chains[1].connections).toEqual([other]);
  });

  it('keeps different paths and ports apart', () => {
    const s = session();
    addConnection(s, { url: 'wss://a.example/ws', createdAt: T0 });
    addConnection(s, { url: 'wss://a.example:8443/ws', createdAt: T0 });
    addConnection(s, { url: 'wss://a.example/other', createdAt: T0 });
    expect(reconnectChains(s)).toHaveLength(3);
  });

  it('returns no chain for an empty session', () => {
    expect(reconnectChains(session())).toEqual([]);
  });
});
