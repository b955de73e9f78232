#!/usr/bin/env bash
# Build the installable Helpline: PyInstaller one-folder bundles of helpline-helper,
# helpline-sharer (with the device agent) and helpline-signaling, then, on Debian and Ubuntu,
# their .deb packages. The same spec file builds the bundles on Windows and macOS (see
# packaging/README.md); the .deb step runs only where dpkg-deb exists.
#
#   ./scripts/build.sh [--dist DIR] [--config helpline.toml] [--no-deb]
#
# Leaves dist/helpline-helper/helpline-helper, dist/helpline-sharer/helpline-sharer,
# dist/helpline-signaling/helpline-signaling and dist/*.deb.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$HELPLINE_ROOT"

DIST="$HELPLINE_ROOT/dist"
CONFIG="$HELPLINE_ROOT/packaging/helpline.toml"
DEB=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$(realpath -m "$2")"; shift 2 ;;
    --config) CONFIG="$(realpath "$2")"; shift 2 ;;
    --no-deb) DEB=0; shift ;;
    *) echo "build.sh: unknown option $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done
WORK="$DIST/.work"
mkdir -p "$WORK"

echo "== third-party notices"
python packaging/notices.py "$WORK/THIRD-PARTY-NOTICES.txt"
echo "== bundles (PyInstaller)"
HELPLINE_NOTICES="$WORK/THIRD-PARTY-NOTICES.txt" pyinstaller --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/pyinstaller/helpline.spec
if [ "$DEB" = 1 ] && command -v dpkg-deb >/dev/null 2>&1; then
  echo "== Debian packages"
  python packaging/deb/build_debs.py --dist "$DIST" --config "$CONFIG" \
    --notices "$WORK/THIRD-PARTY-NOTICES.txt"
fi
