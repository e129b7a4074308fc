// @vitest-environment happy-dom
// Where the panel's views used to derive the same fact each their own way and
// disagree, they now read one definition (src/core/facts.ts, through the
// store's analysis). Each test pins one former disagreement.
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionList } from '../../../src/panel/ConnectionList';
import { DiagnosisPane } from '../../../src/panel/Diagnosis';
import { ConnectionSummary } from '../../../src/panel/Messages';
import { now } from '../../../src/panel/store';
import { formatMeasured } from '../../../src/core/format';
import type { Connection, Session } from '../../../src/core/model';
import { addConnection, closeAt, failHandshake, receive, session as emptyTestSession, T0 } from '../helpers/synth';
import { byText, flush, load, mount, nginxLikeSession } from './fixtures';

/** One chain: a server's 1001 Going Away, then the page closing with 4000, then an open socket. */
function goingAwaySession(): { session: Session; goingAway: Connection; pageClosed: Connection; open: Connection } {
  const s = emptyTestSession();
  const goingAway = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 });
  receive(goingAway, T0 + 100, 'hello');
  closeAt(goingAway, T0 + 1000, 'server', 1001, 'restarting');
  const pageClosed = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 + 1500 });
  closeAt(pageClosed, T0 + 2500, 'page', 4000, 'logout');
  const open = addConnection(s, { url: 'ws://127.0.0.1:8080/feed', createdAt: T0 + 3000 });
  return { session: s, goingAway, pageClosed, open };
}

function row(root: ParentNode, connection: Connection): HTMLElement {
  const found = root.querySelector<HTMLElement>(`tr[data-connection-id="${connection.id}"]`);
  if (!found) throw new Error(`no row for ${connection.id}`);
  return found;
}

describe('one definition of a bad close (core isDrop of closeSeverity)', () => {
  let fixture: ReturnType<typeof goingAwaySession>;
  beforeEach(() => {
    fixture = goingAwaySession();
    load(fixture.session);
  });

  it('a 1001 Going Away is a drop in the chain header, in its row and in the message pane (the row and summary said bad, the timeline said not)', () => {
    const root = mount(<ConnectionList />);
    const header = root.querySelector('tr.chain-row')!;
    expect(header.textContent).toMatch(/3 connections · 1 open · 1 drop/);
    expect(row(root, fixture.goingAway).querySelector('td.close-bad')?.textContent).toBe('1001 Going Away');
    const summary = mount(<ConnectionSummary connection={fixture.goingAway} />);
    expect(summary.querySelector('.close-info')?.classList.contains('close-bad')).toBe(true);
  });

  it('the page closing its own socket with 4000 is not a drop anywhere (the row and summary painted any code but 1000 red)', () => {
    const root = mount(<ConnectionList />);
    expect(row(root, fixture.pageClosed).querySelector('td.close-ok')?.textContent).toMatch(/^4000/);
    const summary = mount(<ConnectionSummary connection={fixture.pageClosed} />);
    expect(summary.querySelector('.close-info')?.classList.contains('close-bad')).toBe(false);
  });
});

describe('one definition of when a connection ended (core endedAt: the close event, closedAt, first)', () => {
  it('the list\'s age and the evidence\'s lifetime and silence both end at closedAt (the evidence used close.time)', () => {
    const s = nginxLikeSession();
    // The close event is dispatched 100 ms after the close record's time.
    for (const connection of s.connections) if (connection.close) connection.closedAt = connection.close.time + 100;
    load(s);
    const first = s.connections[0];
    const list = mount(<ConnectionList />);
    expect(row(list, first).querySelectorAll('td.num')[0].textContent).toBe('3.50 s');
    const diagnosis = mount(<DiagnosisPane />);
    expect(diagnosis.querySelectorAll('.evidence li')[0].textContent).toMatch(/1006 after 3\.5 s, silent 3\.1 s/);
  });

  it('a handshake that failed with an error and no close yet is failed, ended at its error, and a drop (the list said connecting, aged it forever and counted it open)', () => {
    const s = emptyTestSession();
    const failed = failHandshake(addConnection(s, { url: 'ws://127.0.0.1:8080/down', createdAt: T0, openDelayMs: null }), T0 + 250);
    delete failed.close;
    delete failed.closedAt;
    load(s);
    flush(() => (now.value = T0 + 60_000));
    const root = mount(<ConnectionList />);
    const failedRow = row(root, failed);
    expect(failedRow.querySelector('td.state')?.textContent).toBe('failed');
    expect(failedRow.querySelectorAll('td.num')[0].textContent).toBe(formatMeasured(250));
    expect(byText(root, 'tr.chain-row', '/down').textContent).toMatch(/1 connection · 1 drop/);
  });
});
