import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, explainCloseCode } from '../../src/core/closeCodes';
import { explainClose } from '../../src/core/diagnosis';
import { addConnection, closeAt, failHandshake, session, T0 } from './helpers/synth';

describe('explainCloseCode', () => {
  it.each([
    [1000, 'Normal Closure'],
    [1001, 'Going Away'],
    [1002, 'Protocol Error'],
    [1003, 'Unsupported Data'],
    [1004, 'Reserved'],
    [1005, 'No Status Received'],
    [1006, 'Abnormal Closure'],
    [1007, 'Invalid Frame Payload Data'],
    [1008, 'Policy Violation'],
    [1009, 'Message Too Big'],
    [1010, 'Mandatory Extension'],
    [1011, 'Internal Error'],
    [1012, 'Service Restart'],
    [1013, 'Try Again Later'],
    [1014, 'Bad Gateway'],
    [1015, 'TLS Handshake'],
  ])('names %i as %s', (code, name) => {
    expect(explainCloseCode(code).name).toBe(name);
  });

  it('covers every standard code 1000–1015 in the table', () => {
    for (let code = 1000; code <= 1015; code++) expect(CLOSE_CODES[code]).toBeDefined();
  });

  it('explains 1006 as a close without a close frame', () => {
    expect(explainCloseCode(1006).meaning).toMatch(/without a close frame/);
  });

  it('classifies the ranges', () => {
    expect(explainCloseCode(500).name).toBe('Unused');
    expect(explainCloseCode(1016).name).toBe('Reserved');
    expect(explainCloseCode(2999).name).toBe('Reserved');
    expect(explainCloseCode(3001).name).toBe('Library code');
    expect(explainCloseCode(3999).name).toBe('Library code');
    expect(explainCloseCode(4000).name).toBe('Application code');
    expect(explainCloseCode(4999).name).toBe('Application code');
    expect(explainCloseCode(5000).name).toBe('Unknown code');
    expect(explainCloseCode(-1).name).toBe('Unknown code');
    expect(explainCloseCode(1000.5).name).toBe('Unknown code');
  });

  it('names the common library codes', () => {
    expect(explainCloseCode(3000, 'Go away!').name).toMatch(/SockJS/);
    expect(explainCloseCode(3008).meaning).toMatch(/timed out/);
  });

  it('includes the reason in the meaning', () => {
    expect(explainCloseCode(4001, 'token expired').meaning).toContain('"token expired"');
    expect(explainCloseCode(1000).meaning).not.toContain('reason');
  });
});

describe('explainClose', () => {
  it('says who closed, with the code name and the age', () => {
    const s = session();
    const byPage = closeAt(addConnection(s, { createdAt: T0 }), T0 + 10_050, 'page', 1000);
    const byServer = closeAt(addConnection(s, { createdAt: T0 }), T0 + 5050, 'server', 1012, 'restart');
    const abnormal = closeAt(addConnection(s, { createdAt: T0 }), T0 + 60_050);
    expect(explainClose(byPage)).toBe(
      'The page closed its own socket after 10 s by calling close(1000): 1000 Normal Closure, the purpose is fulfilled; a deliberate close by either side.',
    );
    expect(explainClose(byServer)).toMatch(/^The server closed the connection after 5 s with 1012 Service Restart: the server is restarting; reason given: "restart"\.$/);
    expect(explainClose(abnormal)).toMatch(/^The connection ended after 60 s without a close frame \(1006 Abnormal Closure\)/);
  });

  it('explains a failed handshake and an open connection', () => {
    const s = session();
    expect(explainClose(failHandshake(addConnection(s, { createdAt: T0, openDelayMs: null }), T0 + 20))).toMatch(/handshake failed/);
    expect(explainClose(addConnection(s, { createdAt: T0 }))).toBe('The connection is still open.');
  });
});
