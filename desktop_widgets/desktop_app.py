"""Running one of the desktop apps: Qt and the session engine on one asyncio loop (qasync).

Both apps start the same way: check for a display first, then the window, then (with
``--events``) the same JSON lines the headless app prints, appended to a file a tester can
follow. SIGTERM and SIGINT close the window as a person would, so the session ends cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from client.headless_io import EventWriter
from client.session.outcome import ExitStatus
from desktop_widgets.display_check import missing_display
from desktop_widgets.engine_service import EngineService

# The apps' icons (SVG, Apache-2.0, ours), also installed by the packages.
ICONS = Path(__file__).with_name("icons")


class ServiceWindow(Protocol):
    service: EngineService

    def show(self) -> None: ...


def run_desktop(
    prog: str,
    app_name: str,
    make_window: Callable[[], ServiceWindow],
    start: Callable[[ServiceWindow], None],
    events_path: Path | None,
) -> int:
    problem = missing_display()
    if problem:
        print(f"{prog}: {problem}", file=sys.stderr)
        return ExitStatus.FAILED
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(app_name)
    app.setOrganizationName("Helpline")
    app.setWindowIcon(QIcon(str(ICONS / f"{prog}.svg")))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = make_window()
    with contextlib.ExitStack() as stack:
        if events_path is not None:
            stream = stack.enter_context(events_path.open("a", encoding="utf-8"))
            window.service.event.connect(EventWriter(stream))
        window.show()
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(app.closeAllWindows))
        # Python runs signal handlers only between its own bytecodes, and Qt may sleep in C
        # for as long as nothing happens: a light tick lets a signal through within 0.2 s.
        tick = QTimer()
        tick.timeout.connect(lambda: None)
        tick.start(200)
        start(window)
        with loop:
            loop.run_until_complete(closed.wait())
            loop.run_until_complete(window.service.shutdown())
    return ExitStatus.ENDED
