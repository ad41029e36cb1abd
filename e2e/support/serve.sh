#!/usr/bin/env bash
# Starts the real vfioscope server for the browser tests: a fresh data dir per
# port, the fixed test tokens, the given sim scenario. Builds the web UI first
# when it is missing (e2e/run.sh builds it up front).
# Usage: serve.sh SCENARIO PORT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scenario="$1"
port="$2"
if [ ! -f apps/web/dist/index.html ]; then
  pnpm --filter @vfioscope/web build >&2
fi
data="${TMPDIR:-/tmp}/vfioscope-e2e-$port"
rm -rf "$data"
mkdir -p "$data"
# `pnpm vfioscope serve` without pnpm's own start-up: the built CLI, rebuilt first if a source is newer
exec node apps/server/vfioscope.mjs serve --scenario "$scenario" --listen "127.0.0.1:$port" \
  --data-dir "$data" --token-file e2e/fixtures/tokens.txt
