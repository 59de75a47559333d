#!/usr/bin/env bash
# Renders media/icon.svg to media/icon.png (128×128, transparent corners) with headless chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '<html><body style="margin:0;background:transparent">%s</body></html>' "$(cat media/icon.svg)" > "$tmp/icon.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
  --default-background-color=00000000 --window-size=128,128 --screenshot="$PWD/media/icon.png" "file://$tmp/icon.html" 2>/dev/null
file media/icon.png
