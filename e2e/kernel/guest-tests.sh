#!/usr/bin/env bash
# Runs inside the QEMU guest (started by guest-init.sh in a chroot of the
# host's root, read-only, with /tmp a tmpfs). Each step's outcome goes to
# $OUT/summary.txt and its output to $OUT/<step>.log; the script's exit status
# is the number of failed steps. Steps: the names given with
# vfioscope.steps=a,b on the kernel command line, or the default set below.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cmdline_arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
# run.sh's output directory for this guest (.work/out, .work/guest-<guest>/out)
OUT="$(cmdline_arg vfioscope.out)"
[ -n "$OUT" ] || OUT="$HERE/.work/out"
cd "$REPO"
# thousands of eventfds in the IRQ-read benchmark
ulimit -n 65536
export CI=1 NO_COLOR=1 FORCE_COLOR=0
export TSX_TSCONFIG_PATH="$REPO/tsconfig.json"
# the IOMMU path every step drives (the conformance suite, the probes, the live server):
# the native iommufd one (IOAS + device cdev) in the cdev guest, the legacy container
# (type1, or iommufd's compat code in the compat guest) everywhere else
case "$(cmdline_arg vfioscope.mode)" in
  cdev) export VFIOSCOPE_IOMMU=iommufd ;;
  *) export VFIOSCOPE_IOMMU=type1 ;;
esac

