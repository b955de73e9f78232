"""The sharer's desktop app: with both ``--user`` and ``--code`` it connects at once (the
helper's card and the choice are still shown); with ``--code`` alone the code is filled in."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from client.settings import AppSettings
from desktop_widgets.desktop_app import run_desktop


def run_gui(
    settings: AppSettings,
    code: str | None = None,
    events_path: Path | None = None,
    with_agent: bool = False,
    await_help: bool = False,
    data_dir: Path | None = None,
) -> int:
    """``await_help``: the enrolled device (its data in ``data_dir``) waits for help requests
    from the start, beside the code entry."""

    def make_window() -> Any:
        from sharer_app.engine_factory import build_engine
        from sharer_app.views.main_window import SharerWindow
        from sharer_app.views.service import SharerService

        factory = functools.partial(build_engine, data_dir=data_dir)
        return SharerWindow(SharerService(settings, factory))

    def start(window: Any) -> None:
        if with_agent:
            _start_tray_agent(window)
        window.service.load_users()
        if await_help:
            window.awaits_help = True
            window.service.await_help(settings.user)
        if code:
            window.entry_page.code.setText(code)
            if settings.user:
                window.entry_page.submit()

    return run_desktop("helpline-sharer", "Helpline", make_window, start, events_path)


def _start_tray_agent(window: Any) -> None:
    """The enrolled device's agent in the tray; without an enrolment there is nothing to run."""
    from PySide6.QtWidgets import QApplication

    from client.devices.enrolment import device_identity
    from client.devices.home import DeviceHome
    from sharer_app.views.device_tray import DeviceTray

    home = DeviceHome.at(None)
    identity = device_identity(home)
    if identity is None:
        window.statusBar().showMessage("This device is not enrolled: no device agent runs.")
        return
    window.device_tray = DeviceTray(window.service.settings, home, identity)
    QApplication.instance().lastWindowClosed.connect(window.device_tray.stop)
