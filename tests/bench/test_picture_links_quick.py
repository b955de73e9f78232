"""The picture benchmark over emulated links still runs end to end (issue 25).

Quick mode: the unlimited link and the 5 Mbit/s home uplink, Helpline and the plain share
through each. What is checked is that every figure of the report is produced, the baseline
is measured through the same link, the link really carried (and lost) the sharer's
packets, and each session's outcome is reported, never how fast anything is.

One more check is about the product: that Helpline's session stays up and shows a picture
at 5 Mbit/s. Today it does not (the sender has no congestion control; issue 25), so it is
marked as an expected failure, strictly: once the send path follows the link, it passes,
the strict mark turns that into a failure, and the mark must go, making it a real check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.bench.quick_run import run_quick

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/dev/net/tun").exists(),
    reason="the link emulator needs root and /dev/net/tun (network namespaces, TUN devices)",
)
FIELDS = (
    "first_frame_s",
    "busy",
    "sharpening",
    "colour_text_rgb_psnr",
    "session",
)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("links")
    text, results = run_quick("bench.picture_bench", tmp_path, timeout=1100, args=["--links"])
    return text, results["profiles"]


@pytest.mark.timeout(1200)
def test_every_figure_for_both_contenders_on_both_links(
    measured: tuple[str, list[dict[str, Any]]],
) -> None:
    text, profiles = measured
    assert [p["profile"]["name"] for p in profiles] == ["unlimited", "5 Mbit/s, 20 ms, 0.5 %"]
    for profile in profiles:
        for name in ("helpline", "plain"):
            result = profile[name]
            assert "error" not in result, (profile["profile"]["name"], name, result.get("error"))
            for field in FIELDS:
                assert field in result, (profile["profile"]["name"], name, field)
            assert isinstance(result["session"]["stayed_up"], bool)
            busy = result["busy"]
            for key in ("painted_fps", "latency_ms", "latency_quarters_ms", "kbit_s"):
                assert key in busy, key
            assert len(busy["latency_quarters_ms"]) == 4
            assert "ssim_097_after_s" in result["sharpening"]
            assert set(result["colour_text_rgb_psnr"]) >= {"red_on_black", "blue_on_white"}

    unlimited, slow = profiles
    for name in ("helpline", "plain"):
        fast = unlimited[name]
        assert fast["session"]["stayed_up"], name
        # A picture came; how many frames a 3 s busy window paints is the machine's load.
        assert fast["first_frame_s"] is not None, name
        assert fast["busy"]["painted_fps"] is not None, name
        assert fast["colour_text_rgb_psnr"]["red_on_black"] is not None, name
        assert fast["sharpening"]["final_ssim"] is not None, name
        assert "link" not in fast  # no link: loopback
        link = slow[name]["link"]
        assert link["packets_up"] > 0 and link["packets_down"] > 0, name
        assert link["lost_up"] > 0, f"{name}: 0.5 % random loss took nothing"
        assert link["rtp_streams_up"], f"{name}: no RTP from the sharer crossed the link"
    assert "## Picture over real links" in text and "plain aiortc share" in text
    assert "5 Mbit/s, 20 ms, 0.5 %" in text


@pytest.mark.timeout(1200)
def test_helpline_shows_the_picture_and_stays_up_at_5_mbit(
    measured: tuple[str, list[dict[str, Any]]],
) -> None:
    slow = measured[1][1]["helpline"]
    assert slow["session"]["stayed_up"], slow["session"]
    assert slow["first_frame_s"] is not None
    assert slow["busy"]["painted_fps"] > 0
