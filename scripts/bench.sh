#!/usr/bin/env bash
# `npm run bench`: every benchmark next to the tool a user would otherwise run, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p .
echo "== validate (vs yaml-language-server)"; node out/bench/validate.js "${BENCH_ITER:-30}"
echo "== sync (vs rsync -az)"; node out/bench/sync.js
for b in out/bench/*.js; do
  case $(basename "$b") in validate.js|sync.js) ;; *) echo "== $(basename "$b" .js)"; node "$b" ;; esac
done
