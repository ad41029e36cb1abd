#!/usr/bin/env bash
# Prepares the real-kernel test bed: QEMU, a Debian 6.1 guest kernel with its
# VFIO modules, and a busybox initramfs whose /init boots into the host's own
# root (shared read-only over 9p) and runs one command there.
# Idempotent: everything lands in e2e/kernel/.work/ and is rebuilt only when missing
# (the initramfs is rebuilt whenever this script or the init script changes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/.work"
mkdir -p "$WORK"

log() { echo "[kernel-setup] $*" >&2; }

# ---- host packages ----------------------------------------------------------
# wait for another apt/dpkg run (e.g. a browser install) rather than fail
APT=(apt-get -o DPkg::Lock::Timeout=900)
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need_pkgs+=(busybox-static)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need_pkgs+=(kmod)
command -v gcc >/dev/null || need_pkgs+=(gcc)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${APT[@]}" install -y --no-install-recommends "${need_pkgs[@]}" >"$WORK/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update first"
    "${APT[@]}" update >>"$WORK/apt.log" 2>&1
    "${APT[@]}" install -y --no-install-recommends "${need_pkgs[@]}" >>"$WORK/apt.log" 2>&1
  fi
fi
DEPMOD="$(command -v depmod || echo /sbin/depmod)"

# ---- guest kernel -------------------------------------------------------------
newest_kernel_pkg() {
  apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' 2>/dev/null |
    awk '{print $1}' | sort -t- -k4,4n | tail -1
}
if [ ! -f "$WORK/kernel.version" ]; then
  pkg="$(newest_kernel_pkg)"
  if [ -z "$pkg" ]; then
    log "no linux-image-6.1.0-*-amd64-unsigned in the apt lists; running apt-get update"
    "${APT[@]}" update >>"$WORK/apt.log" 2>&1
    pkg="$(newest_kernel_pkg)"
  fi
  [ -n "$pkg" ] || { log "cannot find a guest kernel package"; exit 1; }
  log "downloading $pkg"
  rm -rf "$WORK/deb" "$WORK/kroot" && mkdir -p "$WORK/deb"
  if ! (cd "$WORK/deb" && apt-get download "$pkg" >>"$WORK/apt.log" 2>&1); then
    # stale lists name a version the mirror no longer has
    log "download failed; running apt-get update and retrying"
    "${APT[@]}" update >>"$WORK/apt.log" 2>&1
    pkg="$(newest_kernel_pkg)"
    (cd "$WORK/deb" && apt-get download "$pkg" >>"$WORK/apt.log" 2>&1)
  fi
  dpkg -x "$WORK/deb"/*.deb "$WORK/kroot"
  kver="$(ls "$WORK/kroot/lib/modules" | head -1)"
  "$DEPMOD" -b "$WORK/kroot" "$kver"
  echo "$kver" >"$WORK/kernel.version"
fi
KVER="$(cat "$WORK/kernel.version")"
KROOT="$WORK/kroot"
MODDIR="$KROOT/lib/modules/$KVER"
ln -sf "$KROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"

# ---- initramfs ----------------------------------------------------------------
# The modules the guest needs, in load order with their dependencies first.
WANT_MODULES=(vfio vfio_iommu_type1 vfio_virqfd irqbypass vfio-pci-core vfio-pci
  virtio_pci 9p 9pnet_virtio e1000 e1000e)

stamp_src="$(cat "$HERE/setup.sh" "$HERE/guest-init.sh" | sha256sum | cut -c1-16)-$KVER"
if [ "$(cat "$WORK/initramfs.stamp" 2>/dev/null)" != "$stamp_src" ]; then
  log "building initramfs for $KVER"
  IR="$WORK/initramfs"
  rm -rf "$IR" && mkdir -p "$IR"/{bin,sbin,dev,proc,sys,mnt/root,lib/modules,etc}
  cp /bin/busybox "$IR/bin/busybox"
  for a in sh mount umount mkdir insmod cat echo ls chroot poweroff sleep ln grep sed \
           printf reboot mknod switch_root dmesg tr head basename readlink ip; do
    ln -sf busybox "$IR/bin/$a"
  done
  # Resolve dependencies with modules.dep and record the load order.
  : >"$IR/lib/modules/load-order"
  declare -A seen=()
  add_module() {  # $1: path relative to MODDIR
    local rel="$1"
    [ -n "${seen[$rel]:-}" ] && return 0
    seen[$rel]=1
    local deps
    deps="$(grep "^$rel:" "$MODDIR/modules.dep" | cut -d: -f2)"
    for d in $deps; do add_module "$d"; done
    mkdir -p "$IR/lib/modules/$(dirname "$rel")"
    cp "$MODDIR/$rel" "$IR/lib/modules/$rel"
    echo "$rel" >>"$IR/lib/modules/load-order"
  }
  for m in "${WANT_MODULES[@]}"; do
    rel="$(awk -F: -v m="$m" '{ n=$1; sub(/.*\//,"",n); sub(/\.ko(\.[a-z]+)?$/,"",n); gsub(/-/,"_",n);
            mm=m; gsub(/-/,"_",mm); if (n==mm) { print $1; exit } }' "$MODDIR/modules.dep")"
    if [ -z "$rel" ]; then
      # built into the kernel: nothing to load
      grep -q "/${m//-/_}.ko\|/$m.ko" "$MODDIR/modules.builtin" 2>/dev/null || log "module $m not found (assumed built in)"
      continue
    fi
    add_module "$rel"
  done
  cp "$HERE/guest-init.sh" "$IR/init"
  chmod +x "$IR/init"
  (cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$WORK/initramfs.cpio.gz"
  echo "$stamp_src" >"$WORK/initramfs.stamp"
fi
log "ready: kernel $KVER, $WORK/vmlinuz, $WORK/initramfs.cpio.gz"
