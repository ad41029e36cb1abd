#!/usr/bin/env bash
# The one command that starts the dashboard: on the simulated host by default.
# Extra arguments go to `vfioscope serve` (e.g. --backend linux, --scenario storm).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
# the CLI bootstrap.sh just built (`pnpm vfioscope serve` runs the same, after pnpm's own ~1 s start-up)
exec node apps/server/dist/vfioscope.js serve "$@"
