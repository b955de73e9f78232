"""The sharer's screen as an aiortc video track: paced by deadline, cheap in motion, sharp still.

Two threads overlap the work of consecutive frames. The capture thread grabs on a deadline
clock (a grab every ``1/max_fps`` s measured from the last deadline, so grabbing, converting
and encoding fit inside the interval instead of adding to it), skips unchanged screens and
converts; the encoder thread encodes the newest converted frame. A frame the encoder could
not take in time is replaced by a newer one, never queued: a slow moment never becomes a
backlog.

With H.264 negotiated the track encodes itself (``ScreenEncoder``) and hands aiortc finished
packets: fast frames while the screen moves, then, once it has been still for
``sharp_after`` seconds, one sharp full-resolution frame. Otherwise (VP8) aiortc encodes
the frames. A still screen is polled ``idle_poll_hz`` times a second, or woken at once by
X11 damage events where the display reports them, and costs nothing else but a tiny refresh
every ``keyframe_interval`` seconds (it lets the receiver notice a lost last packet).

The send path obeys one bandwidth estimate (``client.media.bandwidth``), fed by the
receiver's REMB and reports: the pacer sends at its media rate, both gears' VBV follow it,
the link's fit (``LinkFit``) sets the motion frame rate and caps the size, and a sharp frame
cut short by the rate is refined by encoding the same still screen again until it is sharp.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from av.video.reformatter import VideoReformatter

from client.media.adaptation import LinkFit, ResolutionAdapter
from client.media.aiortc_internals import (
    keyframe_requested,
    observe_sender_feedback,
    resend_at_most_once_a_round_trip,
    take_keyframe_request,
)
from client.media.bandwidth import BandwidthEstimate, BandwidthSettings
from client.media.change_watcher import ChangeWatcher
from client.media.codecs import FULL_CHROMA_FORMAT, H264Decoding
from client.media.keyframe_requests import KeyframeRequests
from client.media.monitors import MonitorGeometry, monitor_geometry
from client.media.pacer import DEFAULT_RATE_BPS, pace
from client.media.screen_encoder import TIME_BASE, EncoderSettings, ScreenEncoder

log = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
PAUSED_GREY = 48
SHARP_FOLLOW_UP = 0.1
# Encoded frames handed to aiortc but not yet taken: more means the sender is behind, and
# the encoder waits (the capture thread meanwhile replaces stale frames) rather than queue.
# A change waits only for the changes ahead of it (see ``_Mailbox``).
MAX_IN_FLIGHT = 2
MOTION_FORMAT = "yuv420p"


@dataclass
class CaptureCounters:
    grabs: int = 0
    changes: int = 0
    refreshes: int = 0
    # Grabs woken by a damage report while the screen was quiet (not by a poll's timeout).
    damage_wakes: int = 0
    # Sharp frames (refining steps) dropped unsent because the screen changed meanwhile.
    sharp_dropped: int = 0


@dataclass
class _Job:
    frame: av.VideoFrame
    sharp: bool
    captured_at: float
    cost: float


class _Mailbox:
    """One slot between the two threads (a newer job replaces one not yet taken), and the
    count of encoded frames handed to aiortc but not yet taken, by gear.

    A job is taken only once the sender has room for it: a sharp one while fewer than
    ``MAX_IN_FLIGHT`` frames wait, a change while fewer than that many *changes* wait. The
    sharp frames waiting (refining steps of a screen that has just changed, each up to
    ``SHARP_STEP_SECONDS`` of the link) are dropped for the change, never sent before it.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._job: _Job | None = None
        self._closed = False
        self._waiting = {True: 0, False: 0}

    def put(self, job: _Job) -> None:
        with self._condition:
            self._job = job  # an untaken, stale one is dropped here
            self._condition.notify_all()

    def offer(self, job: _Job) -> None:
        """Put ``job`` in only if nothing newer waits (a refining step yields to a change)."""
        with self._condition:
            if self._job is None and not self._closed:
                self._job = job
                self._condition.notify_all()

    def take(self) -> _Job | None:
        with self._condition:
            while not self._closed and (self._job is None or not self._room(self._job.sharp)):
                self._condition.wait()
            job, self._job = self._job, None
            return job

    def _room(self, sharp: bool) -> bool:
        waiting = self._waiting[False] + (self._waiting[True] if sharp else 0)
        return waiting < MAX_IN_FLIGHT

    def handed(self, sharp: bool) -> None:
        """A frame went to aiortc's queue."""
        with self._condition:
            self._waiting[sharp] += 1

    def taken(self, sharp: bool) -> None:
        """A frame of that gear left the queue (sent, or dropped for a change)."""
        with self._condition:
            self._waiting[sharp] -= 1
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._job = None
            self._condition.notify_all()


