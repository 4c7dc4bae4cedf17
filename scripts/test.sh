#!/usr/bin/env bash
# The README's second command: install everything, then run every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null || npm i -g pnpm@10
# sqlite3 compiles from source; node-gyp must use the machine's Node headers, not download them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
# The browser test drives Debian's Chromium; the Redis cache backend is tested on a real redis-server.
if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver redis-server >/dev/null
fi
pnpm install --frozen-lockfile
pnpm test
