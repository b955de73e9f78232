"""The capture track on a real display: change detection, sharp stills, pause, negotiation."""

from __future__ import annotations

import asyncio

import aiortc.rtcrtpreceiver
import av
import mss
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError

from client.media.aiortc_internals import decode_h264_by_gear
from client.media.bandwidth import BandwidthEstimate, BandwidthSettings
from client.media.capture_track import ScreenCaptureTrack
from client.media.codecs import (
    OUR_HELPER,
    H264Decoding,
    negotiated_video_codec,
    offer_decoding,
    offered_decoding,
    prefer_codecs,
)
from client.media.gear_decoder import SHARP_PARAMETER_SET_ID, GearDecoder, parameter_set_id
from tests.display_tools import ColouredRectangle, TextPage
from tests.picture_metrics import ssim

pytestmark = pytest.mark.display


def _screen_luma() -> np.ndarray:
    with mss.MSS() as screen:
        shot = screen.grab(screen.monitors[1])
    bgr = np.ascontiguousarray(np.asarray(shot)[:, :, :3])
    return av.VideoFrame.from_ndarray(bgr, format="bgr24").reformat(format="gray").to_ndarray()


async def _decoded(track: ScreenCaptureTrack, decoder, until) -> av.VideoFrame:
    """Decode the track's packets until ``until(frame)`` holds for a decoded frame."""
    while True:
        packet = await asyncio.wait_for(track.recv(), 10)
        for frame in decoder.decode(packet):
            if until(frame):
                return frame


def _is_blue(frame: av.VideoFrame) -> bool:
    r, g, b = (int(v) for v in frame.to_ndarray(format="rgb24")[70, 110])
    return b > 180 and r < 70 and g < 70


async def _frame_where(track: ScreenCaptureTrack, wanted) -> av.VideoFrame:
    while not wanted(frame := await track.recv()):
        pass
    return frame


async def test_frames_only_on_change_and_a_slow_refresh(xvfb_display):
    track = ScreenCaptureTrack(max_fps=30, keyframe_interval=0.5, sharp_after=0.1, adaptive=False)
    try:
        first = await track.recv()
        assert (first.width, first.height) == (1280, 800)
        await track.recv()  # the sharp copy of the same screen
        await track.recv()  # nothing changed: the refresh
        assert (track.counters.changes, track.counters.refreshes) == (1, 1)
        with ColouredRectangle(xvfb_display, x=10, y=20, width=200, height=100, rgb=(0, 0, 255)):
            # A busy X server may map the window black a moment before it paints it blue.
            await asyncio.wait_for(_frame_where(track, _is_blue), 20)
            assert track.counters.changes >= 2
    finally:
        track.stop()


async def test_still_text_becomes_sharp_at_full_size_after_cheap_motion(xvfb_display):
    """Motion may be sent small and rough; once still, the text is shown in full detail."""
    track = ScreenCaptureTrack(max_fps=30, adaptive=False)
    track.set_scale(0.5)
    track.encode_h264()
    decoder = av.CodecContext.create("h264", "r")
    try:
        with TextPage(xvfb_display, x=0, y=0, width=1280, height=800):
            source = _screen_luma()
            moving = await _decoded(track, decoder, lambda f: True)
            assert (moving.width, moving.height) == (640, 400)
            sharp = await _decoded(track, decoder, lambda f: f.width == 1280)
            assert sharp.key_frame, "the sharp picture starts afresh, not from the rough one"
            picture = sharp.reformat(format="gray").to_ndarray()
            assert ssim(picture, source) >= 0.97
    finally:
        track.stop()


async def _first_change_after_a_still_spell(display: str, decoding: H264Decoding) -> av.Packet:
    """The first moving frame's packet after a small rectangle appears on a screen that had
    gone still (its sharp picture sent: frames in full colour come only from the sharp gear)."""
    track = ScreenCaptureTrack(max_fps=30, adaptive=False, sharp_after=0.1, keyframe_interval=60)
    track.encode_h264(decoding=decoding)
    decoder = GearDecoder()

    async def next_frame() -> tuple[av.Packet, av.VideoFrame]:
        while True:
            packet = await asyncio.wait_for(track.recv(), 10)
            for frame in decoder.decode(JitterFrame(bytes(packet), packet.pts)):
                return packet, frame

    try:
        while (await next_frame())[1].format.name != "yuv444p":
            pass
        rectangle = {"x": 600, "y": 300, "width": 96, "height": 64, "rgb": (220, 30, 30)}
        with ColouredRectangle(display, **rectangle):
            while True:
                packet, frame = await next_frame()
                if frame.format.name == "yuv420p":
                    return packet
    finally:
        track.stop()


async def test_the_first_change_after_a_still_spell_is_a_p_frame_where_gears_decode_apart(
    xvfb_display,
):
    change = await _first_change_after_a_still_spell(xvfb_display, OUR_HELPER)
    assert not change.is_keyframe
    assert change.size < 20_000, "a small change costs little"


