#!/usr/bin/env bash
# The Prometheus suite: the shipped rules checked and unit-tested with promtool
# (each rule firing and held back on made-up series), the example scrape
# config's syntax, then the rules and the Grafana dashboard against a real
# Prometheus scraping the built server (live.test.ts). Prometheus is Debian's
# package, unpacked by setup.sh, never installed as a service.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

BIN="$(bash e2e/prometheus/setup.sh)"
export VFIOSCOPE_PROMETHEUS_BIN="$BIN"
"$BIN/promtool" check rules deploy/prometheus/vfioscope-rules.yml
"$BIN/promtool" test rules deploy/prometheus/vfioscope-rules.test.yml
"$BIN/promtool" check config --syntax-only deploy/prometheus/prometheus.yml
# the live check runs the built server (scripts/bootstrap.sh builds it; rebuilt here when stale)
node apps/server/build.mjs --check || node apps/server/build.mjs
exec pnpm exec vitest run --config e2e/prometheus/vitest.prometheus.config.ts "$@"
