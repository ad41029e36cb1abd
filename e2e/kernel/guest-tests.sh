#!/usr/bin/env bash
# Runs inside the QEMU guest (started by guest-init.sh in a chroot of the
# host's root, read-only, with /tmp a tmpfs). Each step's outcome goes to
# $OUT/summary.txt and its output to $OUT/<step>.log; the script's exit status
# is the number of failed steps. Steps: the names given with
# vfioscope.steps=a,b on the kernel command line, or the default set below.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/.work/out"
cd "$REPO"
# thousands of eventfds in the IRQ-read benchmark
ulimit -n 65536
export CI=1 NO_COLOR=1 FORCE_COLOR=0
export TSX_TSCONFIG_PATH="$REPO/tsconfig.json"

steps="$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vfioscope\.steps=//p' | tr ',' ' ')"
# irqbench and servestart are benchmarks: run them by name (run.sh irqbench), not by default
[ -n "$steps" ] || steps="tests compare live"

# RLIMIT_MEMLOCK only binds a process without CAP_IPC_LOCK (type1 skips the
# accounting check for it), so the tests drop that capability.
NOLOCK=(setpriv --bounding-set -ipc_lock --inh-caps -ipc_lock --)

vitest_kernel() {  # $1: step name, $2...: test file filters (none: every *.kernel.test.ts)
  local name="$1"; shift
  "${NOLOCK[@]}" node_modules/.bin/vitest run --config e2e/kernel/vitest.kernel.config.ts --configLoader runner \
    --reporter verbose --reporter json --outputFile.json "$OUT/$name.json" "$@"
  local rc=$?
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const f of r.testResults) {
      const n = (s) => f.assertionResults.filter((a) => a.status === s).length;
      console.log(`${f.name.replace(/.*\/src\//, "")}: ${n("passed")} passed, ${n("failed")} failed`);
    }' "$OUT/$name.json" | tee -a "$OUT/cases.txt"
  return $rc
}
# both kernel test files in one vitest run (one Node start-up less under TCG)
step_tests() { vitest_kernel tests; }
step_conformance() { vitest_kernel conformance linux.conformance.kernel.test.ts; }
step_observe() { vitest_kernel observe linux-observe.kernel.test.ts; }
step_irqbench() {
  export VFIOSCOPE_BENCH_WHERE="QEMU TCG guest, 2 vCPUs"
  gcc -O2 -o /tmp/irq-read-cost e2e/kernel/irq-read-cost.c &&
    "${NOLOCK[@]}" node_modules/.bin/tsx e2e/kernel/irq-read-bench.ts /tmp/irq-read-cost "$OUT/irq-read-cost.txt"
}
# the sim-vs-kernel behaviour probes (compare/probes.ts); run.sh diffs them against the sim
step_compare() { "${NOLOCK[@]}" node_modules/.bin/tsx e2e/kernel/compare/run-probes.ts linux "$OUT/probes-linux.json"; }
# an ad-hoc investigation script (e.g. comparing a sim answer with the kernel's): .work/probe.ts
step_probe() { "${NOLOCK[@]}" node_modules/.bin/tsx "$HERE/.work/probe.ts"; }
step_live() { "${NOLOCK[@]}" node_modules/.bin/tsx e2e/kernel/live-check.ts; }
# serve start-up in the guest (by name only: a benchmark): the built CLI 5 times, tsx once
step_servestart() {
  VFIOSCOPE_BENCH_WHERE="QEMU TCG guest, 2 vCPUs" node_modules/.bin/tsx bench/serve-start.bench.ts 5 --tsx-runs 1 --only built,tsx
}

failed=0
: >"$OUT/summary.txt"
for s in $steps; do
  echo "=== guest step $s"
  t0=$(date +%s.%N)
  "step_$s" > >(tee "$OUT/$s.log") 2>&1
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -eq 0 ]; then res=PASS; else
    res=FAIL; failed=$((failed + 1))
    # what the kernel saw (the console runs quiet) and how much memory was left
    { echo "--- step $s exited with $rc; kernel log tail and memory:"; dmesg | tail -25; free -m; } >>"$OUT/$s.log" 2>&1
  fi
  echo "$res $s (${secs}s)" | tee -a "$OUT/summary.txt"
done
exit $failed
