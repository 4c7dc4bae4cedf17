#!/usr/bin/env bash
# The README's second command: install everything, then run every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
command -v pnpm >/dev/null || npm i -g pnpm@10
# The browser test drives Debian's Chromium; the Redis cache backend is tested on a real redis-server.
if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver redis-server >/dev/null
fi
pnpm install --frozen-lockfile
pnpm test
