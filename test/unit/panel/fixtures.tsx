// Shared by the panel's component tests: a session that looks like the e2e
// page behind nginx (a chain cut after 3 s of silence, a steady socket with
// JSON heartbeats), and a mount helper that flushes Preact's renders.
import { render, type ComponentChildren } from 'preact';
import { act } from 'preact/test-utils';
import type { Session } from '../../../src/core/model';
import { addConnection, closeAt, receive, send, session as emptyTestSession, T0 } from '../helpers/synth';
import { clearFilters, collapsedChains, link, replaceSession, runAnalysis, selectConnection } from '../../../src/panel/store';
import { timelineScope, timelineView } from '../../../src/panel/timelineModel';
import { detailView } from '../../../src/panel/MessageDetail';
import { loadDecoders } from '../../../src/panel/DecodedView';
import { afterAll } from 'vitest';

export { T0 };

// A binary message shown in the detail starts loading src/core/decoders (a
// dynamic import); a test file that ends first tears its environment down
// under the import, which vitest reports as an unhandled error (it did on a
// slower CI machine). Every file using these fixtures waits for that load.
afterAll(() => loadDecoders());

/** Four connections to /burst, each silent for 3 s before nginx cuts it; one steady /live socket with pings. */
export function nginxLikeSession(): Session {
  const s = emptyTestSession();
  s.pageUrl = 'http://127.0.0.1:8080/multi-reconnect.html';
  let at = T0;
  for (let i = 0; i < 4; i++) {
    const c = addConnection(s, { url: 'ws://127.0.0.1:8080/burst?count=2&every=200', createdAt: at });
    const open = c.openedAt!;
    send(c, open + 5, JSON.stringify({ type: 'subscribe', channel: 'prices' }));
    receive(c, open + 200, JSON.stringify({ type: 'update', n: 1 }));
    receive(c, open + 400, JSON.stringify({ type: 'update', n: 2 }));
    closeAt(c, open + 400 + 3000 + i * 7);
    at = c.close!.time + 500;
  }
  const live = addConnection(s, { url: 'ws://127.0.0.1:8080/echo?live', createdAt: T0 + 10 });
  for (let k = 1; k <= 15; k++) {
    send(live, live.openedAt! + k * 1000, JSON.stringify({ type: 'ping', seq: k }));
    receive(live, live.openedAt! + k * 1000 + 3, JSON.stringify({ type: 'pong', seq: k }));
  }
  const binary = addConnection(s, { url: 'ws://127.0.0.1:8080/binary', createdAt: T0 + 20 });
  receive(binary, binary.openedAt! + 10, 'AAECAwQFBgdISWk=', 2);
  receive(binary, binary.openedAt! + 20, '<img src=x onerror="alert(1)">');
  receive(binary, binary.openedAt! + 30, '42["chat",{"text":"hi"}]');
  return s;
}

/** Resets the store and loads `s` (analysed at once, as the throttle would after 500 ms). */
export function load(s: Session): Session {
  act(() => {
    clearFilters();
    collapsedChains.value = new Set();
    selectConnection(undefined);
    timelineView.value = undefined;
    timelineScope.value = 'all';
    detailView.value = 'json';
    link.value = 'live';
    replaceSession(s);
    runAnalysis();
  });
  return s;
}

export function mount(ui: ComponentChildren): HTMLElement {
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  act(() => render(ui, container));
  return container;
}

export function flush(run: () => void): void {
  act(run);
}

export function click(element: Element | null | undefined): void {
  if (!element) throw new Error('nothing to click');
  act(() => {
    element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
}

export function key(element: Element | null | undefined, keyName: string, init: KeyboardEventInit = {}): void {
  if (!element) throw new Error('nothing to press a key on');
  act(() => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key: keyName, bubbles: true, cancelable: true, ...init }));
  });
}

export function type(input: Element | null | undefined, value: string): void {
  if (!(input instanceof HTMLInputElement)) throw new Error('not an input');
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export function byText(root: ParentNode, selector: string, text: string | RegExp): HTMLElement {
  const found = [...root.querySelectorAll<HTMLElement>(selector)].find((el) => (typeof text === 'string' ? el.textContent?.includes(text) : text.test(el.textContent ?? '')));
  if (!found) throw new Error(`no ${selector} with ${String(text)}`);
  return found;
}
