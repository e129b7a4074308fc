// Debian's nginx as a real WebSocket proxy with a short idle timeout, with its
// own config in a temporary prefix, on an ephemeral loopback port. Shared by
// the demo (scripts/demo.mjs) and the end-to-end tests (test/e2e/support/nginx.ts).
// When the timeout fires, nginx closes TCP without a close frame: the page sees 1006.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_PATH = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** A loopback port free right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts nginx proxying everything (with the WebSocket upgrade) to `upstreamPort`.
 * `extraLocations`: more nginx `location` blocks for the server, before the catch-all
 * (`${upstream}` in them is replaced by the upstream address).
 * Resolves to { origin, wsOrigin, port, readTimeoutMs, version, close() }.
 */
export async function startNginx(upstreamPort, { readTimeoutMs = 3000, writtenBy = 'SocketScope', extraLocations = '' } = {}) {
  if (!existsSync(NGINX_PATH)) {
    throw new Error(`${NGINX_PATH} is missing: install Debian's nginx with \`apt-get install nginx\` (bash .ci/run does it), or set NGINX_PATH.`);
  }
  const prefix = mkdtempSync(join(tmpdir(), 'socketscope-nginx-'));
  mkdirSync(join(prefix, 'tmp'));
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `# Written by ${writtenBy}; deleted when it ends.
master_process off;
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
${extraLocations.replaceAll('${upstream}', `127.0.0.1:${upstreamPort}`)}
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      # Production's default is 60 s; a short one makes the drops quick to see.
      proxy_read_timeout ${readTimeoutMs}ms;
      proxy_send_timeout ${readTimeoutMs}ms;
    }
  }
}
`,
  );
  const child = spawn(NGINX_PATH, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await Promise.race([
      waitForPort(port, 5000),
      exited.then(() => {
        throw new Error(`nginx exited at start: ${stderr.trim() || readFileSafe(join(prefix, 'error.log'))}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  const version = spawnSync(NGINX_PATH, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
  return {
    origin: `http://127.0.0.1:${port}`,
    wsOrigin: `ws://127.0.0.1:${port}`,
    port,
    readTimeoutMs,
    version,
    async close() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
