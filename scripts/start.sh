#!/usr/bin/env bash
# The README's first command: install everything, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null || npm i -g pnpm@10
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
exec node examples/concepts/dist/main.js
