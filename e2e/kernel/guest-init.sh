#!/bin/sh
# /init of the test-bed initramfs (busybox). Loads the VFIO modules of the IOMMU
# mode named by vfioscope.mode= (type1: vfio_iommu_type1 serves /dev/vfio/vfio;
# compat, cdev: iommufd does, and vfio_iommu_type1 is never loaded) and 9p,
# binds every QEMU edu device (1234:11e8) to vfio-pci, mounts the host's root
# (9p, read-only) with fresh proc/sys/dev and a writable tmpfs on /tmp, and
# runs the script named by vfioscope.script= on the kernel command line inside
# a chroot of it. Whatever happens, it prints one exit marker line
#   VFIOSCOPE-GUEST-EXIT=<status>
# and powers the machine off (panic=-1 + -no-reboot end QEMU should that fail).
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

finish() {
  echo "VFIOSCOPE-GUEST-EXIT=$1"
  sync
  poweroff -f
  echo o >/proc/sysrq-trigger
  exit "$1"
}

arg() {  # value of a key=value kernel argument
  for kv in $(cat /proc/cmdline); do
    case "$kv" in "$1="*) echo "${kv#*=}"; return 0 ;; esac
  done
  return 1
}

SCRIPT="$(arg vfioscope.script)" || { echo "init: no vfioscope.script= given"; finish 98; }
OUT="$(arg vfioscope.out)" || OUT=""
MEMLOCK_KB="$(arg vfioscope.memlock_kb)" || MEMLOCK_KB=16384
DMA_ENTRY_LIMIT="$(arg vfioscope.dma_entry_limit)" || DMA_ENTRY_LIMIT=""
MODE="$(arg vfioscope.mode)" || MODE=type1
# setup.sh builds one initramfs per guest, with that mode's module set
if [ "$(cat /etc/vfioscope-mode)" != "$MODE" ]; then
  echo "init: vfioscope.mode=$MODE, but this initramfs holds the modules of mode $(cat /etc/vfioscope-mode)"
  finish 94
fi

for m in $(cat /lib/modules/load-order); do
  params=""
  case "$m" in
    */vfio_iommu_type1.ko)
      [ "$MODE" = type1 ] || { echo "init: mode $MODE: not loading $m"; continue; }
      [ -n "$DMA_ENTRY_LIMIT" ] && params="dma_entry_limit=$DMA_ENTRY_LIMIT" ;;
  esac
  insmod "/lib/modules/$m" $params || echo "init: insmod $m failed"
done

# loopback, for the server's live check (the guest has no other network)
ip link set lo up || echo "init: cannot bring up lo"
# the NIC run.sh adds only when asked (VFIOSCOPE_GUEST_FWD_PORT): QEMU's user-mode network forwards
# a host port to 10.0.2.15, its default guest address; found by its PCI address, whatever its name
if NIC="$(arg vfioscope.nic)"; then
  ifc="$(ls "/sys/bus/pci/devices/$NIC/net" 2>/dev/null | head -1)"
  if [ -n "$ifc" ] && ip addr add 10.0.2.15/24 dev "$ifc" && ip link set "$ifc" up; then
    echo "init: $ifc ($NIC) up as 10.0.2.15/24"
  else
    echo "init: cannot bring up the network interface of $NIC"
  fi
fi

# edu devices go to vfio-pci; everything else keeps its kernel driver.
for d in /sys/bus/pci/devices/*; do
  if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
    bdf="${d##*/}"
    echo vfio-pci >"$d/driver_override"
    [ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
    echo "$bdf" >/sys/bus/pci/drivers_probe || echo "init: binding $bdf to vfio-pci failed"
  fi
done

R=/mnt/root
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot "$R" ||
  { echo "init: cannot mount the host root over 9p"; finish 97; }
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t devtmpfs devtmpfs "$R/dev"
mkdir -p "$R/dev/shm" "$R/dev/pts"
ln -sf /proc/self/fd "$R/dev/fd"
ln -sf /proc/self/fd/0 "$R/dev/stdin"
ln -sf /proc/self/fd/1 "$R/dev/stdout"
ln -sf /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs tmpfs "$R/dev/shm"
mount -t devpts devpts "$R/dev/pts"
mount -t tmpfs -o size=768m,mode=1777 tmpfs "$R/tmp"
mount -t tmpfs tmpfs "$R/run"
REPO="$(arg vfioscope.repo)" || REPO=""
if [ -n "$REPO" ] && [ ! -d "$R$REPO/e2e/kernel" ]; then
  # the checkout lives where the guest has its own mounts (/tmp, /run): lay
  # its share over the same path (the parents exist on the guest's tmpfs)
  mkdir -p "$R$REPO" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostrepo "$R$REPO" ||
    { echo "init: cannot mount the repository share on $REPO"; finish 95; }
fi
if [ -n "$OUT" ]; then
  # a writable share laid over the host path of the same name, for results
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 hostout "$R$OUT" ||
    { echo "init: cannot mount the output share on $OUT"; finish 96; }
fi

echo "init: guest ready after $(cut -d' ' -f1 /proc/uptime)s ($(cat /proc/sys/kernel/osrelease), mode $MODE); running $SCRIPT"
chroot "$R" /bin/sh -c "ulimit -l $MEMLOCK_KB && export HOME=/tmp TMPDIR=/tmp PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin VFIOSCOPE_IOMMU_MODE=$MODE && exec /bin/bash '$SCRIPT'"
finish $?
