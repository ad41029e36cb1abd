#!/usr/bin/env bash
# The real-kernel test bed: prepares QEMU + a Debian guest kernel + initramfs
# (setup.sh), boots a q35 guest with an emulated Intel IOMMU and this topology
#   00:04.0 edu   (vfio-pci, alone in its group)
#   00:05.0 edu   (vfio-pci, alone in its group)
#   00:06.0 PCI bridge without ACS, behind it one group shared by
#     01:01.0 edu (vfio-pci) and 01:02.0 e1000 (e1000 driver: the group is not viable)
#   00:07.0 e1000e (its own driver: a non-VFIO device for observe mode)
# and runs guest-tests.sh in it (conformance suite on the linux backend,
# observe check, IRQ-read benchmark, the built server's live path).
# The guest runs its tests with RLIMIT_MEMLOCK 16 MiB and without CAP_IPC_LOCK
# (so ENOMEM is reachable), and with vfio_iommu_type1.dma_entry_limit=2048 so
# that the ENOSPC case maps 2048 pages (8 MiB, inside that limit) instead of
# 65535 (256 MiB).
# The vCPU is a Nehalem (no AVX): under -cpu max, Node in the guest once died
# with SIGILL mid-run (QEMU 7.2's TCG had just gained AVX emulation, the
# suspect); VFIOSCOPE_GUEST_CPU overrides it.
# VFIOSCOPE_GUEST_ACCEL=kvm (opt-in; needs /dev/kvm, which CI may lack) runs the guest under
# KVM with -cpu host: under TCG both C and V8's JIT code are emulated, so benchmarks against
# C (dmabench) are fair only under KVM. The default stays tcg. Where /dev/kvm is itself nested
# (dmesg "kvm-pvm: loaded", as on the development machines in Dec 2026) the stock guest kernels
# crawl: 6.1 sat after "Probing EDD" for minutes and 6.12 printed 47 early-boot lines in 60 s
# where TCG reached userspace — use tcg there.
# VFIOSCOPE_GUEST_FWD_PORT=P (opt-in, for the irqpixel step) adds one NIC, an e1000e at 00:10.0
# (a slot no test uses; every guest has the e1000e driver already), on QEMU's user-mode network
# with restrict=on (no way out of the guest), and forwards the host's 127.0.0.1:P to the guest's
# port P (10.0.2.15, set by guest-init.sh from vfioscope.nic): a browser on the host reaches a
# server in the guest. Without it the guest has no network and the topology is the one above.
# Usage: [VFIOSCOPE_GUEST=6.1|6.12-type1|6.12-compat|6.12-cdev] e2e/kernel/run.sh [step ...]
#   (default guest 6.1, default steps: tests compare live; setup.sh says what each guest is;
#   run-all.sh runs it on the guests npm test covers)
# Exits non-zero on any failure; the guest console is saved to .work/console.log
# (6.12 guests: .work/guest-<guest>/console.log, step logs in .work/guest-<guest>/out/).
set -euo pipefail
# the whole script is one compound command, read before it runs: editing or checking out this
# file while a guest runs (minutes) cannot change what the running script does next
{
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/.work"
GUEST="${VFIOSCOPE_GUEST:-6.1}"
ACCEL="${VFIOSCOPE_GUEST_ACCEL:-tcg}"
case "$ACCEL" in
  tcg) CPU="${VFIOSCOPE_GUEST_CPU:-Nehalem}" ;;
  kvm) CPU="${VFIOSCOPE_GUEST_CPU:-host}" ;;
  *) echo "[kernel-run] VFIOSCOPE_GUEST_ACCEL=$ACCEL: expected tcg or kvm" >&2; exit 2 ;;
esac
# SIM: the sim scenario that models this guest's kernel and module tree, for the probe diff
# (the cdev guest runs the compat tree: iommufd serves /dev/vfio/vfio there too)
case "$GUEST" in
  6.1) GW="$WORK"; MODE=type1; KERNEL="$WORK/vmlinuz"; SIM=edu ;;
  6.12-type1|6.12-compat|6.12-cdev) GW="$WORK/guest-$GUEST"; MODE="${GUEST#6.12-}"; KERNEL="$GW/vmlinux" ;;&
  6.12-type1) SIM=edu-6.12 ;;
  6.12-compat|6.12-cdev) SIM=edu-6.12-compat ;;
  *) echo "[kernel-run] VFIOSCOPE_GUEST=$GUEST: expected 6.1, 6.12-type1, 6.12-compat or 6.12-cdev" >&2; exit 2 ;;
esac
OUT="$GW/out"
t_start=$(date +%s)

# one run per guest at a time: a second run would rebuild the initramfs and empty out/ under
# the first (two engineers, or a developer and npm test, on one machine); it waits instead
mkdir -p "$GW"
exec 8>"$GW/.run.lock"
if ! flock -n 8; then
  echo "[kernel-run] another run of the $GUEST guest holds $GW/.run.lock; waiting for it" >&2
  flock 8
fi

bash "$HERE/setup.sh"

rm -rf "$OUT" && mkdir -p "$OUT"
steps="$(IFS=,; echo "$*")"
REPO="$(cd "$HERE/../.." && pwd)"

