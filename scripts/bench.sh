#!/usr/bin/env bash
# `npm run bench`: every benchmark next to the tool a user would otherwise run, in the same run.
# First what a user waits for (the CLI as a fresh process against the other tool as a fresh process),
# then the in-process engine figures (the extension host's engine stays warm).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
echo "== whole process: validate (vs yaml-language-server)"; node out/bench/validateProcess.js "${BENCH_ROUNDS:-5}"
echo "== whole process: exec (vs rsync)"; node out/bench/sync.js --process
echo "== whole process: storage upload/download (vs rclone)"; node out/bench/storageProcess.js "${BENCH_ROUNDS:-5}"
echo "== in process: validate (vs yaml-language-server)"; node out/bench/validate.js "${BENCH_ITER:-30}"
echo "== in process: sync (vs rsync -az)"; node out/bench/sync.js
echo "== in process: storage (vs rclone)"; node out/bench/storage.js
echo "== in process: mounts"; node out/bench/mounts.js
