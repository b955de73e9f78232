#!/usr/bin/env bash
# Sourced by the README's commands: makes a fresh Linux machine ready (system packages,
# virtual environment, Python packages) and does nothing on a machine that already is.
set -euo pipefail

HELPLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HELPLINE_VENV:-$HELPLINE_ROOT/.venv}"
PYTHON="${HELPLINE_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# Xvfb and xdotool for the virtual display; the libraries Qt's xcb platform plugin loads;
# coturn, the TURN relay the field tests (and a deployment) run; PostgreSQL and Redis, which
# the storage and replica tests start on loopback; chromium, the browser the console's tests
# drive through Playwright (a browser download does not work offline); lintian, patchelf and
# binutils (strip) for the .deb packages; debootstrap and systemd-container (systemd-nspawn)
# boot the fresh Debian machine the packages are installed on in tests/packaging.
DEB_PACKAGES=(xvfb xdotool x11-utils libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4
  libxcb-keysyms1 libxcb-render-util0 libxcb-image0 libxcb-shape0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core coturn postgresql redis-server
  chromium lintian patchelf binutils debootstrap systemd-container)

missing_debs() {
  local pkg
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_debs() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "helpline: not a Debian system; install Xvfb and xdotool yourself" >&2; return 0; }
  local missing
  missing=$(missing_debs)
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "helpline: installing system packages: $(echo $missing | tr '\n' ' ')" >&2
  $sudo apt-get update -qq >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >&2
}

install_venv() {
  local stamp="$VENV/.helpline-installed"
  local want
  # A change to the dependencies or to the versions they are locked at reinstalls.
  want=$(cat "$HELPLINE_ROOT/pyproject.toml" "$HELPLINE_ROOT/requirements.lock" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  echo "helpline: installing Python packages into $VENV" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  # Exactly the versions in requirements.lock (./scripts/lock.sh refreshes it), so a new
  # release of a dependency cannot change a fresh install.
  "$VENV/bin/python" -m pip install -q -c "$HELPLINE_ROOT/requirements.lock" -e "$HELPLINE_ROOT[dev]" >&2
  echo "$want" > "$stamp"
}

install_debs
install_venv
export PATH="$VENV/bin:$PATH"
