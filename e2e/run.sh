#!/usr/bin/env bash
# Browser tests: Debian's Chromium (installed here if missing — Playwright's
# own download is not used), a fresh web build, the server CLI's build when
# stale, then Playwright against the real server on the sim (started by
# playwright.config.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing chromium (apt-get)" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2  # sudo's env_reset would drop a prefix
fi

# VFIOSCOPE_E2E_WEB_DIR (and VFIOSCOPE_E2E_PORT): a build and ports of its own, for a second run on this machine
web="${VFIOSCOPE_E2E_WEB_DIR:-$PWD/apps/web/dist}"
pnpm --filter @vfioscope/web exec vite build --outDir "$web" --emptyOutDir
# the server CLI (support/serve.sh runs it): built once here, not by each server Playwright starts
node apps/server/build.mjs --check || node apps/server/build.mjs
exec pnpm --dir e2e exec playwright test -c playwright.config.ts "$@"