steps="$(cmdline_arg vfioscope.steps | tr ',' ' ')"
# irqbench, servestart, streamgap, dmabench, dmaprofile and irqpixel are benchmarks, modes a check of the guest kernel itself: run
# them by name (run.sh irqbench), not by default
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
# its recording of the server goes to $OUT/live.vfr for the host's replay spec
step_live() { VFIOSCOPE_KERNEL_OUT="$OUT" "${NOLOCK[@]}" node_modules/.bin/tsx e2e/kernel/live-check.ts; }
# serve start-up in the guest (by name only: a benchmark): the built CLI 5 times, tsx once
# the stream's longest gap while a 256 MiB DMA map pins its pages (by name only: a benchmark);
# as root with RLIMIT_MEMLOCK raised, so the map is not refused
step_streamgap() {
  (ulimit -l unlimited && VFIOSCOPE_BENCH_WHERE="QEMU TCG guest, 2 vCPUs, $(uname -r)" node_modules/.bin/tsx bench/stream-gap.bench.ts 256)
}
# DMA map cost through the Host API against the same ioctls in C (by name only: a benchmark,
# bench/dma-vs-c.bench.ts); as root with RLIMIT_MEMLOCK raised for the 256 MiB pin, and with
# transparent huge pages off for the run, so both sides pin 4 KiB pages
step_dmabench() {
  local thp=/sys/kernel/mm/transparent_hugepage/enabled was
  was="$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$thp" 2>/dev/null)"
  [ -n "$was" ] && echo never >"$thp"
  gcc -O2 -o /tmp/dma-pair-cost e2e/kernel/dma-pair-cost.c &&
    (ulimit -l unlimited && VFIOSCOPE_BENCH_WHERE="QEMU $(cmdline_arg vfioscope.accel | tr a-z A-Z) guest, 2 vCPUs, $(uname -r)" node_modules/.bin/tsx bench/dma-vs-c.bench.ts /tmp/dma-pair-cost "$OUT/dma-vs-c.txt")
  local rc=$?
  [ -n "$was" ] && echo "$was" >"$thp"
  return $rc
}
# the built server on the linux backend for the host's browser (by name only: bench/irq-to-pixel.bench.ts
# --guest starts it). It listens on the port run.sh forwards from the host (vfioscope.fwd_port, given
# with VFIOSCOPE_GUEST_FWD_PORT; non-loopback, hence --insecure-http: only the host reaches slirp's
# 10.0.2.15), serves the web build the host made in .work/irqpixel-web, and writes its operator token
# to $OUT/irqpixel.token. It serves until the host writes $OUT/irqpixel.stop (or 1500 s, inside run.sh's
# 1800 s default), then stops the server and leaves its audit log, whose stamps the bench reads, in
# $OUT/irqpixel-audit.log. Meanwhile, once a second, $OUT/irqpixel-cpu.txt gets the guest's clock, the
# server's utime + stime (clock ticks, /proc/PID/stat fields 14 and 15) and the guest's load average:
# the server's own CPU, which the host sees only as QEMU's.
step_irqpixel() {
  local port web data token pid rc waited=0
  port="$(cmdline_arg vfioscope.fwd_port)"
  web="$HERE/.work/irqpixel-web"
  [ -n "$port" ] || { echo "irqpixel: no vfioscope.fwd_port: run.sh adds the NIC with VFIOSCOPE_GUEST_FWD_PORT=P"; return 2; }
  [ -f "$web/index.html" ] || { echo "irqpixel: no web build in $web (the bench makes it on the host)"; return 2; }
  data=/tmp/vfioscope-irqpixel
  mkdir -p "$data"
  token="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  echo "operator:$token" >"$data/tokens"
  echo "$token" >"$OUT/irqpixel.token"
  node apps/server/dist/vfioscope.js serve --backend linux --iommu "$VFIOSCOPE_IOMMU" --listen "0.0.0.0:$port" \
    --insecure-http --token-file "$data/tokens" --data-dir "$data" --web-dir "$web" --tick-hz 10 &
  pid=$!
  echo "irqpixel: server pid $pid on :$port ($(uname -r), $VFIOSCOPE_IOMMU); waiting for $OUT/irqpixel.stop"
  echo "# guest-date-s utime stime (ticks of $(getconf CLK_TCK)/s) loadavg" >"$OUT/irqpixel-cpu.txt"
  while [ ! -e "$OUT/irqpixel.stop" ] && kill -0 "$pid" 2>/dev/null && [ $waited -lt 1500 ]; do
    echo "$(date +%s.%N) $(cut -d' ' -f14,15 "/proc/$pid/stat") $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/irqpixel-cpu.txt"
    sleep 1; waited=$((waited + 1))
  done
  echo "irqpixel: stopping after ${waited}s (stop file: $([ -e "$OUT/irqpixel.stop" ] && echo yes || echo no))"
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  cp "$data/audit.log" "$OUT/irqpixel-audit.log"
  echo "irqpixel: server exited with $rc"
  [ -e "$OUT/irqpixel.stop" ] && [ $rc = 0 ]
}
# dmabench under perf (by name only: run.sh dmaprofile): two turns, the whole guest sampled
# (cpu-clock, callchains), then each side's hottest symbols — why type1's ioctls cost more in the
# kernel when Node makes them than when C does (bench/baselines/dma-vs-c.txt)
step_dmaprofile() {
  local thp=/sys/kernel/mm/transparent_hugepage/enabled was rc
  was="$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$thp" 2>/dev/null)"
  [ -n "$was" ] && echo never >"$thp"
  gcc -O2 -o /tmp/dma-pair-cost e2e/kernel/dma-pair-cost.c &&
    (ulimit -l unlimited && VFIOSCOPE_BENCH_WHERE="QEMU $(cmdline_arg vfioscope.accel | tr a-z A-Z) guest under perf, 2 vCPUs, $(uname -r)" \
      perf record -q -a -g -F 499 -e cpu-clock -o /tmp/dma.perf -- \
      node_modules/.bin/tsx bench/dma-vs-c.bench.ts /tmp/dma-pair-cost "$OUT/dma-profile-bench.txt" --turns 2)
  rc=$?
  [ -n "$was" ] && echo "$was" >"$thp"
  for comm in node dma-pair-cost; do
    # --percentage relative: shares of that side's own samples (the whole guest's dwarf them)
    perf report -i /tmp/dma.perf --comm "$comm" --percentage relative --no-children --sort dso,sym --stdio -g none 2>/dev/null |
      head -150 >"$OUT/dma-profile-$comm.txt"
    perf report -i /tmp/dma.perf --comm "$comm" --percentage relative --no-children --sort sym --stdio -g caller,0.5,callee --percent-limit 2 2>/dev/null |
      head -400 >"$OUT/dma-profile-$comm-calls.txt"
  done
  return $rc
}
step_servestart() {
  VFIOSCOPE_BENCH_WHERE="QEMU TCG guest, 2 vCPUs" node_modules/.bin/tsx bench/serve-start.bench.ts 5 --tsx-runs 1 --only built,tsx
}

