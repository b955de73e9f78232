"""Retake the desktop apps' screenshots in every variant, then the contact sheet.

    python scripts/screenshots.py [OUT_DIR]      # default docs/screenshots

Each variant runs the real apps against a throwaway server (``tests.ui.tour`` and
``tests.ui.device_tour``) on a virtual display of its own: light (no suffix, the names the
README has always used), dark (``-dark``, HELPLINE_THEME=dark), French (``-fr``,
HELPLINE_LANG=fr) and 200 % (``-200``, QT_SCALE_FACTOR=2). Then ``contact-sheet.png`` shows
them all, labelled, on one page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.display import start_xvfb  # noqa: E402

VARIANTS: dict[str, dict[str, str]] = {
    "": {"HELPLINE_THEME": "light", "HELPLINE_LANG": "en"},
    "-dark": {"HELPLINE_THEME": "dark", "HELPLINE_LANG": "en"},
    "-fr": {"HELPLINE_THEME": "light", "HELPLINE_LANG": "fr"},
    "-200": {"HELPLINE_THEME": "light", "HELPLINE_LANG": "en", "QT_SCALE_FACTOR": "2"},
}
TOURS = ("tests.ui.tour", "tests.ui.device_tour", "tests.ui.still_tour")


def take(out: Path, suffix: str, env: dict[str, str]) -> None:
    scale = float(env.get("QT_SCALE_FACTOR", "1"))
    xvfb, display = start_xvfb(int(1920 * scale), int(1000 * scale))
    try:
        for module in TOURS:
            subprocess.run(
                [sys.executable, "-m", module, str(out), suffix],
                cwd=ROOT,
                env={**os.environ, **env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(f"screenshots: {module} {suffix or '(light)'}", flush=True)
    finally:
        xvfb.terminate()
        xvfb.wait()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    for suffix, env in VARIANTS.items():
        take(out, suffix, env)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "contact_sheet.py"), str(out)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
