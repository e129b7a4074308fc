// Bench servers on an ephemeral loopback port: static pages from bench/pages
// and a `ws` server.
//
// /blast?count=N&size=B&binary=0|1 answers a "go" from the page with N
// messages of B bytes, as fast as the machine can: the frames are encoded
// once (server frames are unmasked and there is no compression) and written
// to the socket in one call, so the server is never what the page waits for.
// &then=M&every=MS adds a trickle after the blast: M messages, one every MS ms.
// /sink?expect=N counts what the page sends and answers "got N" once it has
// all of it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { WebSocketServer } from 'ws';

const frameCache = new Map();

/** Server-to-client frames (RFC 6455 §5.2): FIN + opcode, unmasked length, payload. */
function encodeFrames(count, size, binary) {
  const key = `${count}:${size}:${binary}`;
  if (frameCache.has(key)) return frameCache.get(key);
  const header = size < 126 ? 2 : size < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(count * (header + size));
  let at = 0;
  const filler = Buffer.alloc(size, binary ? 0xa5 : 0x78); // 'x'
  for (let i = 0; i < count; i++) {
    out[at] = 0x80 | (binary ? 2 : 1);
    if (header === 2) out[at + 1] = size;
    else if (header === 4) {
      out[at + 1] = 126;
      out.writeUInt16BE(size, at + 2);
    } else {
      out[at + 1] = 127;
      out.writeBigUInt64BE(BigInt(size), at + 2);
    }
    at += header;
    filler.copy(out, at);
    // Each message is distinct: its number at the start.
    if (binary) out.writeUInt32BE(i, at);
    else out.write(`m${i} `, at, 'latin1');
    at += size;
  }
  frameCache.set(key, out);
  return out;
}

export async function startBenchServer(pagesDir) {
  // POST /report?run=ID: a workload page's timings (see bench/pages/*.html), awaited by waitReport(ID).
  const reports = new Map();
  const waiters = new Map();
  // POST /mark?run=ID: the page is about to start its traffic (it awaits the answer, then sends "go" or starts
  // sending). The function registered with atMark(ID) runs before the answer, so its reading (the browser's CPU)
  // is taken while the page waits, between the socket's open and its traffic.
  const markers = new Map();
  const marks = new Map();
  const server = createServer(async (request, response) => {
    if (request.method === 'POST' && request.url?.startsWith('/mark?')) {
      const run = new URL(request.url, 'http://x').searchParams.get('run');
      const marker = markers.get(run);
      markers.delete(run);
      // A marker may be async (bench:threads --reader=closed stops the reading first): the page waits for it.
      if (marker) marks.set(run, await marker());
      response.writeHead(204, { 'access-control-allow-origin': '*' });
      response.end();
      return;
    }
    if (request.method === 'POST' && request.url?.startsWith('/report?')) {
      const run = new URL(request.url, 'http://x').searchParams.get('run');
      let body = '';
      for await (const chunk of request) body += chunk;
      reports.set(run, JSON.parse(body));
      waiters.get(run)?.();
      response.writeHead(204, { 'access-control-allow-origin': '*' });
      response.end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(pagesDir, path));
      const headers = { 'content-type': path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript', 'cache-control': 'no-store' };
      // ?isolated: a cross-origin isolated page, whose performance.now() is precise to 5 µs instead of 100 µs
      // (the hook's evaluation time, about a millisecond, would otherwise be counted in tenths).
      if (new URL(request.url ?? '/', 'http://x').searchParams.has('isolated')) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      response.writeHead(200, headers);
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://x');
    wss.handleUpgrade(request, socket, head, (ws) => behave(ws, url, socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    wsOrigin: `ws://127.0.0.1:${port}`,
    /** Runs `read` when the page of run `run` marks the start of its traffic; takeMark(run) returns what it returned. */
    atMark(run, read) {
      markers.set(run, read);
    },
    /** What atMark's function returned for run `run` (undefined if the page never marked), forgotten after. */
    takeMark(run) {
      const mark = marks.get(run);
      marks.delete(run);
      markers.delete(run);
      return mark;
    },
    /** The report a page posts when its run is over. */
    async waitReport(run, timeoutMs = 60_000) {
      if (!reports.has(run)) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no report from the page of run ${run} within ${timeoutMs} ms`)), timeoutMs);
          waiters.set(run, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      waiters.delete(run);
      const report = reports.get(run);
      reports.delete(run);
      return report;
    },
    /** Encodes a blast ahead of time, so the first run does not pay for it. */
    prepare: encodeFrames,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function behave(ws, url, socket) {
  const param = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
  if (url.pathname === '/blast') {
    const frames = encodeFrames(param('count', 1000), param('size', 100), param('binary', 0) === 1);
    // &then=M&every=MS: after the blast, M more messages of the same size, one every MS ms (a steady trickle).
    const then = param('then', 0);
    const every = param('every', 100);
    ws.on('message', (data) => {
      if (String(data) !== 'go') return;
      // Nothing else is being sent on this socket while the blast is written: raw frames are safe.
      socket.write(frames);
      if (!then) return;
      const one = encodeFrames(1, param('size', 100), param('binary', 0) === 1);
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(one);
        if (++sent === then) clearInterval(timer);
      }, every);
    });
  } else if (url.pathname === '/sink') {
    const expected = param('expect', 1);
    let received = 0;
    ws.on('message', () => {
      if (++received === expected) ws.send(`got ${received}`);
    });
  } else ws.close(1008, 'unknown bench path');
}
