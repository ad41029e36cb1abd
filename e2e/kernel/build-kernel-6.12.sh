#!/usr/bin/env bash
# Builds the test bed's Linux 6.12 guest kernel from Debian's own source package
# (linux-source-6.12, bookworm-backports) with the config kept in the repo
# (kernel-6.12.config, kernel-6.12-compat.config), or finds it in the cache, and
# prints the cache entry's directory on stdout:
#
#   ${XDG_CACHE_HOME:-~/.cache}/vfioscope/kernels/<source-version>-<config-hash>/
#     vmlinux              the kernel (PVH entry: QEMU boots it with -kernel)
#     vmlinux-compat       only if the compat config changed the kernel itself
#     modules-type1/       lib/modules/<release>/: vfio_iommu_type1 serves /dev/vfio/vfio
#     modules-compat/      lib/modules/<release>/: iommufd serves /dev/vfio/vfio
#     headers/usr/include  linux-libc-dev of the same version (6.12 uapi: linux/iommufd.h, linux/vfio.h)
#     kernel.release, source.version, config-type1, config-compat, build-times.txt, build.log
#
# <config-hash> covers both config files and RECIPE below (bump it when the way
# the entry is built changes). The kernel is built once and the VFIO/iommufd
# modules twice: CONFIG_VFIO_CONTAINER and CONFIG_IOMMUFD_VFIO_CONTAINER exclude
# each other, and the second variant is an incremental rebuild in the same tree.
#
# `build-kernel-6.12.sh --lookup` prints a cached entry or exits 1, without network or build.
# Which source version: an entry already in the cache with this config hash is
# used as it is (no network); otherwise, or with VFIOSCOPE_KERNEL_REFRESH=1, the
# candidate of bookworm-backports (VFIOSCOPE_KERNEL_SOURCE_VERSION pins one).
# Backports is reached through a private apt configuration in
# .work/apt-bpo/ (its own sources list, lists and cache); the machine's apt
# setup is not touched. Build dependencies come from the machine's apt (setup.sh).
#
# Concurrent runs: one build at a time (flock on the cache's .build.lock); the
# entry is built in a temporary directory next to it and renamed into place,
# so a reader sees a complete entry or none. Compiles run at normal priority: in npm test nothing of ours runs beside them, and a niced build starves behind any other job on a shared 2-core machine (CI has 90 minutes).
set -euo pipefail
# the whole script is one compound command, read before it runs: editing or checking
# out this file during a (long) build cannot change what the running build does
{
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/.work"
RECIPE=1
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/vfioscope/kernels"
CONFIG="$HERE/kernel-6.12.config"
CONFIG_COMPAT="$HERE/kernel-6.12-compat.config"
mkdir -p "$WORK" "$CACHE_ROOT"

log() { echo "[kernel-6.12] $*" >&2; }

CFG_HASH="$({ echo "recipe $RECIPE"; cat "$CONFIG" "$CONFIG_COMPAT"; } | sha256sum | cut -c1-12)"

# an entry of this config, newest source version first
cached_entry() {
  local d
  for d in $(ls -d "$CACHE_ROOT"/*-"$CFG_HASH" 2>/dev/null | sort -rV); do
    [ -f "$d/complete" ] && { echo "$d"; return 0; }
  done
  return 1
}
if [ -z "${VFIOSCOPE_KERNEL_SOURCE_VERSION:-}" ] && [ -z "${VFIOSCOPE_KERNEL_REFRESH:-}" ] && entry="$(cached_entry)"; then
  echo "$entry"
  exit 0
fi
# --lookup: only say whether the cache has it (exit 1: a build is needed)
[ "${1:-}" = --lookup ] && exit 1

# ---- bookworm-backports through a private apt configuration --------------------
# (the helpers are shared with scripts/headers-6.12.sh: bpo_apt_config sets BPO and APT_OPTS)
source "$HERE/../../scripts/headers-6.12.sh"
bpo_apt_config "$WORK/apt-bpo"

version="${VFIOSCOPE_KERNEL_SOURCE_VERSION:-}"
if [ -z "$version" ]; then
  if [ -n "${VFIOSCOPE_KERNEL_REFRESH:-}" ] || [ -z "$(bpo_candidate linux-source-6.12)" ]; then
    log "apt-get update (bookworm-backports, private lists in $BPO)"
    bpo_update
  fi
  version="$(bpo_candidate linux-source-6.12)"
  [ -n "$version" ] || { log "no linux-source-6.12 in bookworm-backports ($BPO/apt.log)"; exit 1; }
fi
KEY="${version//\~/_}-$CFG_HASH"
ENTRY="$CACHE_ROOT/$KEY"
if [ -f "$ENTRY/complete" ]; then echo "$ENTRY"; exit 0; fi

# ---- one build at a time; the second waiter finds the entry built ------------------
exec 9>"$CACHE_ROOT/.build.lock"
if ! flock -n 9; then
  log "another build holds $CACHE_ROOT/.build.lock; waiting"
  flock 9
fi
if [ -f "$ENTRY/complete" ]; then echo "$ENTRY"; exit 0; fi

# whoever holds the lock is the only builder: a temporary tree left now is a killed build's
rm -rf "$CACHE_ROOT"/.tmp-*
TMP="$CACHE_ROOT/.tmp-$KEY-$$"
cleanup() { [ -n "${VFIOSCOPE_KEEP_KERNEL_BUILD:-}" ] && { log "build tree kept: $TMP"; return; }; rm -rf "$TMP"; }
trap cleanup EXIT
rm -rf "$TMP" && mkdir -p "$TMP/debs" "$TMP/entry"
E="$TMP/entry"
BUILDLOG="$E/build.log"
: >"$BUILDLOG"
t0=$(date +%s)
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
times=()
phase() { local now; now=$(date +%s); times+=("$1 $((now - t_phase))s"); t_phase=$now; }
t_phase=$t0

log "building $KEY (linux-source-6.12 $version); log: $BUILDLOG"
download() {
  (cd "$TMP/debs" && apt-get "${APT_OPTS[@]}" download "linux-source-6.12=$version" "linux-libc-dev=$version") >>"$BPO/apt.log" 2>&1
}
if ! download; then
  log "download failed; apt-get update and retrying"
  bpo_update
  download
fi
phase download

dpkg -x "$TMP"/debs/linux-libc-dev_*.deb "$E/headers"
dpkg -x "$TMP"/debs/linux-source-6.12_*.deb "$TMP/pkg"
mkdir -p "$TMP/src"
tar -xJf "$TMP"/pkg/usr/src/linux-source-6.12.tar.xz -C "$TMP/src" --strip-components=1
rm -rf "$TMP/pkg" "$TMP/debs"
phase extract

SRC="$TMP/src"
O="$TMP/build"
JOBS=$(( $(nproc) + 1 ))
DEPMOD="$(command -v depmod || echo /sbin/depmod)"
kmake() { make -C "$SRC" O="$O" ARCH=x86_64 LOCALVERSION= -j"$JOBS" "$@" >>"$BUILDLOG" 2>&1; }
# every line of a fragment must be in the resolved config (Kconfig drops what it cannot satisfy)
check_config() {
  local l missing=0
  while IFS= read -r l; do
    case "$l" in
      '# CONFIG_'*' is not set') ;;
      ''|'#'*) continue ;;
    esac
    grep -qxF "$l" "$O/.config" || { log "config: '$l' did not take (see $1)"; missing=1; }
  done <"$1"
  return $missing
}

kmake KCONFIG_ALLCONFIG="$CONFIG" allnoconfig
check_config "$CONFIG"
phase config

log "compiling vmlinux + modules (type1), -j$JOBS"
kmake vmlinux modules || { log "build failed; tail of $BUILDLOG:"; tail -30 "$BUILDLOG" >&2; exit 1; }
phase build-type1
kmake INSTALL_MOD_PATH="$E/modules-type1" INSTALL_MOD_STRIP=1 DEPMOD="$DEPMOD" modules_install
cp "$O/vmlinux" "$E/vmlinux"
cp "$O/.config" "$E/config-type1"
release="$(cat "$O/include/config/kernel.release")"
phase install-type1

log "compat variant: incremental rebuild"
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$O" "$O/.config" "$CONFIG_COMPAT" >>"$BUILDLOG" 2>&1
kmake olddefconfig
check_config "$CONFIG_COMPAT"
kmake vmlinux modules || { log "build failed; tail of $BUILDLOG:"; tail -30 "$BUILDLOG" >&2; exit 1; }
phase build-compat
kmake INSTALL_MOD_PATH="$E/modules-compat" INSTALL_MOD_STRIP=1 DEPMOD="$DEPMOD" modules_install
cp "$O/.config" "$E/config-compat"
if ! cmp -s "$O/vmlinux" "$E/vmlinux"; then
  log "the compat config changed vmlinux itself: keeping vmlinux-compat"
  cp "$O/vmlinux" "$E/vmlinux-compat"
fi
phase install-compat

# the links into the build tree would dangle once it is gone
find "$E"/modules-* -maxdepth 4 \( -name build -o -name source \) -type l -delete
echo "$release" >"$E/kernel.release"
echo "$version" >"$E/source.version"
{
  echo "linux-source-6.12 $version, release $release, $(nproc) CPUs, make -j$JOBS"
  echo "machine load (1/5/15 min) at the start: $load0, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%s\n' "${times[@]}"
  echo "total $(( $(date +%s) - t0 ))s"
} >"$E/build-times.txt"
touch "$E/complete"
mv -T "$E" "$ENTRY"
log "built $ENTRY in $(( $(date +%s) - t0 ))s: $(tr '\n' ' ' <"$ENTRY/build-times.txt")"
echo "$ENTRY"
exit 0
}
