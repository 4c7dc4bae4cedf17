#!/usr/bin/env bash
# The README's second command: install everything, then run every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null || npm i -g pnpm@10
# sqlite3 compiles from source; node-gyp must use the machine's Node headers, not download them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm test
