// @vitest-environment happy-dom
// Before the background's first snapshot the panel knows nothing about the tab:
// it says it is loading, never "No WebSocket recorded in this tab yet".
import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({ default: { runtime: { connect: () => undefined } } }));
import { act } from 'preact/test-utils';
import { App } from '../../../src/panel/App';
import { awaitingFirstSnapshot, link, replaceSession, session, setAwaitingHeld } from '../../../src/panel/store';
import { emptySession } from '../../../src/core/model';
import { byText, mount } from './fixtures';

describe('the panel before its first snapshot', () => {
  it('shows a loading state, not the empty state, until a snapshot (even an empty one) arrives', () => {
    act(() => {
      link.value = 'connecting';
      awaitingFirstSnapshot.value = true;
      session.value = emptySession('empty', Date.now());
    });
    const root = mount(<App tabId={7} />);
    expect(root.textContent).toContain('Loading this tab’s WebSockets…');
    expect(root.textContent).not.toContain('No WebSocket recorded');
    act(() => {
      replaceSession(emptySession('tab-7', Date.now()));
      link.value = 'live';
    });
    expect(root.textContent).toContain('No WebSocket recorded in this tab yet');
    expect(root.textContent).not.toContain('Loading');
  });

  it('keeps Export off until the session has arrived, and while a held page hands its messages over', () => {
    act(() => {
      link.value = 'connecting';
      awaitingFirstSnapshot.value = true;
      session.value = emptySession('empty', Date.now());
    });
    const root = mount(<App tabId={7} />);
    const exportButton = () => byText(root, 'button', /^Export$/) as HTMLButtonElement;
    expect(exportButton().disabled).toBe(true);
    expect(exportButton().title).toContain('Loading the tab');
    act(() => {
      replaceSession(emptySession('tab-7', Date.now()));
      link.value = 'live';
      setAwaitingHeld(true);
    });
    expect(exportButton().disabled, 'a held page still handing its batches over').toBe(true);
    act(() => setAwaitingHeld(false));
    expect(exportButton().disabled).toBe(false);
    expect(exportButton().title).toContain('Download this session as a HAR file');
  });
});
