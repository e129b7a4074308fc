// nginx for the handshake tests: the usual WebSocket proxy, plus a path nginx
// answers 404 itself, and a route that forgets the upgrade headers (so the
// Socket.IO backend behind it gets a plain GET and answers 400).
import { Server as SocketIoServer } from 'socket.io';
import { startServer, type TestServer } from './servers';
import { startNginx, type NginxProxy } from './nginx';

export const READ_TIMEOUT_MS = 3000;
/** Set on the page's origin before any socket opens; must appear nowhere SocketScope keeps or writes. */
export const COOKIE_VALUE = 'cookieSecretZ9q7x5w3';
export const MISSING_PATH = '/missing-ws';
/** Socket.IO (websocket transport only) behind a location without `proxy_set_header Upgrade`. */
export const NO_UPGRADE_PATH = '/no-upgrade/socket.io/?EIO=4&transport=websocket';

export interface HandshakeRig {
  server: TestServer;
  nginx: NginxProxy;
  close(): Promise<void>;
}

export async function startHandshakeRig(): Promise<HandshakeRig> {
  let io: SocketIoServer | undefined;
  const server = await startServer({ attach: (http) => (io = new SocketIoServer(http, { transports: ['websocket'] })) });
  const nginx = await startNginx(server.port, {
    readTimeoutMs: READ_TIMEOUT_MS,
    extraLocations: `
    location = ${MISSING_PATH} { return 404; }
    # The classic mistake: no proxy_http_version 1.1, no Upgrade/Connection headers.
    location /no-upgrade/ { proxy_pass http://\${upstream}/; }`,
  });
  return {
    server,
    nginx,
    async close() {
      await nginx.close();
      io?.close();
      await server.close();
    },
  };
}
