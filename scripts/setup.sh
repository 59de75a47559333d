#!/usr/bin/env bash
# Installs what the test tiers and the demo need on a fresh Debian/Ubuntu machine.
# Idempotent: each step checks first and is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { printf 'setup: %s\n' "$*" >&2; }

APT_PKGS=(openssh-server rsync rclone fuse3 radosgw ceph-mon ceph-osd chromium ripgrep libkrb5-dev iproute2 git tar)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi

# code-server (a real VS Code) lives outside node_modules: it is big, needs install-time
# workarounds, and is only for tests and the demo. Its native modules (node-pty, spdlog, watcher)
# are built by install scripts, which npm 11 skips unless allowed.
CS_DIR="${SKY_CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
CS_VERSION=4.100.3
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "installing code-server $CS_VERSION into $CS_DIR"
  mkdir -p "$CS_DIR"
  # @vscode/ripgrep downloads rg from GitHub unless a cached archive is present; Debian's rg is the same 13.0.0.
  TMPDIR="${TMPDIR:-/tmp}"
  RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  if [ ! -f "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
    mkdir -p "$RG_CACHE/stage"
    cp /usr/bin/rg "$RG_CACHE/stage/rg"
    tar -czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$RG_CACHE/stage" rg
  fi
  (cd "$CS_DIR" && [ -f package.json ] || echo '{"name":"code-server-host","private":true}' > "$CS_DIR/package.json")
  (cd "$CS_DIR" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund --foreground-scripts=false "code-server@$CS_VERSION" >"$CS_DIR/install.log" 2>&1) || {
    log "code-server install failed; see $CS_DIR/install.log"; tail -30 "$CS_DIR/install.log" >&2; exit 2; }
fi
# FUSE for the sandbox's node users, as udev would leave it (Debian's rule gives the device mode 0666).
# Machines without udev (VMs, containers, CI) have /dev/fuse as crw------- root, and every unprivileged `rclone mount` then fails. This is host set-up,
# like the apt packages above: the product itself never changes /dev/fuse, it reports it (see the
# node probe in src/engine/mounts/nodeScripts.ts).
if [ -c /dev/fuse ] && [ "$(stat -c %a /dev/fuse)" != 666 ]; then
  if [ "$(id -u)" = 0 ]; then chmod 0666 /dev/fuse && log "chmod 0666 /dev/fuse (no udev rule had done it)"
  else log "warning: /dev/fuse is $(stat -c %A /dev/fuse); run: sudo chmod 0666 /dev/fuse"; fi
fi
# Cluster nodes mount buckets with FUSE as a normal user; allow_other needs this line.
if [ ! -f /etc/fuse.conf ] || ! grep -q '^user_allow_other' /etc/fuse.conf; then
  echo user_allow_other >> /etc/fuse.conf 2>/dev/null || log "cannot enable user_allow_other in /etc/fuse.conf"
fi
# The real SkyPilot, for the differential test only (src/test/integration/oracle/): its own parse and
# validation judge our validator. The extension never needs Python. Base package only (no cloud
# extras): the oracle runs offline. Keep SKYPILOT_VERSION in step with the README's tracked version.
SKYPILOT_VERSION=0.14.1
SKY_VENV="$ROOT/.cache/skypilot-venv"
if [ "$("$SKY_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("skypilot"))' 2>/dev/null)" != "$SKYPILOT_VERSION" ]; then
  log "installing skypilot $SKYPILOT_VERSION into $SKY_VENV"
  python3 -m venv "$SKY_VENV"
  "$SKY_VENV/bin/pip" install -q --disable-pip-version-check "skypilot==$SKYPILOT_VERSION" >"$ROOT/.cache/skypilot-install.log" 2>&1 || {
    log "skypilot install failed; see $ROOT/.cache/skypilot-install.log"; tail -30 "$ROOT/.cache/skypilot-install.log" >&2; exit 2; }
fi
log "ready"
