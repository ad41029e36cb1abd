#!/usr/bin/env bash
# The one command that starts the dashboard: on the simulated host by default.
# Extra arguments go to `vfioscope serve` (e.g. --backend linux, --scenario storm).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec pnpm --silent vfioscope serve "$@"
