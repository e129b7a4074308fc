// Capture in real Chromium with the built extension, against real `ws` servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Connection, Message, Session } from '../../src/core/model';
import { startServer, type TestServer } from './support/servers';
import { launchWithExtension, openPanel, waitForSession, type ExtensionBrowser } from './support/chromium';

let server: TestServer;
let crossServer: TestServer;
let browser: ExtensionBrowser;
let page: Page;

const byUrl = (session: Session, fragment: string): Connection | undefined => session.connections.find((c) => c.url.includes(fragment));
const closedSocket = (fragment: string) => (session: Session) => byUrl(session, fragment)?.close !== undefined;

beforeAll(async () => {
  server = await startServer();
  // A different host and port: a different origin, for the cross-origin iframe.
  crossServer = await startServer({ host: 'localhost' });
  browser = await launchWithExtension();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/capture.html`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await crossServer?.close();
});

describe('capture in Chromium', () => {
  it('captures a socket opened by the first inline <head> script', async () => {
    const { session } = await waitForSession(browser, (s) => (byUrl(s, '/echo?first')?.messages.length ?? 0) >= 2, 'the <head> socket and its echo');
    const first = byUrl(session, '/echo?first')!;
    expect(first.openedAt).toBeGreaterThan(first.createdAt);
    expect(first.messages.map((m) => [m.direction, m.preview])).toEqual([
      ['send', 'hello from head'],
      ['receive', 'hello from head'],
    ]);
    expect(first.frameUrl).toBe(`${server.origin}/capture.html`);
  });

  it('records text and binary echo with exact sizes and bytes, and a page close', async () => {
    const result = await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('echo'));
    expect(result).toEqual({ code: 1000, reason: 'done', wasClean: true });
    const { session } = await waitForSession(browser, (s) => s.connections.some((c) => c.url.endsWith('/echo') && c.close), 'the echo socket to close');
    const echo = session.connections.find((c) => c.url.endsWith('/echo'))!;
    const sent = echo.messages.filter((m) => m.direction === 'send');
    const received = echo.messages.filter((m) => m.direction === 'receive');
    expect(sent.map((m) => m.opcode)).toEqual([1, 2, 2, 2]);
    expect(sent[0].preview).toBe('plain text ✓ ünïcödé');
    expect(sent[0].size).toBe(new TextEncoder().encode('plain text ✓ ünïcödé').length);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(sent[1].preview, 'base64').equals(all)).toBe(true);
    expect(sent[1].size).toBe(256);
    // A subarray view sends only its own bytes.
    expect([...Buffer.from(sent[2].preview, 'base64')]).toEqual([8, 7, 6]);
    // A Blob is read asynchronously but recorded in order.
    expect([...Buffer.from(sent[3].preview, 'base64')]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(received.map((m) => m.preview)).toEqual(sent.map((m) => m.preview));
    expect(echo.messages.map((m) => m.index)).toEqual([...echo.messages.keys()]);
    expect(echo.close).toMatchObject({ code: 1000, reason: 'done', wasClean: true, initiator: 'page', requestedCode: 1000, requestedReason: 'done' });
  });

  it('records Blob messages received with the default binaryType', async () => {
    expect(await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('blobReceive'))).toBe('blob');
    const { session } = await waitForSession(browser, closedSocket('/echo?blob'), 'the blob socket');
    const [received, big] = byUrl(session, '/echo?blob')!.messages.filter((m) => m.direction === 'receive');
    expect(received.opcode).toBe(2);
    expect([...Buffer.from(received.preview, 'base64')]).toEqual([1, 2, 3]);
    expect(received.truncated).toBe(false);
    // Over the preview cap: its first 64 KiB, marked truncated, with the whole size.
    expect(big).toMatchObject({ opcode: 2, size: 70000, truncated: true });
    const bytes = Buffer.from(big.preview, 'base64');
    expect(bytes.length).toBe(65536);
    expect(bytes.every((byte, i) => byte === i % 251)).toBe(true);
  });

  it('reads a burst of Blobs together, each preview whole and in its place, without the page seeing an iteration', async () => {
    const { calls, sizes } = (await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('blobBurst'))) as { calls: number; sizes: number[] };
    expect(calls).toBe(0);
    const isBurst = (c: Connection) => c.url.endsWith('/echo?blob') && c.close !== undefined && c.messages.length === 2 * sizes.length;
    const { session } = await waitForSession(browser, (s) => s.connections.some(isBurst), 'the blob burst socket');
    const burst = session.connections.find(isBurst)!;
    const received = burst.messages.filter((m) => m.direction === 'receive');
    expect(received.map((m) => m.size)).toEqual(sizes);
    received.forEach((m, i) => {
      const expected = Array.from({ length: Math.min(sizes[i], 65536) }, (_, j) => (i * 7 + j) % 256);
      expect([...Buffer.from(m.preview, 'base64')], `message ${i}`).toEqual(expected);
      expect(m.truncated, `message ${i}`).toBe(sizes[i] > 65536);
    });
  });

  it('records a server close with an application code and reason', async () => {
    const result = await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('serverClose'));
    expect(result).toEqual({ code: 4001, reason: 'server says bye', wasClean: true });
    const { session } = await waitForSession(browser, closedSocket('/close?code=4001'), 'the server close');
    expect(byUrl(session, '/close?code=4001')!.close).toMatchObject({ code: 4001, reason: 'server says bye', wasClean: true, initiator: 'server' });
  });

  it('records a TCP drop without a close frame as 1006, abnormal, with no error', async () => {
    const result = await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('drop'));
    expect(result).toEqual({ code: 1006, reason: '', wasClean: false, errored: false });
    const { session } = await waitForSession(browser, closedSocket('/drop'), 'the dropped socket');
    const dropped = byUrl(session, '/drop')!;
    expect(dropped.close).toMatchObject({ code: 1006, wasClean: false, initiator: 'abnormal' });
    expect(dropped.openedAt).toBeDefined();
    expect(dropped.errorAt).toBeUndefined();
  });

  it('records a rejected handshake as an error with no open', async () => {
    const result = await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('reject'));
    expect(result).toEqual({ code: 1006, reason: '', wasClean: false, errored: true, opened: false });
    const { session } = await waitForSession(browser, closedSocket('/reject'), 'the rejected socket');
    const rejected = byUrl(session, '/reject')!;
    expect(rejected.openedAt).toBeUndefined();
    expect(rejected.errorAt).toBeDefined();
    expect(rejected.close).toMatchObject({ code: 1006, initiator: 'abnormal' });
  });

  it('records a page-initiated close with the code the page asked for', async () => {
    const result = await page.evaluate(() => (window as unknown as { run(name: string): Promise<unknown> }).run('pageClose'));
    expect(result).toEqual({ code: 4321, reason: 'client watchdog', wasClean: true });
    const { session } = await waitForSession(browser, closedSocket('/silent'), 'the page close');
    expect(byUrl(session, '/silent')!.close).toMatchObject({ initiator: 'page', requestedCode: 4321, requestedReason: 'client watchdog', code: 4321 });
  });

  it('captures sockets in a same-origin and a cross-origin iframe', async () => {
    const framesPage = await browser.context.newPage();
    await framesPage.goto(`${server.origin}/frames.html#${encodeURIComponent(crossServer.origin)}`);
    const { session } = await waitForSession(
      browser,
      (s) => closedSocket('/echo?same')(s) && closedSocket('/echo?cross')(s),
      'both iframe sockets to close',
    );
    const same = byUrl(session, '/echo?same')!;
    const cross = byUrl(session, '/echo?cross')!;
    expect(same.frameUrl).toBe(`${server.origin}/frame-child.html?same`);
    expect(cross.frameUrl).toBe(`${crossServer.origin}/frame-child.html?cross`);
    expect(cross.url.startsWith(crossServer.wsOrigin)).toBe(true);
    expect(same.frameId).not.toBe(cross.frameId);
    expect(same.frameId).not.toBe(0);
    for (const socket of [same, cross]) {
      expect(socket.messages.map((m) => m.direction)).toEqual(['send', 'receive']);
      expect(socket.close).toMatchObject({ code: 1000, initiator: 'page' });
    }
    await framesPage.close();
  });
});

