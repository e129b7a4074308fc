// @vitest-environment happy-dom
// The handshake in the panel: identified intermediaries before the suspects in
// the diagnosis, the status line and headers (as text) in the connection's
// summary, or why the handshake is missing.
import { describe, expect, it } from 'vitest';
import { DiagnosisPane } from '../../../src/panel/Diagnosis';
import { ConnectionSummary } from '../../../src/panel/Messages';
import { sanitizeHeaders } from '../../../src/core/headers';
import type { Session } from '../../../src/core/model';
import { load, mount, nginxLikeSession } from './fixtures';

const HOSTILE = '<img src=x onerror="window.pwned=1">';

function withHandshakes(s: Session): Session {
  for (const connection of s.connections) {
    connection.handshakeEvidence = 'matched';
    connection.handshake = {
      status: 101,
      statusText: 'Switching Protocols',
      httpVersion: 'HTTP/1.1',
      requestHeaders: sanitizeHeaders([{ name: 'Cookie', value: 'sid=SECRET-COOKIE' }, { name: 'Origin', value: 'https://app.example' }]),
      responseHeaders: [
        { name: 'Server', value: 'nginx/1.22.1' },
        { name: 'X-Note', value: HOSTILE },
      ],
      remoteIp: '127.0.0.1',
      startedAt: connection.createdAt + 1,
    };
  }
  return s;
}

describe('handshake in the panel', () => {
  it('shows the identified intermediary with its header before the suspects', () => {
    load(withHandshakes(nginxLikeSession()));
    const root = mount(<DiagnosisPane />);
    const primary = root.querySelector('details.finding.primary')!;
    const identified = primary.querySelector('.identified');
    expect(identified?.textContent).toContain('Identified: nginx — server: nginx/1.22.1');
    const suspects = primary.querySelector('.suspects');
    if (suspects) expect(identified!.compareDocumentPosition(suspects) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('shows the status line and the headers as text in the connection summary; no cookie value', () => {
    const s = load(withHandshakes(nginxLikeSession()));
    const root = mount(<ConnectionSummary connection={s.connections[0]} />);
    const handshake = root.querySelector('.summary-handshake')!;
    expect(handshake.tagName).toBe('DETAILS');
    expect(handshake.querySelector('summary')?.textContent).toBe('Handshake: HTTP/1.1 101 Switching Protocols from 127.0.0.1');
    expect(handshake.textContent).toContain('Servernginx/1.22.1');
    expect(handshake.textContent).toContain(HOSTILE);
    expect(handshake.querySelector('img')).toBeNull();
    expect(handshake.textContent).toContain('Cookie(value not recorded)');
    expect(root.innerHTML).not.toContain('SECRET');
  });

  it('says when the handshake was not seen or is not available', () => {
    const s = load(nginxLikeSession());
    s.connections[0].handshakeEvidence = 'unmatched';
    s.connections[1].handshakeEvidence = 'unavailable';
    expect(mount(<ConnectionSummary connection={s.connections[0]} />).textContent).toContain('Handshake not seen (');
    expect(mount(<ConnectionSummary connection={s.connections[1]} />).textContent).toContain('Handshake not available (');
    expect(mount(<ConnectionSummary connection={s.connections[2]} />).querySelector('.summary-handshake')).toBeNull();
  });
});