# the live step (and the servestart, streamgap and irqpixel benchmarks) run the built server CLI, apps/server/dist;
# the guest sees this checkout read-only, so build it here when it is stale
if [ -z "$steps" ] || [[ ",$steps," == *,live,* || ",$steps," == *,servestart,* || ",$steps," == *,streamgap,* || ",$steps," == *,irqpixel,* ]]; then
  if ! node "$REPO/apps/server/build.mjs" --check; then
    echo "[kernel-run] building the server CLI (apps/server/dist)"
    node "$REPO/apps/server/build.mjs"
  fi
fi
# no_timer_check: the kernel's boot-time check that the IO-APIC timer ticks (check_timer) waits a
# fixed number of calibrated loops; a TCG vCPU on a loaded host misses it and the guest panics with
# "timer doesn't work through Interrupt-remapped IO-APIC" (seen with a kernel build beside it)
append="console=ttyS0 intel_iommu=on no_timer_check quiet panic=-1 vfioscope.mode=$MODE vfioscope.script=$HERE/guest-tests.sh vfioscope.out=$OUT vfioscope.repo=$REPO vfioscope.memlock_kb=16384 vfioscope.dma_entry_limit=2048 vfioscope.accel=$ACCEL"
[ -n "$steps" ] && append="$append vfioscope.steps=$steps"
FWD_NIC=()
if [ -n "${VFIOSCOPE_GUEST_FWD_PORT:-}" ]; then
  FWD_PORT="$VFIOSCOPE_GUEST_FWD_PORT"
  [[ "$FWD_PORT" =~ ^[0-9]+$ ]] || { echo "[kernel-run] VFIOSCOPE_GUEST_FWD_PORT=$FWD_PORT: expected a port number" >&2; exit 2; }
  FWD_NIC=(-netdev "user,id=fwd,restrict=on,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$FWD_PORT-10.0.2.15:$FWD_PORT"
    -device "e1000e,netdev=fwd,addr=0x10,romfile=")
  append="$append vfioscope.nic=0000:00:10.0 vfioscope.fwd_port=$FWD_PORT"
fi

echo "[kernel-run] booting the $GUEST guest ($ACCEL; console: $GW/console.log)"
set +e
# a deadline for the whole guest (seconds): the 6.1 guest took 650-740 s beside two other test runs (TCG in TCG)
timeout "${VFIOSCOPE_GUEST_TIMEOUT:-1800}" qemu-system-x86_64 \
  -machine q35,kernel-irqchip=split -accel "$ACCEL" -cpu "$CPU" -smp 2 -m 2G \
  -nographic -vga none -no-reboot -nic none \
  -device intel-iommu,intremap=on,caching-mode=on \
  -device edu,addr=0x4 -device edu,addr=0x5 \
  -device pci-bridge,id=br1,chassis_nr=1,addr=0x6 \
  -device edu,bus=br1,addr=0x1 -device e1000,bus=br1,addr=0x2,romfile= \
  -device e1000e,addr=0x7,romfile= "${FWD_NIC[@]}" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$REPO,mount_tag=hostrepo,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$OUT,mount_tag=hostout,security_model=none" \
  -kernel "$KERNEL" -initrd "$GW/initramfs.cpio.gz" \
  -append "$append" </dev/null >"$GW/console.log" 2>&1
qemu_rc=$?
set -e

if [ -f "$OUT/probes-linux.json" ]; then
  # the same probes on the sim modelling this guest, here, and what differs: findings for the sim (not failures)
  (cd "$HERE/../.." && node_modules/.bin/tsx e2e/kernel/compare/run-probes.ts sim "$OUT/probes-sim.json" "$SIM" >/dev/null &&
    node_modules/.bin/tsx e2e/kernel/compare/diff-probes.ts "$OUT/probes-sim.json" "$OUT/probes-linux.json") \
    >"$OUT/sim-vs-kernel.txt" 2>&1 || true
  echo "[kernel-run] sim ($SIM) vs kernel: $(tail -1 "$OUT/sim-vs-kernel.txt") (details: $OUT/sim-vs-kernel.txt)"
fi

marker="$(grep -a -o 'VFIOSCOPE-GUEST-EXIT=[0-9]*' "$GW/console.log" | tail -1 | cut -d= -f2)"
echo "[kernel-run] guest steps:"
sed 's/^/  /' "$OUT/summary.txt" 2>/dev/null || echo "  (no summary: the guest did not reach its tests)"
[ -f "$OUT/cases.txt" ] && sed 's/^/    /' "$OUT/cases.txt"
elapsed=$(( $(date +%s) - t_start ))
if [ -z "$marker" ]; then
  echo "[kernel-run] FAIL: the guest ended without an exit marker (qemu exit $qemu_rc); see $GW/console.log" >&2
  tail -30 "$GW/console.log" >&2
  exit 1
fi
if [ "$marker" != 0 ]; then
  # each failed step's own words, here: CI keeps only what this script prints
  for step in $(sed -n 's/^FAIL \([a-z0-9-]*\).*/\1/p' "$OUT/summary.txt" 2>/dev/null); do
    echo "[kernel-run] the last lines of $step.log:" >&2
    tail -40 "$OUT/$step.log" 2>/dev/null | sed 's/^/    /' >&2
  done
  echo "[kernel-run] FAIL: guest exit status $marker after ${elapsed}s; console: $GW/console.log, step logs: $OUT/" >&2
  exit 1
fi
echo "[kernel-run] PASS ($GUEST) in ${elapsed}s; console: $GW/console.log, step logs: $OUT/"
exit 0
}
