"""The sharer's desktop app: Qt and the session engine on one asyncio loop (qasync)."""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from client.settings import AppSettings
from sharer_app.engine_factory import build_engine
from sharer_app.views.main_window import SharerWindow
from sharer_app.views.service import SharerService


def run_gui(settings: AppSettings, code: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Helpline")
    app.setOrganizationName("Helpline")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    service = SharerService(settings, build_engine)
    window = SharerWindow(service)
    window.show()
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    service.load_users()
    if code:
        window.entry_page.code.setText(code)
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(service.shutdown())
    return 0
