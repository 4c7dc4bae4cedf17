#!/usr/bin/env bash
# The README's first command: install everything, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
command -v pnpm >/dev/null || npm i -g pnpm@10
pnpm install --frozen-lockfile
pnpm build
# The storefront: Fastify + database-per-domain on SQLite files (MD_ADAPTER, MD_ISOLATION, DATABASE_URL change it).
exec node examples/storefront/dist/main.js
