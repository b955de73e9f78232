"""The helper's desktop app: Qt and the session engine on one asyncio loop (qasync)."""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from client.settings import AppSettings
from helper_app.views.main_window import HelperWindow
from helper_app.views.service import HelperService


def run_gui(settings: AppSettings) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Helpline Helper")
    app.setOrganizationName("Helpline")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    service = HelperService(settings)
    window = HelperWindow(service)
    window.show()
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    if settings.user:
        service.sign_in(settings.user)
    else:
        service.load_users()
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(service.shutdown())
    return 0
