"""The sharer's engine wired to this machine: real screen capture and real input injection."""

from __future__ import annotations

from common.app_settings import AppSettings
from common.media.capture_track import ScreenCaptureTrack
from common.media.monitors import monitor_geometry
from common.session.sharer_engine import SharerEngine
from sharer_app.injector import InputInjector


def build_engine(settings: AppSettings) -> SharerEngine:
    geometry = monitor_geometry(settings.monitor)
    return SharerEngine(
        settings,
        injector=InputInjector(geometry),
        track_factory=lambda: ScreenCaptureTrack(
            monitor=settings.monitor, max_fps=settings.max_fps
        ),
    )