async def test_the_first_change_after_a_still_spell_is_a_keyframe_for_a_single_decoder(
    xvfb_display,
):
    change = await _first_change_after_a_still_spell(xvfb_display, H264Decoding(full_chroma=True))
    assert change.is_keyframe


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def test_a_quiet_screen_is_grabbed_again_on_damage_not_when_a_poll_comes_round(
    xvfb_display,
):
    """Once quiet, the capture thread sleeps until the X server reports drawing: with a safety
    poll of once in 1000 s, a change still comes at once, and it came by a damage wake."""
    track = ScreenCaptureTrack(
        max_fps=30,
        adaptive=False,
        sharp_after=0.1,
        idle_after=0.0,
        idle_poll_hz=0.001,
        keyframe_interval=3600,
    )
    try:
        await track.recv()  # the screen as it is; quiet from here on
        await asyncio.wait_for(_until(lambda: track.counters.refreshes == 1), 20)
        woken = track.counters.damage_wakes
        with ColouredRectangle(xvfb_display, x=10, y=20, width=200, height=100, rgb=(0, 0, 255)):
            await asyncio.wait_for(_frame_where(track, _is_blue), 20)
        assert track.counters.damage_wakes > woken
    finally:
        track.stop()


async def test_a_change_goes_before_the_sharp_steps_still_waiting_for_the_sender(
    private_display, monkeypatch
):
    """On a link slower than the sharp picture its refining steps wait for the sender; a
    change drawn meanwhile is the next thing sent, and the waiting steps of the screen as it
    was are dropped (the next sharp picture starts with a keyframe of its own). On a screen of
    its own: any other window's change would be a change too, and go first."""
    monkeypatch.setenv("DISPLAY", private_display)
    track = ScreenCaptureTrack(max_fps=30, adaptive=False, sharp_after=0.1, keyframe_interval=60)
    track.encode_h264(decoding=OUR_HELPER)
    track.bandwidth = BandwidthEstimate(BandwidthSettings(start_bps=2_000_000), now=0.0)
    decoder = GearDecoder()

    def decode(packet: av.Packet) -> list[av.VideoFrame]:
        return decoder.decode(JitterFrame(bytes(packet), packet.pts))

    try:
        with TextPage(private_display, x=0, y=0, width=1280, height=800):
            while True:  # up to the first sharp step; the sender then takes nothing a while
                packet = await asyncio.wait_for(track.recv(), 10)
                decode(packet)
                if parameter_set_id(bytes(packet)) == SHARP_PARAMETER_SET_ID:
                    break
            rectangle = {"x": 600, "y": 300, "width": 96, "height": 64, "rgb": (220, 30, 30)}
            with ColouredRectangle(private_display, **rectangle):
                await asyncio.wait_for(_until(lambda: track.counters.sharp_dropped > 0), 20)
                packet = await asyncio.wait_for(track.recv(), 10)
            assert parameter_set_id(bytes(packet)) == 0, "the change, from the motion gear"
            (frame,) = decode(packet)
            inside = frame.to_ndarray(format="rgb24")[310:354, 610:686].reshape(-1, 3)
            r, g, b = (int(v) for v in inside.mean(axis=0))
            assert r - max(g, b) > 30, ("it shows the change, however rough", r, g, b)
    finally:
        track.stop()


class _FakeTransport:
    async def _send_rtp(self, data: bytes) -> None:
        """Nothing is sent in these tests; the pacer wraps it."""


class _FakeSender:
    """What the track reads of aiortc's sender: the keyframe flag and the transport."""

    _RTCRtpSender__force_keyframe = False

    def __init__(self) -> None:
        self.transport = _FakeTransport()


async def test_a_keyframe_request_from_the_receiver_is_honoured(xvfb_display):
    sender = _FakeSender()
    track = ScreenCaptureTrack(max_fps=30, keyframe_interval=0.2, adaptive=False)
    track.encode_h264(sender)  # type: ignore[arg-type]
    decoder = av.CodecContext.create("h264", "r")
    try:
        await _decoded(track, decoder, lambda f: f.key_frame)  # the first, moving picture
        await _decoded(track, decoder, lambda f: f.key_frame)  # its sharp copy
        refresh = await _decoded(track, decoder, lambda f: True)
        assert not refresh.key_frame, "an unchanged screen is refreshed cheaply"
        sender._RTCRtpSender__force_keyframe = True
        # A refresh encoded just before the request may come first; the request is answered.
        await asyncio.wait_for(_decoded(track, decoder, lambda f: f.key_frame), 30)
        assert sender._RTCRtpSender__force_keyframe is False
    finally:
        track.stop()


