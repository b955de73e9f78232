#!/usr/bin/env bash
# The README's first command: a local demo with the server, the sharer app and the helper app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$HELPLINE_ROOT"
exec python scripts/demo.py "$@"
