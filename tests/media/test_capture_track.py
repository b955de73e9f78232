"""The capture track on a real display: sizes, change detection, repeat and refresh."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCPeerConnection
from aiortc.contrib.media import MediaBlackhole

from client.media.capture_track import ScreenCaptureTrack
from client.media.codecs import prefer_codecs
from tests.display_tools import ColouredRectangle

pytestmark = pytest.mark.display


async def test_frames_only_on_change_plus_one_repeat_and_periodic_refresh(xvfb_display):
    track = ScreenCaptureTrack(max_fps=30, keyframe_interval=1.0, adaptive=False)
    try:
        first = await track.recv()
        assert (first.width, first.height) == (1280, 800)
        await track.recv()
        assert track.counters.repeats == 1, "the last change is sent once more"
        await track.recv()
        # Nothing changed: the third frame is the periodic refresh, and between them the
        # screen was grabbed several times without producing frames.
        assert (track.counters.changes, track.counters.refreshes) == (1, 1)
        assert track.counters.grabs > track.counters.frames_sent
        with ColouredRectangle(xvfb_display, x=10, y=20, width=200, height=100, rgb=(0, 0, 255)):
            changed = await asyncio.wait_for(track.recv(), 10)
            while track.counters.changes < 2:
                changed = await asyncio.wait_for(track.recv(), 10)
            rgb = changed.to_ndarray(format="rgb24")
            r, g, b = (int(v) for v in rgb[70, 110])
            assert b > 180 and r < 70 and g < 70, (r, g, b)
    finally:
        track.stop()


async def test_scale_and_pause(xvfb_display):
    track = ScreenCaptureTrack(max_fps=30, adaptive=False)
    try:
        track.set_scale(0.5)
        frame = await track.recv()
        assert (frame.width, frame.height) == (640, 400)
        track.set_paused(True)
        paused = await track.recv()
        grey = paused.to_ndarray(format="rgb24")
        assert abs(int(grey[10, 10, 0]) - 48) < 6 and grey.std() < 3
        grabs = track.counters.grabs
        track.set_paused(False)
        await track.recv()
        assert track.counters.grabs > grabs
    finally:
        track.stop()


async def test_an_odd_sized_scale_is_rounded_to_even(xvfb_display):
    track = ScreenCaptureTrack(adaptive=False)
    try:
        track.set_scale(0.333)
        frame = await track.recv()
        assert frame.width % 2 == 0 and frame.height % 2 == 0
    finally:
        track.stop()


async def _negotiate(order: tuple[str, ...]) -> tuple[str, tuple[int, int]]:
    viewer, sharer = RTCPeerConnection(), RTCPeerConnection()
    track = ScreenCaptureTrack(max_fps=15, adaptive=False)
    received: asyncio.Future = asyncio.get_running_loop().create_future()
    sink = MediaBlackhole()
    tasks: list[asyncio.Task] = []

    @viewer.on("track")
    def on_track(remote):
        async def first_frame():
            frame = await remote.recv()
            received.set_result((frame.width, frame.height))

        tasks.append(asyncio.ensure_future(first_frame()))

    try:
        prefer_codecs(viewer.addTransceiver("video", direction="recvonly"), order)
        await viewer.setLocalDescription(await viewer.createOffer())
        await sharer.setRemoteDescription(viewer.localDescription)
        sharer.addTrack(track)
        await sharer.setLocalDescription(await sharer.createAnswer())
        await viewer.setRemoteDescription(sharer.localDescription)
        size = await asyncio.wait_for(received, 30)
        codec = sharer.getTransceivers()[0].sender._RTCRtpSender__encoder.__class__.__name__
        return codec, size
    finally:
        track.stop()
        await sink.stop()
        await viewer.close()
        await sharer.close()


async def test_h264_is_negotiated_first(xvfb_display):
    codec, size = await _negotiate(("video/H264", "video/VP8"))
    assert codec == "H264Encoder"
    assert size == (1280, 800)


async def test_vp8_when_h264_is_not_on_offer(xvfb_display):
    codec, size = await _negotiate(("video/VP8",))
    assert codec == "Vp8Encoder"
    assert size == (1280, 800)
