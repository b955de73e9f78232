"""The sharer's settings reach its capture track, and a missing monitor stops the start."""

from __future__ import annotations

import pytest

from client.media.monitors import MonitorError, MonitorGeometry
from client.media.screen_encoder import EncoderSettings
from client.settings import AppSettings
from sharer_app import engine_factory


class TrackRecorder:
    def __init__(self, **kwargs) -> None:
        self.kwargs = kwargs


@pytest.mark.parametrize(("env", "adaptive"), [("false", False), ("true", True)])
def test_the_adaptive_setting_from_the_environment_reaches_the_track(monkeypatch, env, adaptive):
    monkeypatch.setenv("HELPLINE_ADAPTIVE_RESOLUTION", env)
    monkeypatch.setenv("HELPLINE_MAX_FPS", "24")
    monkeypatch.setenv("HELPLINE_SHARP_CRF", "20")
    monkeypatch.setattr(engine_factory, "ScreenCaptureTrack", TrackRecorder)
    geometry = MonitorGeometry(left=0, top=0, width=640, height=480)
    track = engine_factory.capture_track_factory(AppSettings(monitor=1), geometry)()
    assert track.kwargs == {
        "monitor": geometry,
        "max_fps": 24,
        "adaptive": adaptive,
        "encoder": EncoderSettings(motion_crf=28, sharp_crf=20),
        "send_rate_bps": 30_000_000,
        "full_chroma": True,
    }


@pytest.mark.display
def test_a_monitor_that_does_not_exist_is_an_error_not_the_first_one(xvfb_display):
    with pytest.raises(MonitorError, match="no monitor 3"):
        engine_factory.build_engine(AppSettings(monitor=3))
    engine = engine_factory.build_engine(AppSettings(monitor=1))
    engine.gate.stop()  # lets go of the injector's X connections