async def test_a_keyframe_request_on_a_still_screen_is_answered_before_the_next_refresh(
    xvfb_display,
):
    """A receiver that lost the sharp frame asks again; with nothing changing on screen, no
    other picture would reach the encoder until the refresh (a minute here)."""

    sender = _FakeSender()
    track = ScreenCaptureTrack(max_fps=30, keyframe_interval=60, sharp_after=0.1, adaptive=False)
    track.encode_h264(sender)  # type: ignore[arg-type]
    decoder = av.CodecContext.create("h264", "r")
    try:
        await _decoded(track, decoder, lambda f: f.key_frame)  # the first, moving picture
        await _decoded(track, decoder, lambda f: f.key_frame)  # its sharp copy
        sender._RTCRtpSender__force_keyframe = True
        # The tiny follow-up of the sharp frame may come first; the next refresh is a minute
        # away, so a keyframe within half of it answers the request.
        again = await asyncio.wait_for(_decoded(track, decoder, lambda f: f.key_frame), 30)
        assert (again.width, again.height) == (1280, 800)
        assert track.counters.changes == 1, "the screen did not change: the request was answered"
    finally:
        track.stop()


async def test_pause_shows_grey_at_once_and_stops_grabbing(xvfb_display):
    track = ScreenCaptureTrack(max_fps=30, adaptive=False)
    try:
        await track.recv()
        track.set_paused(True)
        paused = await asyncio.wait_for(track.recv(), 5)
        while paused.to_ndarray(format="rgb24").std() > 3:  # frames grabbed just before
            paused = await asyncio.wait_for(track.recv(), 5)
        assert abs(int(paused.to_ndarray(format="rgb24")[10, 10, 0]) - 48) < 6
        grabs = track.counters.grabs
        await asyncio.sleep(0.3)  # a span in which an unpaused track grabs several times
        assert track.counters.grabs == grabs
        track.set_paused(False)
        await asyncio.wait_for(track.recv(), 5)
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


async def test_stopping_ends_the_track_cleanly(xvfb_display):
    track = ScreenCaptureTrack()
    await track.recv()
    track.stop()
    with pytest.raises(MediaStreamError):
        await track.recv()


async def _negotiate(order: tuple[str, ...]) -> tuple[str | None, tuple[int, int]]:
    """Two real peer connections, wired the way the engines wire them."""
    viewer, sharer = RTCPeerConnection(), RTCPeerConnection()
    track = ScreenCaptureTrack(max_fps=15, adaptive=False)
    received: asyncio.Future = asyncio.get_running_loop().create_future()
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
        sender = sharer.addTrack(track)
        await sharer.setLocalDescription(await sharer.createAnswer())
        codec = negotiated_video_codec(sharer.localDescription.sdp)
        if codec == "video/H264":
            track.encode_h264(sender)
        await viewer.setRemoteDescription(sharer.localDescription)
        size = await asyncio.wait_for(received, 30)
        return codec, size
    finally:
        track.stop()
        await viewer.close()
        await sharer.close()


async def test_h264_is_negotiated_first_and_decodes(xvfb_display):
    assert await _negotiate(("video/H264", "video/VP8")) == ("video/H264", (1280, 800))


async def test_vp8_when_h264_is_not_on_offer(xvfb_display):
    assert await _negotiate(("video/VP8",)) == ("video/VP8", (1280, 800))


async def test_motion_after_a_sharp_still_shows_on_a_real_receiver_that_keeps_gears_apart(
    xvfb_display, monkeypatch
):
    """The helper's way: a marked offer and GearDecoder in aiortc's own receiver thread."""
    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", aiortc.rtcrtpreceiver.get_decoder)
    decode_h264_by_gear()
    viewer, sharer = RTCPeerConnection(), RTCPeerConnection()
    track = ScreenCaptureTrack(max_fps=30, adaptive=False, sharp_after=0.1)
    frames: asyncio.Queue[av.VideoFrame] = asyncio.Queue()
    tasks: list[asyncio.Task] = []

    @viewer.on("track")
    def on_track(remote):
        async def pump():
            while True:
                frames.put_nowait(await remote.recv())

        tasks.append(asyncio.ensure_future(pump()))

    async def shown(wanted) -> av.VideoFrame:
        while not wanted(frame := await asyncio.wait_for(frames.get(), 20)):
            pass
        return frame

    try:
        prefer_codecs(viewer.addTransceiver("video", direction="recvonly"))
        await viewer.setLocalDescription(await viewer.createOffer())
        offer = offer_decoding(viewer.localDescription.sdp)
        await sharer.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        sender = sharer.addTrack(track)
        await sharer.setLocalDescription(await sharer.createAnswer())
        track.encode_h264(sender, offered_decoding(offer))
        await viewer.setRemoteDescription(sharer.localDescription)
        await shown(lambda f: f.format.name == "yuv444p")  # the sharp still
        with ColouredRectangle(xvfb_display, x=10, y=20, width=200, height=100, rgb=(0, 0, 255)):
            moving = await shown(lambda f: f.format.name == "yuv420p")
            assert not moving.key_frame, "motion went on from its own last frame"
            await shown(_is_blue)
    finally:
        for task in tasks:
            task.cancel()
        track.stop()
        await viewer.close()
        await sharer.close()
