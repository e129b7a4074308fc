// Page-facing hardening through the real extension: a page that redefines
// Object.prototype.toJSON (which JSON.stringify consults for every array,
// the hook's batch columns included) to push times to 1e19 ms, and a page
// that opens many sockets with 60 KB URLs next to a quiet victim tab.
import { describe, expect, it } from 'vitest';
import { useServerAndChromium } from './support/setup';
import { openPanel, storedSessions, waitForSession } from './support/chromium';
import { MAX_PAGE_EVENTS_PER_TAB } from '../../src/core/limits';
import type { Session } from '../../src/core/model';

const env = useServerAndChromium();

function allTimes(session: Session): number[] {
  const times: number[] = [session.startedAt];
  for (const c of session.connections) {
    times.push(c.createdAt);
    for (const t of [c.openedAt, c.closedAt, c.errorAt, c.closeRequestedAt, c.close?.time]) if (t !== undefined) times.push(t);
    for (const m of c.messages) times.push(m.time);
  }
  for (const e of session.pageEvents) times.push(e.time);
  return times;
}

describe('hostile pages (Chromium)', () => {
  it('never stores a time a redefined toJSON pushed to 1e19 ms, and the panel stays responsive', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html`);
    await page.evaluate(() => {
      const inflate = (value: unknown): unknown => {
        if (typeof value === 'number' && value > 1e12) return 1e19;
        if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { time?: unknown }).time === 'number') return { ...(value as object), time: 1e19 };
        return value;
      };
      Object.defineProperty(Object.prototype, 'toJSON', {
        configurable: true,
        value(this: unknown) {
          return Array.isArray(this) ? this.map(inflate) : this;
        },
      });
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?hostile-times');
      ws.onopen = () => {
        for (let i = 0; i < 5; i++) ws.send(`m${i}`);
        setTimeout(() => {
          delete (Object.prototype as { toJSON?: unknown }).toJSON;
          // A second socket, recorded normally, shows the capture goes on.
          const after = new WebSocket(location.origin.replace('http', 'ws') + '/echo?after-hostile');
          after.onopen = () => after.close();
        }, 300);
      };
    });
    const { tabId, session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?after-hostile') && c.close), 'the socket after the hostile one');
    const limit = Date.now() + 24 * 60 * 60 * 1000;
    expect(allTimes(session).filter((t) => !(t > Date.UTC(2000, 0, 1) && t < limit))).toEqual([]);
    // Whatever the hook let through was refused and counted (or the hook kept its columns safe: then nothing is missing).
    const hostile = session.connections.find((c) => c.url.endsWith('/echo?hostile-times'));
    expect(session.dropped.rejected > 0 || (hostile?.messages.length ?? 0) >= 5).toBe(true);
    const panel = await openPanel(env.browser, tabId);
    await panel.locator('[role=status]').waitFor();
    expect(await panel.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 50)))).toBe(true);
    await panel.close();
    await page.close();
  });

  it('a tab opening 200 sockets with 60 KB URLs loses its own oldest connections, counted, and never stops another tab being stored', async () => {
    const victim = await env.browser.context.newPage();
    await victim.goto(`${env.server.origin}/ticker.html`);
    const ticker = (s: Session) => s.connections.find((c) => c.url.endsWith('/echo?ticker'));
    await waitForSession(env.browser, (s) => (ticker(s)?.messages.length ?? 0) > 10, 'the victim ticking');
    const attacker = await env.browser.context.newPage();
    await attacker.goto(`${env.server.origin}/blank.html`);
    await attacker.evaluate(() => {
      const base = location.origin.replace('http', 'ws') + '/echo?' + 'x'.repeat(60_000);
      for (let i = 0; i < 200; i++) {
        try {
          new WebSocket(`${base}&n=${i}`);
        } catch {
          /* the browser may refuse some */
        }
      }
    });
    const flooded = (s: Session) => s.connections.length + (s.dropped.droppedConnections ?? 0) >= 200;
    const { session: evil } = await waitForSession(env.browser, flooded, 'the attacker\'s 200 sockets', 30_000);
    expect(evil.dropped.droppedConnections).toBeGreaterThan(0);
    // The victim's stored records keep growing after the flood, and nothing of it was dropped.
    const before = ticker((await waitForSession(env.browser, (s) => ticker(s) !== undefined, 'the victim')).session)!.messages.length;
    const { session: after } = await waitForSession(env.browser, (s) => (ticker(s)?.messages.length ?? 0) > before + 20, 'the victim to keep being stored', 10_000);
    expect(after.dropped).toEqual({ messages: 0, previews: 0, rejected: 0 });
    await attacker.close();
    await victim.close();
  });

  it('keeps a page flooding synthetic page events to the per-tab cap, counting the rest, and stays responsive', async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.origin}/blank.html`);
    const FLOOD = 30_000;
    await page.evaluate(async (count) => {
      // Page-context listeners start with the page's first socket.
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/echo?flood');
      await new Promise((resolve) => (ws.onopen = resolve));
      for (let i = 0; i < count; i++) {
        dispatchEvent(new Event(i % 2 ? 'online' : 'offline'));
        if (i % 5000 === 4999) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const after = new WebSocket(location.origin.replace('http', 'ws') + '/echo?after-flood');
      after.onopen = () => after.close();
    }, FLOOD);
    const { session } = await waitForSession(env.browser, (s) => s.connections.some((c) => c.url.endsWith('/echo?after-flood') && c.close), 'the socket after the flood', 30_000);
    const flooded = session.pageEvents.filter((e) => e.type === 'online' || e.type === 'offline').length;
    expect(session.pageEvents.length).toBeLessThanOrEqual(MAX_PAGE_EVENTS_PER_TAB);
    // Every synthetic event is either kept, dropped by the cap, or refused, all counted; or the hook ignored untrusted events altogether.
    if (flooded > 0) expect(flooded + (session.dropped.droppedPageEvents ?? 0) + session.dropped.rejected).toBeGreaterThanOrEqual(FLOOD);
    const began = Date.now();
    await storedSessions(env.browser);
    expect(Date.now() - began).toBeLessThan(2000);
    await page.close();
  });
});
