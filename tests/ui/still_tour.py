"""Screens no live session reaches on the demo's server, photographed from the real windows:
the consent page for a helper whose card is not verified (the scam guard's wait and words),
and the restart countdown.

``python -m tests.ui.still_tour OUT_DIR [SUFFIX]`` on an X display (scripts/screenshots.py
runs it with the session tours).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any


class _Keeper:
    """What ``build_all`` asks of pytest-qt's ``qtbot``: keep the windows alive."""

    def __init__(self) -> None:
        self.widgets: list[Any] = []

    def addWidget(self, widget: Any) -> None:
        self.widgets.append(widget)


def main(out_dir: str, suffix: str = "") -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_widgets.desktop_app import prepare_application
    from tests.ui.every_page import build_all

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    prepare_application(app, "helpline-sharer")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        windows = build_all(_Keeper(), loop.run_until_complete, Path(tmp))
        sharer, restart = windows["sharer"], windows["restart"]
        sharer.resize(720, 760)
        sharer.banner.hide()
        restart.resize(520, restart.sizeHint().height())
        loop.run_until_complete(asyncio.sleep(0.3))
        sharer.grab().save(str(out / f"sharer-consent-unverified{suffix}.png"))
        restart.grab().save(str(out / f"sharer-restart{suffix}.png"))
        for window in windows.values():
            window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:3] or ["docs/screenshots"])))
