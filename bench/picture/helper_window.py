"""The real helper app's window, with its engine's events on stdout for the benchmark.

    python -m bench.picture.helper_window --server URL --user UPN   (on the helper's display)

It builds the very same HelperService and HelperWindow on a qasync loop as
``helper_app/gui.py`` does, fills the screen with the window so the picture is shown 1:1,
signs in and asks for a code. Each engine event is one JSON line with ``t``
(``time.monotonic()`` when it happened); once a second a ``bytes`` line gives what the
peer connection's transport has received so far, so the benchmark can tell the bit rate
without a hook in the app. Closing stdin closes the window, as a person would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
import time
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from client.settings import AppSettings
from helper_app.views.main_window import HelperWindow
from helper_app.views.service import HelperService


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "t": time.monotonic(), **fields}, default=str), flush=True)


async def received_bytes(service: HelperService) -> int | None:
    """Bytes the transport has received from the sharer (media, RTCP and data channels)."""
    link = getattr(service.engine, "link", None)
    pc = getattr(link, "pc", None)
    if pc is None:
        return None
    report = await pc.getStats()
    totals = [s.bytesReceived for s in report.values() if getattr(s, "type", "") == "transport"]
    return sum(totals) if totals else None


async def report_bytes(service: HelperService) -> None:
    while True:
        await asyncio.sleep(1.0)
        with contextlib.suppress(Exception):  # no connection yet, or one being torn down
            total = await received_bytes(service)
            if total is not None:
                emit("bytes", received=total)


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
    service.event.connect(lambda name, fields: emit(name, **fields))
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)

    def wait_for_eof() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(window.close)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    service.sign_in(args.user)
    with loop:
        stats = loop.create_task(report_bytes(service))
        loop.run_until_complete(closed.wait())
        stats.cancel()
        loop.run_until_complete(service.shutdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
