#!/usr/bin/env bash
# Photographs every console page from a real server, real headless sessions and a real device
# agent, into docs/screenshots/console-*.png (the accessibility-scan test takes them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/bootstrap.sh
HELPLINE_CONSOLE_SCREENSHOTS="$root/docs/screenshots" \
  pytest tests/console/test_console_browser.py -k photographed -q
