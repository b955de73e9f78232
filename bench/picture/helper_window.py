"""The real helper app's window, with its engine's events on stdout for the benchmark.

    python -m bench.picture.helper_window --server URL --user UPN   (on the helper's display)

It builds the very same HelperService and HelperWindow on a qasync loop as
``helper_app/gui.py`` does, fills the screen with the window so the picture is shown 1:1,
signs in and asks for a code. Each engine event is one JSON line with ``t``
(``time.monotonic()`` when it happened); with each ``stats`` line a ``bytes`` line gives
what the sharer has sent so far (the engine's ``bytes_received``), so the benchmark can tell
the bit rate. Closing stdin closes the window, as a person would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from client.session.events import EngineEvent, Stats
from client.settings import AppSettings
from desktop_widgets.desktop_app import lifetime
from helper_app.views.main_window import HelperWindow
from helper_app.views.service import HelperService


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "t": time.monotonic(), **fields}, default=str), flush=True)


def forward(event: EngineEvent) -> None:
    """The engine's events as JSON lines; its stats also as the bytes the bit rate needs."""
    fields = event.to_json_dict()
    emit(**fields)
    if isinstance(event, Stats) and event.bytes_received is not None:
        emit("bytes", received=event.bytes_received)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    service = HelperService(AppSettings(server=args.server, user=args.user))
    window = HelperWindow(service)
    window.setGeometry(app.primaryScreen().geometry())
    window.show()
    service.event.connect(forward)
    closed = asyncio.Event()
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(closed.set)

    def wait_for_eof() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(window.close)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    service.sign_in(args.user)
    with loop:
        loop.run_until_complete(lifetime(closed, service.shutdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
