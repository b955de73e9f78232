#!/usr/bin/env bash
# The README's test command: set up what is missing, then lint, type-check, check the
# layering and run the whole pytest suite (which starts its own Xvfb display).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$HELPLINE_ROOT"

echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== import-linter"
lint-imports
echo "== pytest"
pytest -p no:cacheprovider "$@"
