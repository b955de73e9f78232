"""The sharer's engine wired to this machine: real screen capture and real input injection.

The monitor is resolved here, once, for both halves: a monitor that does not exist is an
error before anything starts (``MonitorError``), never a silent fall-back to the first one.
"""

from __future__ import annotations

import functools
from pathlib import Path

from client.devices.enrolment import device_identity
from client.devices.home import DeviceHome
from client.media.admin_prompt import admin_prompt_watch
from client.media.capture_track import ScreenCaptureTrack
from client.media.injector import InputInjector
from client.media.monitors import MonitorGeometry, list_monitors, monitor_geometry
from client.media.screen_encoder import EncoderSettings
from client.session.shared_screens import SharedScreens
from client.session.sharer_engine import DeviceProver, SharerEngine, TrackFactory
from client.settings import AppSettings
from common.devices.signing import live_help_proof


def capture_track_factory(settings: AppSettings, geometry: MonitorGeometry) -> TrackFactory:
    """A new capture track per session, with every media setting the user can give."""

    def make() -> ScreenCaptureTrack:
        return ScreenCaptureTrack(
            monitor=geometry,
            max_fps=settings.max_fps,
            adaptive=settings.adaptive_resolution,
            encoder=EncoderSettings(motion_crf=settings.motion_crf, sharp_crf=settings.sharp_crf),
            send_rate_bps=settings.max_send_mbps * 1_000_000,
            full_chroma=settings.full_chroma,
        )

    return make


def device_prover(data_dir: Path | None = None) -> DeviceProver | None:
    """When this machine is an enrolled device (its key in the device data folder, or in
    ``data_dir``), every live-help sign-in carries a proof signed by that key, and the helper
    sees a proven device."""
    identity = device_identity(DeviceHome.at(data_dir))
    if identity is None:
        return None
    return functools.partial(live_help_proof, identity.key, identity.enrolment.device_id)


def build_engine(settings: AppSettings, data_dir: Path | None = None) -> SharerEngine:
    """``data_dir``: the enrolled device's data folder, when not the default one."""
    geometry = monitor_geometry(settings.monitor)
    injector = InputInjector(geometry)
    return SharerEngine(
        settings,
        injector=injector,
        track_factory=capture_track_factory(settings, geometry),
        device_prover=device_prover(data_dir),
        admin_prompts=admin_prompt_watch(),
        screens=SharedScreens(list_monitors(), settings.monitor, show_input=injector.show),
    )
