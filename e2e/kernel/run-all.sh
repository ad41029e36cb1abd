#!/usr/bin/env bash
# The real-kernel suite of `npm test` (scripts/test.sh), and its one entry point for a
# developer: run.sh on each guest in turn, each guest's result printed, non-zero if any failed.
#   6.1         Debian's 6.1, the legacy type1 container
#   6.12-cdev   Linux 6.12 (built from Debian's linux-source-6.12 on first use, then cached:
#               build-kernel-6.12.sh), iommufd + the VFIO device cdev
# and with VFIOSCOPE_ALL_IOMMU_MODES=1 also the other two 6.12 modes:
#   6.12-type1  /dev/vfio/vfio served by vfio_iommu_type1
#   6.12-compat /dev/vfio/vfio served by iommufd's compat code
# Those two cost a guest run each (a few minutes under TCG) for paths that 6.1 (type1) and
# 6.12-cdev (the compat module tree) mostly cover, so they stay out of the default run.
# Then each live step's recording of its server (<out>/live.vfr, written by live-check.ts) on 6.1
# (type1) and 6.12-cdev (iommufd) is replayed in the browser: e2e/tests/replay-kernel.spec.ts through
# e2e/run.sh, for each of the two guests that ran the live step; a missing recording fails it (#14 §2).
# Usage: [VFIOSCOPE_ALL_IOMMU_MODES=1] [VFIOSCOPE_GUESTS="6.1 6.12-compat"] e2e/kernel/run-all.sh [step ...]
#   VFIOSCOPE_GUESTS names the guests outright; the steps go to every guest (default: run.sh's).
set -uo pipefail
# read whole before it runs (it runs for many minutes; the file may change under it)
{
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
guests="${VFIOSCOPE_GUESTS:-}"
if [ -z "$guests" ]; then
  guests="6.1 6.12-cdev"
  [ "${VFIOSCOPE_ALL_IOMMU_MODES:-}" = 1 ] && guests="$guests 6.12-type1 6.12-compat"
fi
results=()
failed=0
t_all=$SECONDS
for g in $guests; do
  echo "[kernel-all] ===== guest $g ====="
  t0=$SECONDS
  # one guest failing does not stop the next: every guest's result is worth seeing
  if VFIOSCOPE_GUEST="$g" bash "$HERE/run.sh" "$@"; then res=PASS; else res=FAIL; failed=$((failed + 1)); fi
  results+=("$res $g ($((SECONDS - t0)) s)")
done
# after the guests, so the browser has the machine to itself (it replays a file: no guest needed); the
# other two 6.12 modes drive the same legacy path as 6.1 and the same kernel as 6.12-cdev: left out
if [ $# -eq 0 ] || [[ " $* " == *" live "* ]]; then
  for g in $guests; do
    case "$g" in 6.1) out="$HERE/.work/out" ;; 6.12-cdev) out="$HERE/.work/guest-$g/out" ;; *) continue ;; esac
    echo "[kernel-all] ===== the $g guest's recording, replayed in the browser ====="
    t0=$SECONDS
    if VFIOSCOPE_KERNEL_RECORDING="$out/live.vfr" bash "$HERE/../run.sh" tests/replay-kernel.spec.ts; then res=PASS; else res=FAIL; failed=$((failed + 1)); fi
    results+=("$res replay of $g's live.vfr ($((SECONDS - t0)) s)")
  done
fi
echo "[kernel-all] guests ($((SECONDS - t_all)) s in all):"
printf '  %s\n' "${results[@]}"
[ "${VFIOSCOPE_ALL_IOMMU_MODES:-}" = 1 ] || [ -n "${VFIOSCOPE_GUESTS:-}" ] ||
  echo "[kernel-all] (6.12-type1 and 6.12-compat run with VFIOSCOPE_ALL_IOMMU_MODES=1)"
echo "guests and replay: $(( ${#results[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
exit
}
