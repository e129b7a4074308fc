#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: system packages (Chromium,
# Firefox ESR, nginx), npm dependencies, the build, then the demo.
#   bash scripts/setup.sh            install, build, run the demo (headless without a display)
#   bash scripts/setup.sh --no-demo  install and build only (what CI uses)
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
[ "${1:-}" = "--no-demo" ] && run_demo=0

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing system packages: ${missing[*]}"
  if command -v apt-get >/dev/null; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
  else
    echo "error: ${missing[*]} missing and no apt-get here; install them with your package manager" \
         "(Chromium at /usr/bin/chromium or CHROMIUM_PATH, Firefox ESR at /usr/bin/firefox-esr or FIREFOX_PATH, nginx at /usr/sbin/nginx or NGINX_PATH)." >&2
    exit 1
  fi
fi

echo "== npm ci"
npm ci --no-audit --no-fund
echo "== build (dist/chrome, dist/firefox, dist/cli)"
npm run build

if [ $run_demo -eq 1 ]; then
  if [ -n "${DISPLAY:-}" ]; then npm run demo; else npm run demo -- --headless; fi
fi
