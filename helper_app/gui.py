"""The helper's desktop app: signs in at once when a development user was given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client.settings import AppSettings
from desktop_widgets.desktop_app import run_desktop


def run_gui(settings: AppSettings, events_path: Path | None = None) -> int:
    def make_window() -> Any:
        from helper_app.views.main_window import HelperWindow
        from helper_app.views.service import HelperService

        return HelperWindow(HelperService(settings))

    def start(window: Any) -> None:
        if settings.user:
            window.service.sign_in(settings.user)
        else:
            window.service.load_users()

    return run_desktop("helpline-helper", "Helpline Helper", make_window, start, events_path)
