#!/usr/bin/env bash
# Prepares the real-kernel test bed: QEMU, a guest kernel with its VFIO modules,
# and a busybox initramfs whose /init boots into the host's own root (shared
# read-only over 9p) and runs one command there.
# The guest is chosen with VFIOSCOPE_GUEST:
#   6.1          (default) Debian's linux-image-6.1.0-*-amd64-unsigned, type1 container
#   6.12-type1   Linux 6.12 built from Debian's linux-source-6.12 (build-kernel-6.12.sh,
#                cached): /dev/iommu, the device cdev, vfio_iommu_type1 serves /dev/vfio/vfio
#   6.12-compat  the same kernel, the compat module set: iommufd serves /dev/vfio/vfio
#   6.12-cdev    the compat module set too (no type1 anywhere): for the native
#                iommufd path, /dev/iommu + /dev/vfio/devices/vfioN
# Idempotent: everything lands in e2e/kernel/.work/ (6.12 guests: .work/guest-<guest>/)
# and is rebuilt only when missing (the initramfs is rebuilt whenever this
# script or the init script changes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/.work"
mkdir -p "$WORK"
GUEST="${VFIOSCOPE_GUEST:-6.1}"
case "$GUEST" in
  6.1) GW="$WORK"; MODE=type1 ;;
  6.12-type1) GW="$WORK/guest-$GUEST"; MODE=type1 ;;
  6.12-compat) GW="$WORK/guest-$GUEST"; MODE=compat ;;
  6.12-cdev) GW="$WORK/guest-$GUEST"; MODE=cdev ;;
  *) echo "[kernel-setup] VFIOSCOPE_GUEST=$GUEST: expected 6.1, 6.12-type1, 6.12-compat or 6.12-cdev" >&2; exit 2 ;;
esac
mkdir -p "$GW"

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
if [ "$GUEST" != 6.1 ] && ! bash "$HERE/build-kernel-6.12.sh" --lookup >/dev/null; then
  # the 6.12 kernel is not in the cache yet: what building it takes (no libssl-dev:
  # the config signs nothing)
  for tp in make:make flex:flex bison:bison bc:bc xz:xz-utils; do
    command -v "${tp%%:*}" >/dev/null || need_pkgs+=("${tp#*:}")
  done
  dpkg -s libelf-dev >/dev/null 2>&1 || need_pkgs+=(libelf-dev)
fi
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
if [ "$GUEST" = 6.1 ]; then
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
  KERNEL="$WORK/vmlinuz"
  # The modules the guest needs, in load order with their dependencies first.
  WANT_MODULES=(vfio vfio_iommu_type1 vfio_virqfd irqbypass vfio-pci-core vfio-pci
    virtio_pci 9p 9pnet_virtio e1000 e1000e)
else
  # Linux 6.12 from Debian's source package, built once per machine (build-kernel-6.12.sh)
  ENTRY="$(bash "$HERE/build-kernel-6.12.sh")"
  KVER="$(cat "$ENTRY/kernel.release")"
  tree=compat; [ "$MODE" = type1 ] && tree=type1
  MODDIR="$ENTRY/modules-$tree/lib/modules/$KVER"
  KERNEL="$GW/vmlinux"
  if [ "$tree" = compat ] && [ -f "$ENTRY/vmlinux-compat" ]; then
    ln -sfn "$ENTRY/vmlinux-compat" "$KERNEL"
  else
    ln -sfn "$ENTRY/vmlinux" "$KERNEL"
  fi
  # the 6.12 uapi headers (linux-libc-dev of the same version, unpacked with dpkg -x)
  [ -e "$WORK/headers-6.12" ] || ln -sfn "$ENTRY/headers" "$WORK/headers-6.12"
  # virtio_pci, 9p, 9pnet_virtio, e1000, e1000e are built in; iommufd serves /dev/iommu
  # (and, without vfio_iommu_type1, /dev/vfio/vfio)
  WANT_MODULES=(iommufd vfio vfio-pci virtio_pci 9p 9pnet_virtio e1000 e1000e)
  [ "$MODE" = type1 ] && WANT_MODULES=(iommufd vfio vfio_iommu_type1 vfio-pci virtio_pci 9p 9pnet_virtio e1000 e1000e)
fi

# ---- initramfs ----------------------------------------------------------------
stamp_src="$(cat "$HERE/setup.sh" "$HERE/guest-init.sh" | sha256sum | cut -c1-16)-$KVER-$MODDIR"
if [ "$(cat "$GW/initramfs.stamp" 2>/dev/null)" != "$stamp_src" ]; then
  log "building initramfs for $KVER ($GUEST)"
  IR="$GW/initramfs"
  rm -rf "$IR" && mkdir -p "$IR"/{bin,sbin,dev,proc,sys,mnt/root,lib/modules,etc}
  # the mode this initramfs's modules serve; /init refuses a vfioscope.mode= that differs
  echo "$MODE" >"$IR/etc/vfioscope-mode"
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
  (cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$GW/initramfs.cpio.gz"
  echo "$stamp_src" >"$GW/initramfs.stamp"
fi
log "ready: $GUEST, kernel $KVER ($MODE), $KERNEL, $GW/initramfs.cpio.gz"
