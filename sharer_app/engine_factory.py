"""The sharer's engine wired to this machine: real screen capture and real input injection."""

from __future__ import annotations

from client.media.capture_track import ScreenCaptureTrack
from client.media.injector import InputInjector
from client.media.monitors import monitor_geometry
from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings


def build_engine(settings: AppSettings) -> SharerEngine:
    geometry = monitor_geometry(settings.monitor)
    return SharerEngine(
        settings,
        injector=InputInjector(geometry),
        track_factory=lambda: ScreenCaptureTrack(
            monitor=settings.monitor,
            max_fps=settings.max_fps,
            adaptive=settings.adaptive_resolution,
        ),
    )
