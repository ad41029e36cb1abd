#!/usr/bin/env bash
# Runs every benchmark (bench/*.bench.ts) and prints its figures; compare them
# with bench/baselines/. Benchmarks measure, they never fail a build.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.bench.ts; do
  printf '\n== %s\n' "$b"
  pnpm exec tsx "$b"
done
