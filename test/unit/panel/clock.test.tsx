// @vitest-environment happy-dom
// An imported file is a recording that ended: a socket still open at export is
// "open at the end of the recording", aged up to the recording's end, never
// against the clock of the day the file is opened.
import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));
import { ConnectionList } from '../../../src/panel/ConnectionList';
import { clock, link, now, replaceSession, runAnalysis } from '../../../src/panel/store';
import { OPEN_AT_END_TEXT, recordingEndMs } from '../../../src/panel/clock';
import { buildLanes, fitRange } from '../../../src/panel/timelineModel';
import { chains } from '../../../src/panel/store';
import { fromHar, toHar } from '../../../src/core/har';
import { act } from 'preact/test-utils';
import { addConnection, closeAt, receive, session as emptyTestSession, T0 } from '../helpers/synth';
import { byText, mount } from './fixtures';
import type { Session } from '../../../src/core/model';

const EXPORTED_AT = T0 + 60_000;
const SEVEN_MINUTES_MS = 7 * 60_000;

/** A socket open since T0+50 ms and still open when the file was written at T0+60 s; one that closed before. */
function exportedWhileOpen(): Session {
  const s = emptyTestSession();
  const open = addConnection(s, { url: 'ws://127.0.0.1:8080/still-open', createdAt: T0 });
  receive(open, T0 + 30_000, '{"tick":1}');
  const closed = addConnection(s, { url: 'ws://127.0.0.1:8080/closed', createdAt: T0 + 100 });
  closeAt(closed, T0 + 10_000);
  s.endedAt = EXPORTED_AT;
  const imported = fromHar(JSON.parse(JSON.stringify(toHar(s))));
  return imported.session;
}

function loadImported(s: Session): void {
  act(() => {
    link.value = 'imported';
    replaceSession(s);
    runAnalysis();
    // Opened seven minutes after the export.
    now.value = EXPORTED_AT + SEVEN_MINUTES_MS;
  });
}

describe('an imported file whose socket was open at export', () => {
  it('keeps the recording end as the session end through the HAR round trip', () => {
    const s = exportedWhileOpen();
    expect(s.endedAt).toBe(EXPORTED_AT);
    expect(s.connections.find((c) => c.url.endsWith('/still-open'))?.closedAt).toBeUndefined();
  });

  it('shows the socket open at the end of the recording, aged to the end, not to today', () => {
    loadImported(exportedWhileOpen());
    expect(clock.value).toBe(EXPORTED_AT);
    const root = mount(<ConnectionList />);
    const row = byText(root, 'tr[data-connection-id]', '/still-open');
    const cells = [...row.querySelectorAll('td')].map((td) => td.textContent ?? '');
    // Age at the end: about 60 s, not 8 min.
    expect(cells.join('|')).toContain('60.0 s');
    expect(cells.join('|')).not.toMatch(/min/);
    expect(row.textContent).toContain(OPEN_AT_END_TEXT);
    // The closed socket is unchanged.
    expect(byText(root, 'tr[data-connection-id]', '/closed').textContent).not.toContain(OPEN_AT_END_TEXT);
  });

  it('ends the timeline axis at the recording end', () => {
    loadImported(exportedWhileOpen());
    const range = fitRange(buildLanes(chains.value, 'all', undefined, clock.value), exportedWhileOpen(), clock.value);
    expect(range.end).toBeLessThan(EXPORTED_AT + 5_000);
  });

  it('a live tab still ages open sockets against the wall clock', () => {
    loadImported(exportedWhileOpen());
    act(() => {
      link.value = 'live';
    });
    expect(clock.value).toBe(EXPORTED_AT + SEVEN_MINUTES_MS);
    const root = mount(<ConnectionList />);
    expect(byText(root, 'tr[data-connection-id]', '/still-open').textContent).not.toContain(OPEN_AT_END_TEXT);
  });

  it('without an end in the file, the recording ends at the last thing the file knows of', () => {
    const s = exportedWhileOpen();
    delete s.endedAt;
    expect(recordingEndMs(s)).toBe(T0 + 30_000);
  });
});