# which VFIO uAPIs this kernel and mode expose (by name only: run.sh modes). Prints and
# checks uname, /dev/iommu, each edu's cdev (/sys/bus/pci/devices/<bdf>/vfio-dev/vfioN/dev
# → /dev/vfio/devices/vfioN), its group node, /dev/vfio/vfio and who serves it, then drives
# each uAPI present through one DMA mapping with modes-probe.c. Fails on any expectation of
# vfioscope.mode (type1 | compat | cdev; the 6.1 guest is type1 without iommufd).
step_modes() {
  local mode rel bad=0
  mode="$(cmdline_arg vfioscope.mode)"; mode="${mode:-type1}"
  rel="$(uname -r)"
  local legacy_only=0   # the 6.1 guest: no iommufd, no cdev
  case "$rel" in 6.1.*) legacy_only=1 ;; esac
  expect() {  # $1: what, $2: expected yes|no, $3: seen yes|no
    local res=ok
    [ "$2" = "$3" ] || { res=FAIL; bad=1; }
    printf '%-4s %-62s expected %-3s seen %s
' "$res" "$1" "$2" "$3"
  }
  yn() { if "$@"; then echo yes; else echo no; fi; }
  echo "uname -r: $rel; vfioscope.mode: $mode"
  local want_iommufd=yes want_type1=no
  [ $legacy_only = 1 ] && want_iommufd=no
  [ "$mode" = type1 ] && want_type1=yes
  expect "/dev/iommu (iommufd)" $want_iommufd "$(yn test -c /dev/iommu)"
  expect "/dev/vfio/vfio" yes "$(yn test -c /dev/vfio/vfio)"
  expect "/sys/module/vfio_iommu_type1" $want_type1 "$(yn test -d /sys/module/vfio_iommu_type1)"
  expect "/sys/module/iommufd" $want_iommufd "$(yn test -d /sys/module/iommufd)"
  local server=none
  if [ -c /dev/vfio/vfio ]; then
    # iommufd says so (once) when /dev/vfio/vfio is opened through it
    exec 3</dev/vfio/vfio && exec 3<&-
    if [ -d /sys/module/vfio_iommu_type1 ]; then server=type1
    elif dmesg | grep -q 'IOMMUFD is providing /dev/vfio/vfio'; then server=iommufd
    else server=unknown; fi
  fi
  echo "/dev/vfio/vfio served by: $server"
  local want_server=iommufd; [ "$mode" = type1 ] && want_server=type1
  expect "/dev/vfio/vfio served by $want_server" yes "$(yn test "$server" = "$want_server")"

  local d bdf node cdev_name cdev_dev first_cdev="" first_group="" first_bdf="" n_edu=0
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] || continue
    bdf="${d##*/}"; n_edu=$((n_edu + 1))
    local drv="" group=""
    [ -e "$d/driver" ] && drv="$(basename "$(readlink "$d/driver")")"
    [ -e "$d/iommu_group" ] && group="$(basename "$(readlink "$d/iommu_group")")"
    expect "$bdf on vfio-pci" yes "$(yn test "$drv" = vfio-pci)"
    expect "$bdf group node /dev/vfio/$group" yes "$(yn test -n "$group" -a -c "/dev/vfio/$group")"
    cdev_name=""; cdev_dev=""
    for node in "$d"/vfio-dev/vfio*; do
      [ -f "$node/dev" ] || continue
      cdev_name="${node##*/}"; cdev_dev="$(cat "$node/dev")"
    done
    local seen=no
    if [ -n "$cdev_name" ] && [ -c "/dev/vfio/devices/$cdev_name" ]; then
      # the node's numbers are the sysfs dev attribute's
      local maj min
      read -r maj min < <(stat -c '%t %T' "/dev/vfio/devices/$cdev_name")
      [ "$(printf '%d:%d' "0x$maj" "0x$min")" = "$cdev_dev" ] && seen=yes
    fi
    echo "     $bdf: driver ${drv:-none}, group ${group:-none}, cdev ${cdev_name:-none} ${cdev_dev:+($cdev_dev)}"
    expect "$bdf cdev /dev/vfio/devices/${cdev_name:-vfioN}" $want_iommufd $seen
    if [ -z "$first_bdf" ] && [ "$(ls "$d/iommu_group/devices" | wc -l)" = 1 ]; then
      first_bdf="$bdf"; first_group="/dev/vfio/$group"
      [ $seen = yes ] && first_cdev="/dev/vfio/devices/$cdev_name"
    fi
  done
  expect "3 edu devices" yes "$(yn test $n_edu = 3)"

  # drive what is there: the legacy container (type1 or iommufd's compat), and the cdev
  local cc=(gcc -O1 -o /tmp/modes-probe "$HERE/modes-probe.c")
  [ -d "$HERE/.work/headers-6.12/usr/include/linux" ] &&
    cc+=(-I "$HERE/.work/headers-6.12/usr/include" -I "$HERE/.work/headers-6.12/usr/include/x86_64-linux-gnu")
  if ! "${cc[@]}"; then echo "FAIL cannot build modes-probe"; return 1; fi
  if [ -n "$first_group" ]; then
    MODES_PROBE_BDF="$first_bdf" /tmp/modes-probe container "$first_group"
    expect "container + group $first_group ($first_bdf) map DMA" yes "$(yn test $? = 0)"
  fi
  if [ "$want_iommufd" = yes ]; then
    # an iommufd fd taken as the group's container: iommufd's compat ioctls in every 6.12 mode
    MODES_PROBE_BDF="$first_bdf" /tmp/modes-probe container "$first_group" /dev/iommu
    expect "/dev/iommu as the container of $first_group map DMA" yes "$(yn test $? = 0)"
    /tmp/modes-probe cdev "${first_cdev:-/dev/vfio/devices/none}"
    expect "iommufd IOAS + cdev ${first_cdev:-?} bind, attach, map DMA" yes "$(yn test $? = 0)"
  fi
  return $bad
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