@dataclass(frozen=True)
class _Handed:
    """An item in aiortc's queue, with its gear: waiting sharp ones give way to a change."""

    item: av.VideoFrame | av.Packet | None
    sharp: bool = False


class ScreenCaptureTrack(MediaStreamTrack):
    kind = "video"

    def __init__(
        self,
        monitor: int | MonitorGeometry = 1,
        max_fps: int = 30,
        *,
        encoder: EncoderSettings | None = None,
        sharp_after: float = 0.25,
        keyframe_interval: float = 2.0,
        idle_poll_hz: float = 10.0,
        idle_after: float = 0.5,
        adaptive: bool = True,
        send_rate_bps: float = DEFAULT_RATE_BPS,
        full_chroma: bool = True,
    ) -> None:
        super().__init__()
        if not 1 <= max_fps <= 60:
            raise ValueError("max_fps must be between 1 and 60")
        self.geometry = (
            monitor if isinstance(monitor, MonitorGeometry) else monitor_geometry(monitor)
        )
        self.frame_interval = 1.0 / max_fps
        self.sharp_after = sharp_after
        self.keyframe_interval = keyframe_interval
        self.idle_interval = 1.0 / idle_poll_hz
        self.idle_after = idle_after
        self.counters = CaptureCounters()
        self.adapter = ResolutionAdapter(self.frame_interval) if adaptive else None
        pixels = self.geometry.width * self.geometry.height
        self.link_fit = LinkFit(pixels, max_fps) if adaptive else None
        self.bandwidth: BandwidthEstimate | None = None
        self.last_size = (0, 0)
        self._encoder_settings = encoder or EncoderSettings()
        self._send_rate_bps = send_rate_bps
        self._encoder: ScreenEncoder | None = None
        self._sharp_format = MOTION_FORMAT
        self._full_chroma_allowed = full_chroma
        self._sender: RTCRtpSender | None = None
        self._fixed_scale = 1.0
        self._paused = False
        self._loss = 0.0
        self._stopping = False
        self._wake = threading.Event()
        self._mailbox = _Mailbox()
        self._keyframe_requests = KeyframeRequests()
        self._queue: asyncio.Queue[_Handed] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start = time.monotonic()
        self._last_pts = -1

    # ---- control -------------------------------------------------------------------

    @property
    def scale(self) -> float:
        if self.adapter is None:
            return self._fixed_scale
        return min(self.adapter.scale, self.link_fit.scale if self.link_fit else 1.0)

    @property
    def too_slow(self) -> bool:
        """The link is at the estimate's floor: too slow for the picture as it is."""
        return self.bandwidth is not None and self.bandwidth.at_floor

    def set_scale(self, scale: float) -> None:
        """Fix the motion scale (and stop adapting), e.g. for a slow link the caller knows of."""
        self.adapter = None
        self.link_fit = None
        self._fixed_scale = min(1.0, max(0.1, scale))

    def set_paused(self, paused: bool) -> None:
        """Paused: the helper sees a plain grey frame at once, and nothing is grabbed."""
        self._paused = paused
        self._wake.set()

    def report_loss(self, fraction: float) -> None:
        """The receiver's packet loss (from RTCP), so a lossy link also steps the size down."""
        self._loss = min(1.0, max(0.0, fraction))

    def encode_h264(
        self, sender: RTCRtpSender | None = None, decoding: H264Decoding | None = None
    ) -> None:
        """H.264 was negotiated: encode here, pace the sender, honour keyframe requests; with
        what the receiver's decoder takes (``decoding``), sharp pictures keep every pixel's
        colour and motion goes on across them."""
        decoding = decoding or H264Decoding()
        full_chroma = decoding.full_chroma and self._full_chroma_allowed
        self._sharp_format = FULL_CHROMA_FORMAT if full_chroma else MOTION_FORMAT
        self._encoder = ScreenEncoder(
            self._encoder_settings, separate_gears=decoding.separate_gears
        )
        self._sender = sender
        if sender is not None:
            start = min(BandwidthSettings.start_bps, self._send_rate_bps)
            estimate = BandwidthEstimate(
                BandwidthSettings(start_bps=start, max_bps=self._send_rate_bps),
                now=time.monotonic(),
            )
            pace(sender, estimate=estimate)
            resend_at_most_once_a_round_trip(sender, lambda: estimate.rtt, time.monotonic)
            if observe_sender_feedback(sender, lambda f: estimate.on_feedback(f, time.monotonic())):
                self.bandwidth = estimate

    def stop(self) -> None:
        if self.readyState == "live":
            self._stopping = True
            self._wake.set()
            self._mailbox.close()
            self._queue.put_nowait(_Handed(None))
        super().stop()

    # ---- aiortc --------------------------------------------------------------------

    async def recv(self) -> av.VideoFrame | av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for target in (self._capture_loop, self._encode_loop):
                threading.Thread(
                    target=target, name=f"capture-{target.__name__}", daemon=True
                ).start()
        handed = await self._queue.get()
        if self._encoder is None:
            # aiortc encodes frames itself: only the newest is worth its time.
            while handed.item is not None and not self._queue.empty():
                self._mailbox.taken(handed.sharp)
                handed = self._queue.get_nowait()
        if handed.item is None:
            raise MediaStreamError
        self._mailbox.taken(handed.sharp)
        return handed.item

    # ---- capture thread ------------------------------------------------------------

    def show(self, geometry: MonitorGeometry) -> None:
        """Capture another monitor from the next frame on (the session's monitor switch)."""
        self.geometry = geometry
        self._wake.set()

    def _capture_loop(self) -> None:
        try:
            self._capture()
        except Exception:
            # The screen went away (display closed, session locked): end the track cleanly.
            log.exception("screen capture stopped")
            self._deliver(None)

    def _capture(self) -> None:
        import mss

        g = self.geometry
        area = {"left": g.left, "top": g.top, "width": g.width, "height": g.height}
        watcher = ChangeWatcher.for_display(self._wake)
        reformatter = VideoReformatter()
        # With damage events the slow poll is only a safety net.
        idle_interval = max(self.idle_interval, 0.5) if watcher.reliable else self.idle_interval
        last_raw: bytes | bytearray | None = None
        last_change = last_submit = float("-inf")
        sharp_sent = paused_sent = False
        next_due = time.monotonic()
        seen = watcher.changes
        with contextlib.closing(watcher), mss.MSS() as screen:
            while not self._stopping:
                now = time.monotonic()
                quiet = now - last_change > self.idle_after
                wait = max(next_due - now, idle_interval if quiet else 0.0)
                if quiet:
                    # Whatever is due next of a still screen: its sharp picture, or a refresh.
                    due = last_change + self.sharp_after if not sharp_sent else float("inf")
                    due = min(due, last_submit + self.keyframe_interval)
                    wait = min(wait, max(0.0, due - now))
                watcher.armed = quiet
                if quiet and watcher.changes != seen:
                    wait = 0.0
                if wait > 0 and self._wake.wait(wait):
                    self._wake.clear()
                watcher.armed = False
                if quiet and watcher.changes != seen:
                    self.counters.damage_wakes += 1
                if self._stopping:
                    break
                started = time.monotonic()
                next_due = max(next_due + self._interval(), started)
                if self._paused:
                    if not paused_sent:
                        paused_sent = True
                        self._submit(self._grey(), sharp=True, at=started, cost=0.0)
                    last_raw, sharp_sent = None, True
                    continue
                paused_sent = False
                seen = watcher.changes
                if self.geometry != g:  # the helper switched monitors (show())
                    g, last_raw = self.geometry, None
                    area = {"left": g.left, "top": g.top, "width": g.width, "height": g.height}
                shot = screen.grab(area)
                self.counters.grabs += 1
                raw = shot.raw
                if raw != last_raw:
                    last_raw, last_change, sharp_sent = raw, started, False
                    self.counters.changes += 1
                    frame = _convert(reformatter, raw, shot.width, shot.height, self.scale)
                    cost = time.monotonic() - started
                    last_submit = self._submit(frame, sharp=False, at=started, cost=cost)
                elif not sharp_sent and started - last_change >= self.sharp_after:
                    sharp_sent = True
                    frame = self._sharp(reformatter, raw, shot.width, shot.height)
                    self._submit(frame, sharp=True, at=started, cost=0.0)
                    # A tiny refresh soon after: a lost tail packet of the big sharp frame is
                    # noticed (and resent) at once, not at the next refresh.
                    last_submit = started - self.keyframe_interval + SHARP_FOLLOW_UP
                elif started - last_submit >= self.keyframe_interval or self._asked_keyframe():
                    # The receiver lost a frame: on a still screen nothing else would reach
                    # the encoder thread to answer it until the next refresh.
                    self.counters.refreshes += 1
                    frame = self._sharp(reformatter, raw, shot.width, shot.height)
                    last_submit = self._submit(frame, sharp=True, at=started, cost=0.0)

    def _asked_keyframe(self) -> bool:
        return self._sender is not None and keyframe_requested(self._sender)

    def _sharp(
        self, reformatter: VideoReformatter, raw: bytes | bytearray, width: int, height: int
    ) -> av.VideoFrame:
        """The sharp gear's picture: full size, in full colour where the receiver decodes it."""
        return _convert(reformatter, raw, width, height, 1.0, self._sharp_format, sharp=True)

    def _interval(self) -> float:
        """The motion frame interval: the setting's, or longer when the link needs it."""
        link_fps = self.link_fit.fps if self.link_fit is not None else None
        return max(self.frame_interval, 1.0 / link_fps) if link_fps else self.frame_interval

    def _submit(self, frame: av.VideoFrame, *, sharp: bool, at: float, cost: float) -> float:
        self._mailbox.put(_Job(frame, sharp, at, cost))
        return at

    def _grey(self) -> av.VideoFrame:
        width, height = self.last_size if self.last_size[0] else (640, 360)
        grey = np.full((height, width, 3), PAUSED_GREY, dtype=np.uint8)
        return av.VideoFrame.from_ndarray(grey, format="rgb24").reformat(format="yuv420p")

    # ---- encoder thread ------------------------------------------------------------

    def _encode_loop(self) -> None:
        while (job := self._mailbox.take()) is not None:
            started = time.monotonic()
            frame = job.frame
            frame.pts = self._pts(job.captured_at)
            frame.time_base = TIME_BASE
            self.last_size = (frame.width, frame.height)
            if self._encoder is None:
                self._deliver(frame, sharp=job.sharp)
                continue
            if self._sender is not None and take_keyframe_request(self._sender):
                answered = self._keyframe_requests.answer(started)
                log.info(
                    "keyframe requested by the receiver",
                    extra={"sharp": job.sharp, "answered": answered},
                )
                if answered:
                    self._encoder.request_keyframe()
            self._follow_bandwidth(self._encoder)
            encoded = self._encoder.encode(frame, sharp=job.sharp)
            if encoded.keyframe and self.bandwidth is not None:
                self._keyframe_requests.sent(
                    encoded.size, started, self.bandwidth.media_bps, self.bandwidth.rtt
                )
            if self._encoder.refining:
                self._mailbox.offer(job)
            if self.adapter is not None and not job.sharp:
                # The slower of the two stages sets the pace the machine can keep.
                cost = max(job.cost, time.monotonic() - started)
                self.adapter.observe(cost, self._loss)
            for packet in encoded.packets:
                self._deliver(packet, sharp=job.sharp)

    def _follow_bandwidth(self, encoder: ScreenEncoder) -> None:
        if self.bandwidth is None:
            return
        rate = self.bandwidth.media_bps
        if self.link_fit is not None:
            self.link_fit.update(rate)
        encoder.set_rate(rate, self.link_fit.fps if self.link_fit else 1.0 / self.frame_interval)

    def _pts(self, captured_at: float) -> int:
        pts = max(self._last_pts + 1, int((captured_at - self._start) * VIDEO_CLOCK_RATE))
        self._last_pts = pts
        return pts

    def _deliver(self, item: Any, *, sharp: bool = False) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            if item is not None:  # the end of the track is never waited for
                self._mailbox.handed(sharp)
            loop.call_soon_threadsafe(self._enqueue, _Handed(item, sharp))

    def _enqueue(self, handed: _Handed) -> None:
        """On the event loop: a change goes in after the changes already waiting, and the
        sharp frames waiting (of the screen as it was) are dropped: the next sharp picture
        starts afresh with a keyframe of its own, so none of them is ever needed."""
        if not handed.sharp and handed.item is not None:
            kept = []
            while not self._queue.empty():
                waiting = self._queue.get_nowait()
                if waiting.sharp:
                    self.counters.sharp_dropped += 1
                    self._mailbox.taken(True)
                else:
                    kept.append(waiting)
            for waiting in kept:
                self._queue.put_nowait(waiting)
        self._queue.put_nowait(handed)


