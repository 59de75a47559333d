#!/usr/bin/env bash
# `npm run demo`: the main workflow on a sandbox of real servers (a 2-node SSH cluster in network
# namespaces, Ceph RGW for S3, Azurite), through the sky-vscode CLI:
#   validate → status → launch (sync workdir + file_mounts, a MOUNT_CACHED output bucket, setup, run on
#   both nodes) → the outputs in the bucket → queue → download → storage upload/ls/delete → down.
# `npm run demo -- --ui` opens the same sandbox in VS Code (code-server) and prints the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
UI=0
[ "${1:-}" = "--ui" ] && UI=1
bash scripts/setup.sh
[ -f dist/cli.js ] && [ -f out/src/test/sandbox/main.js ] || npm run --silent build
DEMO=$ROOT/.sandbox/demo
rm -rf "$DEMO"; mkdir -p "$DEMO"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cli() { printf '$ sky-vscode %s\n' "$*"; node dist/cli.js "$@"; }

step "Starting the sandbox (2 sshd nodes, Ceph RGW, Azurite)"
node out/src/test/sandbox/main.js up --dir "$DEMO/sandbox" > "$DEMO/sandbox.out" 2> "$DEMO/sandbox.err" &
SANDBOX_PID=$!
cleanup() { kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  [ -s "$DEMO/sandbox.out" ] && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$DEMO/sandbox.err" >&2; exit 1; }
  sleep 0.5
done
INFO=$(head -1 "$DEMO/sandbox.out")
eval "$(node -e 'const i=JSON.parse(process.argv[1]); for (const [k,v] of Object.entries(i.env)) if (v) console.log(`export ${k}=${JSON.stringify(v)}`); console.error(`sandbox up in ${i.startedInMs} ms (${i.mode}): nodes ${i.nodes.map(n=>n.alias+"="+n.ip).join(", ")}; S3 ${i.s3}; Azure ${i.azure}`)' "$INFO")"
echo "config: $SKY_VSCODE_HOME/config.yaml"

if [ "$UI" = 1 ]; then
  step "Opening the sandbox in VS Code (code-server)"
  npm run --silent package >/dev/null
  WS=$DEMO/workspace; cp -r examples "$WS"
  EXT=$DEMO/extensions; mkdir -p "$EXT"
  CS=.cache/code-server/node_modules/.bin/code-server
  EXTENSIONS_GALLERY='{}' XDG_CONFIG_HOME=$DEMO/xdg XDG_DATA_HOME=$DEMO/xdg-data "$CS" --extensions-dir "$EXT" --install-extension dist/sky-vscode.vsix >/dev/null
  PORT=${SKY_DEMO_PORT:-8080}
  echo "Open http://127.0.0.1:$PORT/?folder=$WS  (Ctrl-C to stop)"
  EXTENSIONS_GALLERY='{}' XDG_CONFIG_HOME=$DEMO/xdg XDG_DATA_HOME=$DEMO/xdg-data \
    "$CS" --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$DEMO/ud" --extensions-dir "$EXT" --config "$DEMO/cs.yaml" --disable-workspace-trust "$WS"
  exit 0
fi

step "Validate the task"
cli validate examples/quickstart/task.yaml
step "Clusters (from the sandbox's SSH config)"
cli status
step "Launch: sync workdir + file_mounts to both nodes, mount the MOUNT_CACHED output bucket, setup, run"
OUT_BUCKET=sky-demo-outputs-$(date +%s)
cli launch -c sky-sbx --env OUTPUT_BUCKET="$OUT_BUCKET" examples/quickstart/task.yaml
step "The run's metrics are in the output bucket (uploaded before the job was reported done)"
cli storage objects "s3://$OUT_BUCKET"
RUN_DIR=$(node dist/cli.js storage objects "s3://$OUT_BUCKET" --json | node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8")); process.stdout.write((o.folders||[])[0]||"")')
cli storage objects "s3://$OUT_BUCKET/$RUN_DIR"
cli storage ls
step "Job queue on the head"
cli queue -c sky-sbx
step "Download the worker's artifacts"
cli download -c sky-sbx-worker1 '~/sky_workdir/outputs' "$DEMO/artifacts-worker1"
ls -l "$DEMO/artifacts-worker1"
cat "$DEMO/artifacts-worker1/metrics-rank1.txt"
step "Storage: create a managed bucket from the quickstart's data, upload, list"
BUCKET=sky-demo-$(date +%s)
cli storage upload --name "$BUCKET" --store s3 examples/quickstart/data
cli storage ls
cli storage objects "s3://$BUCKET"
step "Delete the bucket (like sky storage delete)"
cli storage delete "$BUCKET" -y
step "Tear down: unmount the buckets on every node (the machines keep running)"
cli down -c sky-sbx -y
step "Done"
