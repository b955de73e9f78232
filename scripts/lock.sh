#!/usr/bin/env bash
# Refreshes requirements.lock: the exact versions of every Python package a fresh install
# gets, which scripts/bootstrap.sh then installs and nothing newer. Run it when pyproject.toml's
# dependencies change or to move to newer releases, then run the suite before committing.
set -euo pipefail

HELPLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${HELPLINE_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$PYTHON" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install -q --upgrade pip
# No constraints: the newest releases pyproject.toml allows.
"$scratch/venv/bin/python" -m pip install -q -e "$HELPLINE_ROOT[dev]"
{
  echo "# The exact versions the suite passed with; made by ./scripts/lock.sh, used by"
  echo "# scripts/bootstrap.sh (pip install -c). Do not edit by hand."
  "$scratch/venv/bin/python" -m pip freeze --exclude-editable
} > "$HELPLINE_ROOT/requirements.lock"
echo "requirements.lock: $(grep -vc '^#' "$HELPLINE_ROOT/requirements.lock") packages" >&2
