// Bash run on the nodes for storage mounts. Each script is sent on stdin (`bash -s -- ARGS`) and
// takes its values as quoted positional arguments, so no path or bucket name is ever spliced into
// shell text. Exit codes are the contract with attach.ts (MOUNT_EXIT).
import { shellQuote } from '../ssh/quote';

export const MOUNT_EXIT = {
  notEmpty: 42,
  noRclone: 43,
  noFuse: 44,
  notDirectory: 45,
  noPermission: 46,
  mountFailed: 47,
  copyFailed: 48,
} as const;

/** Where per-mount state lives on a node (under the node user's home). */
export const NODE_DIRS = {
  conf: '.sky/rclone',
  logs: '.sky/rclone_log',
  cache: '.cache/sky-vscode/rclone',
};

/** `bash -s -- 'a' 'b'…`: the command line for a script given on stdin. */
export function scriptCommand(args: (string | number)[]): string {
  return `bash -s -- ${args.map((a) => shellQuote(String(a))).join(' ')}`;
}

// "~", "~/x" and relative paths are under $HOME; absolute paths stay.
const EXPAND = `expand() { case "$1" in "~") printf '%s' "$HOME";; "~/"*) printf '%s/%s' "$HOME" "\${1#\\~/}";; /*) printf '%s' "$1";; *) printf '%s/%s' "$HOME" "$1";; esac; }`;

// A FUSE mount at $1 is removed lazily (processes holding files keep working until they close).
const UNMOUNT = `unmount_if_mounted() { if findmnt -rn -M "$1" >/dev/null 2>&1 || mountpoint -q "$1" 2>/dev/null; then fusermount3 -uz "$1" 2>/dev/null || fusermount -uz "$1" 2>/dev/null || sudo -n umount -l "$1" 2>/dev/null || { echo "Cannot unmount the previous mount at $1." >&2; exit ${MOUNT_EXIT.mountFailed}; }; fi; }`;

// Creates $1 owned by the node user: directly, or with passwordless sudo for paths like /mnt/x.
const MAKE_DIR = `make_dir() { mkdir -p -- "$1" 2>/dev/null && [ -w "$1" ] && return 0; if sudo -n true 2>/dev/null; then sudo -n mkdir -p -- "$1" && sudo -n chown "$(id -u):$(id -g)" -- "$1" && return 0; fi; echo "Cannot create $1 on $(hostname): permission denied (and no passwordless sudo)." >&2; exit ${MOUNT_EXIT.noPermission}; }`;

/**
 * Probe (and install if possible): prints key=value lines. Installs rclone/fuse3 with passwordless
 * sudo + apt-get when missing (or not runnable), as SkyPilot installs its mount tools; `install=`
 * says what happened: none (nothing missing), ok, no-sudo, no-apt or failed.
 */
export const PROBE_SCRIPT = `set -u
have_fuse() { [ -c /dev/fuse ] && { command -v fusermount3 >/dev/null 2>&1 || command -v fusermount >/dev/null 2>&1; }; }
have_rclone() { rclone version >/dev/null 2>&1; }
install=none
if ! have_rclone || ! have_fuse; then
  if ! command -v apt-get >/dev/null 2>&1; then install=no-apt
  elif ! sudo -n true 2>/dev/null; then install=no-sudo
  else
    aptget() { sudo -n env DEBIAN_FRONTEND=noninteractive apt-get "$@" >/dev/null 2>&1; }
    if aptget install -y -qq rclone fuse3 || { aptget update -qq && aptget install -y -qq rclone fuse3; }; then install=ok; else install=failed; fi
  fi
fi
echo "install=$install"
echo "uid=$(id -u)"
echo "home=$HOME"
echo "rclone=$(rclone version 2>/dev/null | head -1 | sed -n 's/^rclone v\\([0-9.]*\\).*/\\1/p')"
if have_fuse; then echo fuse=1; else echo fuse=0; fi
# FUSE is usable only if the node user can open /dev/fuse read-write (fusermount3 is setuid, the
# device is not; root always can): a machine without udev leaves it crw------- root. A real open
# also catches a device the node denies whatever its mode (a container without --device /dev/fuse).
if [ -c /dev/fuse ] && { : <>/dev/fuse; } 2>/dev/null; then echo fuse_usable=1; else echo fuse_usable=0; fi
if [ -r /dev/fuse ] && [ -w /dev/fuse ]; then echo fuse_access=1; else echo fuse_access=0; fi
echo "fuse_mode=$(stat -c '%A %U:%G' /dev/fuse 2>/dev/null)"
echo "user=$(id -un)"
if [ "$(id -u)" = 0 ] || grep -qs '^[[:space:]]*user_allow_other' /etc/fuse.conf; then echo allow_other=1; else echo allow_other=0; fi
`;

