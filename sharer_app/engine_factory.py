"""The sharer's engine wired to this machine: real screen capture and real input injection."""

from __future__ import annotations

from common.media.capture_track import ScreenCaptureTrack
from common.media.codecs import prefer_codecs
from common.media.monitors import monitor_geometry
from sharer_app.injector import InputInjector

from common.app_settings import AppSettings
from common.session.sharer_engine import SharerEngine


def build_engine(settings: AppSettings) -> SharerEngine:
    geometry = monitor_geometry(settings.monitor)
    return SharerEngine(
        settings,
        injector=InputInjector(geometry),
        track_factory=lambda: ScreenCaptureTrack(
            monitor=settings.monitor, max_fps=settings.max_fps
        ),
        prepare_transceiver=prefer_codecs,
    )
