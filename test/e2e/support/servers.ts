// Real servers for the end-to-end tests, on ephemeral loopback ports: an HTTP
// server for the fixture pages and a `ws` WebSocket server with one behaviour
// per path. Every test file starts its own and closes it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'pages');

export interface TestServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** ws://127.0.0.1:PORT */
  wsOrigin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * WebSocket behaviours by path:
 * - /echo: echoes text and binary as received.
 * - /close?code=4001&reason=bye&after=ms: the server sends a close frame.
 * - /drop?after=ms: the server cuts TCP without a close frame (page sees 1006).
 * - /reject: the handshake is refused with 403.
 * - /silent: accepts and never says anything.
 * - /burst?count=3&every=100: sends `count` messages `every` ms apart, then falls silent (echoes what it gets).
 * - /watchdog?timeout=900&mode=code|drop: a server-side heartbeat timeout: when the page has sent nothing for
 *   `timeout` ms, closes with 4008 (mode=code) or cuts TCP (mode=drop).
 * - /socket.io/: left to a socket.io server attached through `attach`.
 *
 * Server-sent events (GET, text/event-stream) at /sse (see serveEventStream).
 */
export async function startServer(options: { host?: string; pagesDir?: string; attach?: (server: Server) => void } = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const pagesDir = options.pagesDir ?? FIXTURES_DIR;
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (request, response) => {
    if (request.url?.startsWith('/socket.io/')) return; // served by the attached socket.io server
    if (request.url?.startsWith('/sse')) return serveEventStream(request, response, new URL(request.url, 'http://x'));
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(pagesDir, path === '/' ? 'index.html' : path));
      const type = path.endsWith('.html') ? 'text/html; charset=utf-8' : path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  options.attach?.(server);
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/socket.io/')) return;
    if (url.pathname === '/reject') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => behave(ws, url, socket as Socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    wsOrigin: `ws://${host}:${port}`,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * An event stream. Query: `heartbeat=ms`: a comment line every ms (comments never reach the page); `every=ms&count=n`:
 * n events, ids from 1, every other one named `update`; `end=1`: ends the response after them (the browser
 * reconnects, sending Last-Event-ID); a request that carries Last-Event-ID gets `data: resumed <id>` and, with
 * `end=1`, a 204 the second time (the browser then gives up: CLOSED). `status=N`: answers N, no stream.
 * `retry=ms`: a `retry:` field first. Without any: headers only, then silence (a proxy's idle timeout ends it). Always `X-Accel-Buffering: no`.
 */
function serveEventStream(request: IncomingMessage, response: import('node:http').ServerResponse, url: URL): void {
  const status = Number(url.searchParams.get('status') ?? '200');
  const lastId = request.headers['last-event-id'];
  const end = url.searchParams.get('end') === '1';
  if (status !== 200 || (end && lastId === 'resumed')) {
    response.writeHead(status === 200 ? 204 : status, { 'content-type': 'text/plain' });
    response.end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  response.flushHeaders();
  const timers: NodeJS.Timeout[] = [];
  response.on('close', () => timers.forEach((t) => clearInterval(t)));
  if (lastId !== undefined) {
    response.write(`retry: 200\nid: resumed\ndata: resumed ${String(lastId)}\n\n`);
    if (end) response.end();
    return;
  }
  const retry = url.searchParams.get('retry');
  if (retry) response.write(`retry: ${Number(retry)}\n\n`);
  const heartbeat = Number(url.searchParams.get('heartbeat') ?? '0');
  if (heartbeat > 0) timers.push(setInterval(() => response.write(': heartbeat\n\n'), heartbeat));
  const every = Number(url.searchParams.get('every') ?? '0');
  const count = Number(url.searchParams.get('count') ?? '0');
  if (count > 0) {
    response.write('retry: 200\n\n');
    let sent = 0;
    const timer = setInterval(() => {
      sent++;
      response.write(`id: ${sent}\n${sent % 2 === 0 ? 'event: update\n' : ''}data: event ${sent}\n\n`);
      if (sent === count) {
        clearInterval(timer);
        if (end) response.end();
      }
    }, every);
    timers.push(timer);
  }
}

function behave(ws: WebSocket, url: URL, socket: Socket): void {
  const after = Number(url.searchParams.get('after') ?? '0');
  switch (url.pathname) {
    case '/echo':
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      break;
    case '/close':
      setTimeout(() => ws.close(Number(url.searchParams.get('code') ?? '1000'), url.searchParams.get('reason') ?? ''), after);
      break;
    case '/drop':
      // destroy() without a close frame: the browser sees 1006, wasClean false, no error event.
      setTimeout(() => socket.destroy(), after);
      break;
    case '/silent':
      break;
    case '/watchdog': {
      const timeoutMs = Number(url.searchParams.get('timeout') ?? '900');
      let lastHeardAt = Date.now();
      ws.on('message', () => (lastHeardAt = Date.now()));
      const timer = setInterval(() => {
        if (Date.now() - lastHeardAt <= timeoutMs) return;
        clearInterval(timer);
        if (url.searchParams.get('mode') === 'drop') socket.destroy();
        else ws.close(4008, 'heartbeat timeout');
      }, 25);
      ws.on('close', () => clearInterval(timer));
      break;
    }
    case '/burst': {
      const count = Number(url.searchParams.get('count') ?? '3');
      const every = Number(url.searchParams.get('every') ?? '100');
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= count || ws.readyState !== ws.OPEN) return clearInterval(timer);
        ws.send(JSON.stringify({ type: 'update', n: ++sent }));
      }, every);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('close', () => clearInterval(timer));
      break;
    }
    default:
      ws.close(1008, 'unknown test path');
  }
}