describe('the Previews setting (Chromium)', () => {
  /** Opens /echo?{tag} with `binaryType`, sends text of 5,000 characters and 3,000 bytes, waits for both echoes, closes. */
  const echoPair = (tag: string, binaryType: BinaryType) =>
    page.evaluate(
      ({ url, binaryType }) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.binaryType = binaryType;
          let echoes = 0;
          ws.onopen = () => {
            ws.send('x'.repeat(5000));
            ws.send(new Uint8Array(3000).map((_, i) => i % 251));
          };
          ws.onmessage = () => {
            if (++echoes === 2) ws.close(1000);
          };
          ws.onclose = () => resolve();
          ws.onerror = () => reject(new Error('socket error'));
        }),
      { url: `${server.wsOrigin}/echo?${tag}`, binaryType },
    );
  const messagesOf = async (tag: string) => {
    const { session } = await waitForSession(browser, (s) => (byUrl(s, `/echo?${tag}`)?.messages.length ?? 0) === 4 && closedSocket(`/echo?${tag}`)(s), `the ${tag} echoes`);
    return byUrl(session, `/echo?${tag}`)!.messages;
  };
  /** The setting reaches the open page's hook asynchronously: echo pairs on new sockets until `reached` holds for one (at most 20). */
  const echoUntil = async (tag: string, binaryType: BinaryType, reached: (messages: Message[]) => boolean): Promise<Message[]> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      await echoPair(`${tag}${attempt}`, binaryType);
      const messages = await messagesOf(`${tag}${attempt}`);
      if (reached(messages)) return messages;
    }
    throw new Error(`the Previews setting never reached the hook (${tag})`);
  };

  it('bounds every later preview, text, ArrayBuffer and Blob, to the size chosen in the panel, in the open page', async () => {
    const { tabId } = await waitForSession(browser, (s) => s.pageUrl?.endsWith('/capture.html') === true, 'the capture page');
    const panel = await openPanel(browser, tabId);
    try {
      const select = panel.getByLabel('Preview size');
      if (!(await select.isVisible())) await panel.getByRole('button', { name: 'More actions' }).click();
      expect(await select.inputValue()).toBe('65536');
      await select.selectOption('1024');
      await echoUntil('probe', 'arraybuffer', (messages) => messages[0].preview.length === 1024);
      await echoPair('kib', 'arraybuffer');
      await echoPair('kibblob', 'blob');
      for (const tag of ['kib', 'kibblob']) {
        const messages = await messagesOf(tag);
        // Whole sizes, and the first 1,024 characters or bytes, marked truncated, in both directions.
        expect(messages.map((m) => [m.opcode, m.size, m.truncated])).toEqual([
          [1, 5000, true],
          [2, 3000, true],
          [1, 5000, true],
          [2, 3000, true],
        ]);
        for (const m of messages) {
          if (m.opcode === 1) expect(m.preview).toBe('x'.repeat(1024));
          else expect([...Buffer.from(m.preview, 'base64')]).toEqual(Array.from({ length: 1024 }, (_, i) => i % 251));
        }
      }
      // Sizes only: no preview at all, every size still exact.
      await select.selectOption('0');
      const none = await echoUntil('none', 'blob', (messages) => messages.every((m) => m.preview === ''));
      expect(none.map((m) => [m.size, m.truncated])).toEqual([
        [5000, true],
        [3000, true],
        [5000, true],
        [3000, true],
      ]);
      // A new document gets the setting at its hello.
      await panel.reload();
      expect(await panel.getByLabel('Preview size').inputValue()).toBe('0');
    } finally {
      await panel.getByLabel('Preview size').selectOption('65536').catch(() => undefined);
      await panel.close();
    }
    // Back to the default: whole previews again.
    await echoUntil('whole', 'arraybuffer', (messages) => messages[0].preview.length === 5000);
  });
});
