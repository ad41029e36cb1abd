#!/usr/bin/env bash
# Finds or fetches Prometheus and promtool (Debian's `prometheus` package) and
# prints the directory holding both.
#
# Binaries on PATH are used as they are. Otherwise the package is fetched with
# `apt-get download` and unpacked with `dpkg -x` into
# ${XDG_CACHE_HOME:-~/.cache}/vfioscope/prometheus/ — never installed: an
# installed package starts a prometheus service of its own (systemd, or the
# init script where there is none) listening on :9090, and the test needs
# only its own, on its own loopback port. Idempotent: a second run only looks.
set -euo pipefail

log() { echo "[prometheus-setup] $*" >&2; }

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  dirname "$(command -v prometheus)"
  exit 0
fi

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vfioscope/prometheus"
BIN="$CACHE/root/usr/bin"
if [ -x "$BIN/prometheus" ] && [ -x "$BIN/promtool" ]; then
  echo "$BIN"
  exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
  log "needs apt-get and dpkg (Debian) to fetch the prometheus package, or prometheus and promtool on PATH"
  exit 1
}
mkdir -p "$CACHE"
# unpacked beside the destination and renamed into place: a concurrent run sees all of it or none
tmp="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# apt-get download runs as _apt where it can; let it write here
chmod 0777 "$tmp"
download() { (cd "$tmp" && apt-get -o DPkg::Lock::Timeout=900 download prometheus) >>"$CACHE/apt.log" 2>&1; }
log "downloading Debian's prometheus package (apt-get download)"
if ! download; then
  log "download failed; apt-get update and retrying"
  SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=900 update >>"$CACHE/apt.log" 2>&1 || { log "apt-get update failed: $CACHE/apt.log"; exit 1; }
  download || { log "apt-get download prometheus failed: $CACHE/apt.log"; exit 1; }
fi
dpkg -x "$tmp"/prometheus_*.deb "$tmp/root"
rm -rf "$CACHE/root"
mv "$tmp/root" "$CACHE/root"
log "prometheus $("$BIN/prometheus" --version 2>&1 | head -1 | awk '{print $3}') unpacked into $CACHE/root"
echo "$BIN"
