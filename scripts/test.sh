#!/usr/bin/env bash
# The one command that runs the whole test suite: typecheck, lint and format
# (Biome), unit + API + sim-conformance tests, the alert rules and Grafana
# dashboard against a real Prometheus, browser tests in Debian's Chromium, and
# the real-kernel tests in QEMU guests (Linux 6.1 and 6.12). Installs what it
# needs (pnpm and dependencies, prometheus, chromium, qemu, a Debian kernel, the 6.12 kernel built once
# from Debian's source package) and skips what is done.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"

# The uapi test compiles a probe against the kernel's own vfio.h; the TLS test makes a certificate with openssl.
if ! command -v gcc >/dev/null || [ ! -f /usr/include/linux/vfio.h ] || ! command -v openssl >/dev/null; then
  log "installing gcc, linux-libc-dev and openssl (apt-get)"
  # a fresh machine's user is not root: ask sudo, as e2e/run.sh does for chromium
  SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc linux-libc-dev openssl >&2
fi
# ... and its iommufd / VFIO device-cdev part against Linux 6.12's headers (backports' linux-libc-dev, fetched once into the cache)
export VFIOSCOPE_HEADERS_612="$(bash scripts/headers-6.12.sh)"

passed=0; failed=0; failures=()
suite() {
  local name="$1"; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "-- $name: ok ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); failures+=("$name"); echo "-- $name: FAILED ($((SECONDS - t0)) s)"; fi
}

suite "typecheck" bash -c 'pnpm exec tsc -p tsconfig.json && pnpm exec tsc -p apps/web/tsconfig.json'
suite "lint and format (biome)" pnpm exec biome check .
suite "unit, API and sim conformance (vitest)" pnpm exec vitest run
suite "abuse (the built server on loopback, raw sockets)" pnpm exec vitest run --config e2e/abuse/vitest.abuse.config.ts
# Debian's prometheus (unpacked, never run as a service): promtool test rules, then the shipped rules and
# Grafana dashboard against a real Prometheus scraping sim servers (e2e/prometheus/run.sh)
suite "Prometheus rules and Grafana dashboard (promtool, a real Prometheus)" bash e2e/prometheus/run.sh
suite "browser (Playwright + Chromium)" bash e2e/run.sh
# Linux 6.1 (type1) and Linux 6.12 (iommufd + the device cdev; its kernel is built on first use and
# cached); VFIOSCOPE_ALL_IOMMU_MODES=1 adds 6.12's type1 and compat containers (e2e/kernel/README.md);
# then 6.1's and 6.12-cdev's recordings of their live step replayed in the browser (e2e/tests/replay-kernel.spec.ts)
suite "real kernel (QEMU guests)" bash e2e/kernel/run-all.sh

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed suite: %s\n' "${failures[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
