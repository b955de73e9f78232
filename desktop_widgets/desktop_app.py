"""Running one of the desktop apps: Qt and the session engine on one asyncio loop (qasync).

Both apps start the same way: check for a display first, then the window, then (with
``--events``) the same JSON lines the headless app prints, appended to a file a tester can
follow. SIGTERM and SIGINT close the window as a person would, so the session ends cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from client.headless_io import EventWriter
from client.session.outcome import ExitStatus
from desktop_widgets.display_check import missing_display
from desktop_widgets.engine_service import EngineService

GEOMETRY_VARIABLE = "HELPLINE_WINDOW_GEOMETRY"


def window_geometry(value: str) -> tuple[int, int, int, int] | None:
    """``HELPLINE_WINDOW_GEOMETRY=x,y,width,height`` (the demo places its two windows side
    by side with it); None when unset or not four whole numbers."""
    parts = value.split(",")
    if len(parts) != 4:
        return None
    try:
        x, y, width, height = (int(part) for part in parts)
    except ValueError:
        return None
    return (x, y, width, height) if width > 0 and height > 0 else None


def prepare_application(app: Any, prog: str) -> None:
    """The language, the look and the icon, before any window is built (the screenshots
    tour calls it too, so pictures show what people see)."""
    from desktop_widgets.i18n import install_language
    from desktop_widgets.look import apply_theme, icon

    try:
        install_language(app)
    except FileNotFoundError as exc:
        print(f"{prog}: {exc}; carrying on in English", file=sys.stderr)
    apply_theme(app)
    app.setWindowIcon(icon(prog))


class ServiceWindow(Protocol):
    service: EngineService

    def show(self) -> None: ...

    def setGeometry(self, x: int, y: int, w: int, h: int) -> None: ...


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
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(app_name)
    app.setOrganizationName("Helpline")
    prepare_application(app, prog)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = make_window()
    wanted = os.environ.get(GEOMETRY_VARIABLE, "")
    placed = window_geometry(wanted)
    if placed is not None:
        window.setGeometry(*placed)
    elif wanted:
        print(f"{prog}: {GEOMETRY_VARIABLE} must be x,y,width,height; ignored", file=sys.stderr)
    with contextlib.ExitStack() as stack:
        if events_path is not None:
            stream = stack.enter_context(events_path.open("a", encoding="utf-8"))
            window.service.event.connect(EventWriter(stream))
        window.show()
        closed = asyncio.Event()
        # The loop, not Qt, ends the run: it still has the session to end (see ``lifetime``).
        app.setQuitOnLastWindowClosed(False)
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
            loop.run_until_complete(lifetime(closed, window.service.shutdown))
    return ExitStatus.ENDED


# How long the tasks still running after the session's end (a websocket's keepalive, the
# peer connection's timers) get to take in their cancellation.
SETTLE_SECONDS = 5.0


async def lifetime(closed: asyncio.Event, shutdown: Callable[[], Awaitable[None]]) -> None:
    """The app's whole run on a loop that runs from start to end.

    qasync runs Qt's events once more after ``run_until_complete``, without a running loop:
    a task that wakes then (a websocket's keepalive whose timer fell due while the window
    closed) fails with "no running event loop" and prints a traceback. So the run is one
    ``run_until_complete``, and no task is left to wake when it returns: whatever still runs
    after the session ended is cancelled and awaited here, as ``asyncio.run`` does.
    """
    await closed.wait()
    await shutdown()
    others = asyncio.all_tasks() - {asyncio.current_task()}
    for task in others:
        task.cancel()
    if others:
        await asyncio.wait(others, timeout=SETTLE_SECONDS)
