// A real nginx in front of a test server: see scripts/lib/nginx.mjs, shared with the demo.
export { NGINX_PATH, freePort, startNginx, type NginxProxy } from '../../../scripts/lib/nginx.mjs';
