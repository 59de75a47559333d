#!/usr/bin/env bash
# The README's test command (`npm test`): set-up if needed, build, lint, then every tier.
# Each tier prints its own closing line "<tier>: N passed, N failed". A tier that cannot run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
npm run --silent build || { echo "build failed"; exit 1; }
npm run --silent lint || { echo "lint failed"; exit 1; }
mkdir -p test-results
status=0
run_tier() {
  local tier=$1; shift
  echo "=== tier: $tier"
  if ! "$@"; then
    status=1
    # A tier that crashed before its closing line still gets one, so the failure is visible.
    grep -q "^$tier: " "test-results/$tier.log" 2>/dev/null || echo "$tier: 0 passed, 1 failed"
  fi
}
tier_cmd() { local tier=$1; shift; "$@" 2>&1 | tee "test-results/$tier.log"; return "${PIPESTATUS[0]}"; }
TIERS=${SKY_TEST_TIERS:-unit integration vscode e2e}
for t in $TIERS; do
  case $t in
    unit) run_tier unit tier_cmd unit node out/src/test/runTier.js unit ;;
    integration) run_tier integration tier_cmd integration node out/src/test/runTier.js integration ;;
    vscode) run_tier vscode tier_cmd vscode node out/src/test/vscode/runVscodeTier.js ;;
    e2e) run_tier e2e tier_cmd e2e node out/src/test/e2e/runE2eTier.js ;;
  esac
done
echo "=== summary"
for t in $TIERS; do grep -h "^$t: [0-9]* passed" "test-results/$t.log" | tail -1; done
exit $status
