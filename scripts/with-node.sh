#!/usr/bin/env bash
# Runs a command with a Node.js >= 22.17 first on PATH (see node-env.sh): `pnpm bench` uses it.
set -euo pipefail
source "$(dirname "$0")/node-env.sh"
exec "$@"
