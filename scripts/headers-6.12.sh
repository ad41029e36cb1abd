#!/usr/bin/env bash
# Fetches the Linux 6.12 uapi headers — linux-libc-dev 6.12 from Debian
# bookworm-backports — and prints their include directory:
#
#   ${XDG_CACHE_HOME:-~/.cache}/vfioscope/headers-6.12/usr/include
#
# packages/uapi's header-conformance test checks the package's iommufd and VFIO
# device-cdev names against them: Debian 12's own linux-libc-dev is 6.1, which
# has no linux/iommufd.h worth the name. scripts/test.sh runs this script and
# hands the directory to the test as VFIOSCOPE_HEADERS_612.
#
# When the directory is there nothing else happens (no network). Otherwise
# backports is reached through a private apt configuration in
# ${XDG_CACHE_HOME:-~/.cache}/vfioscope/apt-bpo/ (its own sources list, lists and
# cache, on the mirror host this machine's apt uses): the machine's apt setup is
# not touched and root is not needed. The package is unpacked with dpkg -x into
# a temporary directory next to the destination and renamed into place, so a
# concurrent run sees complete headers or none.
#
# Sourced, the script only defines the private-apt helpers, which
# e2e/kernel/build-kernel-6.12.sh shares:
#   bpo_apt_config DIR   DIR/sources.list for bookworm-backports, DIR/lists and
#                        DIR/cache; sets BPO=DIR and APT_OPTS (the -o options)
#   bpo_update           apt-get update into the private lists (log: $BPO/apt.log)
#   bpo_candidate PKG    PKG's candidate version, empty when apt knows none

bpo_apt_config() {
  BPO="$1"
  mkdir -p "$BPO/lists/partial" "$BPO/cache/archives/partial"
  # the mirror host this machine's apt uses (deb.debian.org unless it names another)
  local mirror
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -E '^[[:space:]]*(deb|URIs:)[[:space:]]' | grep -oE 'https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
    head -1 | tr -d '[:space:]' || true)"
  mirror="${mirror%/}"
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" >"$BPO/sources.list"
  APT_OPTS=(-o "Dir::Etc::sourcelist=$BPO/sources.list" -o Dir::Etc::sourceparts=/dev/null
    -o "Dir::State::Lists=$BPO/lists" -o "Dir::Cache=$BPO/cache")
}

bpo_update() { apt-get "${APT_OPTS[@]}" update >>"$BPO/apt.log" 2>&1; }

bpo_candidate() {
  apt-cache "${APT_OPTS[@]}" policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }' | grep -v none || true
}

# the newest version of PKG in the private lists whose upstream part starts with SERIES (6.12.)
bpo_series_version() {
  apt-cache "${APT_OPTS[@]}" madison "$1" 2>/dev/null | awk -F'|' '/bookworm-backports/ { gsub(/ /, "", $2); print $2 }' |
    grep -E "^$2\." | sort -V | tail -1 || true
}

headers_612_main() {
  local cache dest include version tmp
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/vfioscope"
  dest="$cache/headers-6.12"
  include="$dest/usr/include"
  log() { echo "[headers-6.12] $*" >&2; }

  if [ -f "$include/linux/iommufd.h" ]; then
    echo "$include"
    return 0
  fi
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
    log "needs apt-get and dpkg (Debian) to fetch linux-libc-dev 6.12"
    return 1
  }

  bpo_apt_config "$cache/apt-bpo"
  version="$(bpo_series_version linux-libc-dev 6.12)"
  if [ -z "$version" ]; then
    log "apt-get update (bookworm-backports, private lists in $BPO)"
    bpo_update || { log "apt-get update failed: $BPO/apt.log"; return 1; }
    version="$(bpo_series_version linux-libc-dev 6.12)"
  fi
  [ -n "$version" ] || {
    log "bookworm-backports has no linux-libc-dev 6.12.x (it has: $(bpo_candidate linux-libc-dev)); see $BPO/apt.log"
    return 1
  }

  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.headers-6.12.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT
  log "downloading linux-libc-dev $version into $tmp"
  download() { (cd "$tmp" && apt-get "${APT_OPTS[@]}" download "linux-libc-dev=$version") >>"$BPO/apt.log" 2>&1; }
  if ! download; then
    # stale lists name a version the mirror no longer has
    log "download failed; apt-get update and retrying"
    bpo_update && version="$(bpo_series_version linux-libc-dev 6.12)" && [ -n "$version" ] && download || {
      log "could not download linux-libc-dev 6.12: $BPO/apt.log"
      return 1
    }
  fi
  dpkg -x "$tmp"/linux-libc-dev_*.deb "$tmp/root"
  [ -f "$tmp/root/usr/include/linux/iommufd.h" ] || {
    log "linux-libc-dev $version has no usr/include/linux/iommufd.h"
    return 1
  }
  echo "$version" >"$tmp/root/version"
  # an earlier run killed between the steps above leaves no destination; anything else there is incomplete
  [ -f "$include/linux/iommufd.h" ] || rm -rf "$dest"
  mv -T "$tmp/root" "$dest" 2>/dev/null || [ -f "$include/linux/iommufd.h" ] || {
    log "could not move the headers into $dest"
    return 1
  }
  log "linux-libc-dev $version unpacked in $dest"
  echo "$include"
}

# run, not sourced
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  headers_612_main "$@"
fi