/** Writes the rclone config from stdin to ~/.sky/rclone/$1.conf, readable by the user only. */
export function writeConfCommand(profile: string): string {
  return `umask 077 && mkdir -p ~/${NODE_DIRS.conf} && chmod 700 ~/${NODE_DIRS.conf} && cat > ~/${NODE_DIRS.conf}/${shellQuote(`${profile}.conf`)} && chmod 600 ~/${NODE_DIRS.conf}/${shellQuote(`${profile}.conf`)}`;
}

/**
 * Mount: $1 path, $2 remote (profile:bucket/key), $3 profile, $4 force (1 = mount over a non-empty
 * directory, hiding but keeping its files), $5 log id, then rclone flags.
 */
export const MOUNT_SCRIPT = `set -u
${EXPAND}
${UNMOUNT}
${MAKE_DIR}
P=$(expand "$1"); REMOTE=$2; PROFILE=$3; FORCE=$4; ID=$5; shift 5
unmount_if_mounted "$P"
if [ -e "$P" ] && [ ! -d "$P" ]; then echo "$P exists and is not a directory." >&2; exit ${MOUNT_EXIT.notDirectory}; fi
EXTRA=""
if [ -d "$P" ] && [ -n "$(ls -A -- "$P" 2>/dev/null)" ]; then
  if [ "$FORCE" != 1 ]; then echo "Mount path $P is not empty." >&2; exit ${MOUNT_EXIT.notEmpty}; fi
  EXTRA=--allow-non-empty
fi
make_dir "$P"
mkdir -p ~/${NODE_DIRS.logs}
LOG=~/${NODE_DIRS.logs}/$ID.log
: > "$LOG"
# rclone's S3 backend refuses to start when AWS_CA_BUNDLE is set. rclone runs in its own session with
# its stdio off the SSH channel, so it outlives this script; not with --daemon, whose --daemon-wait
# (rclone 1.60) does not notice a daemon that died and waits out its whole timeout. Here the wait
# ends as soon as the mount appears or rclone exits (bad flags, config, fusermount refusing).
env -u AWS_CA_BUNDLE setsid rclone mount --config ~/${NODE_DIRS.conf}/"$PROFILE".conf "$REMOTE" "$P" --log-file "$LOG" --log-level INFO $EXTRA "$@" </dev/null >"$LOG.out" 2>&1 &
PID=$!
END=$((SECONDS + 30))
until findmnt -rn -M "$P" >/dev/null 2>&1; do
  if ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID"; RC=$?
    echo "rclone mount exited (status $RC) before $P was mounted:" >&2; tail -q -n 20 "$LOG.out" "$LOG" >&2; exit ${MOUNT_EXIT.mountFailed}
  fi
  if [ "$SECONDS" -ge "$END" ]; then
    kill "$PID" 2>/dev/null
    echo "rclone did not mount $P within 30 s:" >&2; tail -q -n 20 "$LOG.out" "$LOG" >&2; exit ${MOUNT_EXIT.mountFailed}
  fi
  sleep 0.1
done
echo "mounted $P"
`;

/** COPY / URI download: $1 path, $2 remote, $3 profile, $4 "file" or "dir", then rclone flags. */
export const COPY_SCRIPT = `set -u
${EXPAND}
${UNMOUNT}
${MAKE_DIR}
P=$(expand "$1"); REMOTE=$2; PROFILE=$3; KIND=$4; shift 4
if [ "$KIND" = file ]; then
  D=$(dirname -- "$P"); make_dir "$D"; unmount_if_mounted "$P"
  VERB=copyto
else
  unmount_if_mounted "$P"
  if [ -e "$P" ] && [ ! -d "$P" ]; then echo "$P exists and is not a directory." >&2; exit ${MOUNT_EXIT.notDirectory}; fi
  make_dir "$P"; VERB=copy
fi
OUT=$(mktemp)
if ! env -u AWS_CA_BUNDLE rclone "$VERB" --config ~/${NODE_DIRS.conf}/"$PROFILE".conf "$REMOTE" "$P" "$@" >"$OUT" 2>&1; then
  echo "rclone $VERB failed:" >&2; tail -n 20 "$OUT" >&2; rm -f "$OUT"; exit ${MOUNT_EXIT.copyFailed}
fi
rm -f "$OUT"
echo "copied to $P"
`;

/**
 * Waits until no MOUNT_CACHED file is waiting for upload: rclone marks a cached file `"Dirty": true`
 * in its vfsMeta until the upload finishes. $1.. are cache dirs; prints `pending N` once a second.
 */
export const FLUSH_SCRIPT = `set -u
while :; do
  n=0
  for d in "$@"; do
    [ -d "$HOME/$d/vfsMeta" ] || continue
    c=$(grep -rlE '"Dirty":[[:space:]]*true' "$HOME/$d/vfsMeta" 2>/dev/null | wc -l)
    n=$((n + c))
  done
  echo "pending $n"
  [ "$n" = 0 ] && exit 0
  sleep 1
done
`;
