#!/usr/bin/env bash
# Brings a fresh checkout to a runnable state: pnpm, dependencies, the web
# build, the server CLI's build. Every step is skipped when already done, so a
# second run is fast. Sourced by start.sh and test.sh; writes only
# node_modules, apps/web/dist, apps/server/dist and a tool cache under
# $XDG_CACHE_HOME (never the user's global npm prefix).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION=9.15.9
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/vfioscope/tools"

log() { printf '\033[2m[setup]\033[0m %s\n' "$*" >&2; }

ensure_node() {
  command -v node >/dev/null || { echo "vfioscope needs Node.js 20.19+ (not found)" >&2; exit 1; }
  local v; v="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { echo "vfioscope needs Node.js 20.19+ (found $v)" >&2; exit 1; }
}

ensure_pnpm() {
  if command -v pnpm >/dev/null && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then return; fi
  if [ ! -x "$TOOLS/bin/pnpm" ] || [ "$("$TOOLS/bin/pnpm" --version)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION into $TOOLS"
    npm install --silent --no-fund --no-audit --prefix "$TOOLS" -g "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$TOOLS/bin:$PATH"
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.vfioscope-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/pnpm-lock.yaml"; then return; fi
  log "installing dependencies (pnpm install)"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent >&2)
  cp "$ROOT/pnpm-lock.yaml" "$stamp"
}

ensure_web_build() {
  local out="$ROOT/apps/web/dist/index.html"
  [ -f "$ROOT/apps/web/package.json" ] || return 0
  if [ -f "$out" ] && [ -z "$(find "$ROOT/apps/web/src" "$ROOT/apps/web/index.html" "$ROOT/packages/protocol/src" \
        -newer "$out" -print -quit 2>/dev/null)" ]; then return; fi
  log "building the web UI"
  (cd "$ROOT/apps/web" && pnpm exec vite build --logLevel warn >&2)
}

# the CLI as built JavaScript (apps/server/build.mjs: esbuild -> apps/server/dist/vfioscope.js);
# skipped when the bundle is newer than every file of apps/server/src and packages/*/src
# (and the build's other inputs: build.mjs, package.json files, the lockfile, tsconfig)
ensure_server_build() {
  [ -f "$ROOT/apps/server/build.mjs" ] || return 0
  if node "$ROOT/apps/server/build.mjs" --check; then return; fi
  log "building the server CLI (apps/server/dist)"
  node "$ROOT/apps/server/build.mjs" >&2
}

ensure_node
ensure_pnpm
ensure_deps
ensure_web_build
ensure_server_build
