"""The sharer's desktop app: with both ``--user`` and ``--code`` it connects at once (the
helper's card and the choice are still shown); with ``--code`` alone the code is filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client.settings import AppSettings
from desktop_widgets.desktop_app import run_desktop


def run_gui(settings: AppSettings, code: str | None = None, events_path: Path | None = None) -> int:
    def make_window() -> Any:
        from sharer_app.engine_factory import build_engine
        from sharer_app.views.main_window import SharerWindow
        from sharer_app.views.service import SharerService

        return SharerWindow(SharerService(settings, build_engine))

    def start(window: Any) -> None:
        window.service.load_users()
        if code:
            window.entry_page.code.setText(code)
            if settings.user:
                window.entry_page.submit()

    return run_desktop("helpline-sharer", "Helpline", make_window, start, events_path)