def _convert(
    reformatter: VideoReformatter,
    raw: bytes | bytearray,
    width: int,
    height: int,
    scale: float,
    pix_fmt: str = MOTION_FORMAT,
    *,
    sharp: bool = False,
) -> av.VideoFrame:
    # The grab's own pixels, wrapped (the frame keeps them alive) rather than copied into
    # a new frame: 8 MB less to allocate and write at 1080p, 0.7 ms of CPU a frame here.
    pixels = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    frame = av.VideoFrame.from_numpy_buffer(pixels, format="bgra")
    out_w = max(2, int(width * scale) & ~1)
    out_h = max(2, int(height * scale) & ~1)
    interpolation = _interpolation(scale, pix_fmt, sharp)
    return reformatter.reformat(
        frame, width=out_w, height=out_h, format=pix_fmt, interpolation=interpolation
    )


def _interpolation(scale: float, pix_fmt: str, sharp: bool) -> str:
    """Point sampling wherever no pixel is made from several: 4:4:4 at full size (the same
    picture as bilinear, bit for bit, in 3.6 ms of CPU instead of 4.7 for 1080p) and motion
    at full size (colour taken from one pixel in four instead of their mean: 34.4 dB
    against 36.0 before encoding, 2 ms of the 5.6 saved on every busy frame). Text shrunk
    for motion, and the sharp 4:2:0 picture, keep the bilinear filter."""
    if scale == 1.0 and (pix_fmt == FULL_CHROMA_FORMAT or not sharp):
        return "POINT"
    return "BILINEAR"
