#!/usr/bin/env bash
# Starts the real vfioscope server for the browser tests: a fresh data dir per
# port, the fixed test tokens, the given sim scenario. Builds the web UI first
# when it is missing (e2e/run.sh builds it up front).
# Usage: serve.sh SCENARIO PORT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scenario="$1"
port="$2"
# VFIOSCOPE_E2E_WEB_DIR: a web build of its own (two runs on one machine must not rebuild each other's)
web="${VFIOSCOPE_E2E_WEB_DIR:-$PWD/apps/web/dist}"
if [ ! -f "$web/index.html" ]; then
  pnpm --filter @vfioscope/web exec vite build --outDir "$web" --emptyOutDir >&2
fi
data="${TMPDIR:-/tmp}/vfioscope-e2e-$port"
rm -rf "$data"
mkdir -p "$data"
# `pnpm vfioscope serve` without pnpm's own start-up: the built CLI, rebuilt first if a source is newer
exec node apps/server/vfioscope.mjs serve --scenario "$scenario" --listen "127.0.0.1:$port" \
  --data-dir "$data" --token-file e2e/fixtures/tokens.txt --web-dir "$web"
