#!/usr/bin/env bash
# The README's first command: install everything, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null || npm i -g pnpm@10
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
# The storefront: Fastify + database-per-domain on SQLite files (MD_ADAPTER, MD_ISOLATION, DATABASE_URL change it).
exec node examples/storefront/dist/main.js
