"""H.264 made for screens: cheap frames while the picture moves, a sharp one once it stops.

aiortc's own encoder is built for camera video: 0.5 to 3 Mbit/s whatever the content, no
preset, 30 fps. A screen of small text needs many bits once and almost none afterwards, so
the capture track encodes for itself and hands aiortc finished packets. Two gears, chosen
with numbers measured on this project's 2-core machine (docs/benchmarks.md has the runs):

- motion: libx264 ``ultrafast`` with the zero-latency tune at ``motion_crf`` 28: about 6 ms
  and 10-18 KB a 1080p frame of full-screen animation (``superfast``: 11 ms, too slow for
  60 fps beside capture and conversion). A VBV buffer of ``motion_burst_kbit`` caps the frame
  after a big change (a new window of text would otherwise be about 850 KB): it arrives rough
  but at once, and the sharp gear brings the detail.
- sharp: once the screen is still, one IDR frame at full resolution, ``superfast`` at
  ``sharp_crf`` 26 with deblocking, adaptive quantisation and psycho-visual tuning off (they
  are made for camera pictures and blur glyph edges: with them on, the same frame scores
  34.7 dB). On a dense screen of 10 pt text at 1080p: PSNR 40.5 dB, SSIM 0.999, about
  800 KB, once.

With a helper that decodes it (``full_chroma``, negotiated in ``client.media.codecs``) the
sharp gear is High 4:4:4 Predictive: every pixel keeps its own colour, so red error text on
black and syntax colours stay as crisp as black on white. Black-on-white text costs the same
as in 4:2:0 (its colour planes are flat); a page of coloured text costs about twice as much.
``sharp_chroma_qp_offset`` spends a little more on colour: on a dense page of red-on-black
and blue-on-white 10 pt text, RGB PSNR 39.0 dB (4:2:0 at the same CRF: 24.0 dB).

Each gear has its own encoder context. The motion gear's stays open (warm) through a still
spell: reopening libx264 for 1080p costs 20-30 ms, paid exactly when the screen starts to
move again. The sharp gear starts afresh each spell: a warm CRF context spends less on
each later IDR (the same page: 39.6, then 36.3, then 34.5 dB), and it starts with an IDR.

Where the receiver decodes each gear with a decoder of its own (``separate_gears``: our
helper's ``client.media.gear_decoder``, told apart by the sharp gear's parameter set id),
motion after a still spell goes on from the motion gear's last frame: the first change is
a P-frame of a few hundred bytes instead of a motion IDR of the whole screen (about 50 KB
for a page of text, up to the VBV cap). Otherwise one decoder would mix the two gears'
references, so each change of gear starts with an IDR. A keyframe request from the
receiver (RTCP PLI/FIR) restarts both gears.

On a link slower than the sharp frame (``set_rate``, from the bandwidth estimate) both gears'
VBV follow the rate: a motion frame at most ``MOTION_BURST_SECONDS`` of it, and the sharp
frame at most ``SHARP_STEP_SECONDS`` of it. Capped so, the sharp frame comes rough and the
same still screen encoded again (``refining``) sharpens it step by step at a falling
quantiser: on the benchmark's 10 pt text page at 5 Mbit/s, SSIM 0.947 after the first
step and 0.981 after the second (0.8 s) against 1.4 s for the one 607 KB frame.

x264 decides alone when a refining step has nothing left to add, and it can be wrong: on a
page of coloured text at 20 Mbit/s the capped frame (880 KB) scored 34.7 dB on luma and the
next step was 80 bytes, so the picture stayed there for as long as the screen stayed still
(the uncapped frame scores 41.9 dB). So while refining, the sharer decodes its own sharp
gear (the screen is still: the CPU is free) and measures it against the screen. A step that
adds next to nothing to a picture still short of ``SHARP_ENOUGH_DB`` starts the gear again
with twice the step (an IDR within 0.8 s of the link, then 1.6 s), until the picture is as
sharp as the uncapped frame would be.
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from typing import cast

import av
import numpy as np
from av.video.codeccontext import VideoCodecContext

from client.media.gear_decoder import SHARP_PARAMETER_SET_ID

TIME_BASE = fractions.Fraction(1, 90_000)
NOMINAL_FPS = 60
MOTION_BURST_SECONDS = 0.1
SHARP_STEP_SECONDS = 0.4
# A refining step smaller than this has nothing left to sharpen.
REFINED_BYTES = 4_000
# A first sharp frame this close to its cap was cut short by it.
CAPPED_SHARE = 0.7
# A motion context made for a rate this far from the current one is made anew.
RATE_CHANGE = 1.3
# Luma PSNR at which a refined picture is done: the uncapped sharp frame of 10 pt text, black
# or coloured, scores 41.9 dB at the default CRF.
SHARP_ENOUGH_DB = 40.0
# A stalled refinement doubles the step at most this many times (0.4 s -> 3.2 s of the link).
MAX_STEP_DOUBLINGS = 3
# Below this rate the motion gear encodes on one thread (see ``motion_threads``).
ONE_THREAD_BELOW_BPS = 3_000_000


@dataclass(frozen=True)
class EncoderSettings:
    motion_preset: str = "ultrafast"
    motion_crf: int = 28
    motion_rate_kbit: int = 24_000
    motion_burst_kbit: int = 1_600
    sharp_preset: str = "superfast"
    sharp_crf: int = 26
    sharp_chroma_qp_offset: int = -3


@dataclass(frozen=True)
class EncodedFrame:
    packets: list[av.Packet]
    sharp: bool
    keyframe: bool
    size: int


# A gear's encoder context is made for one size and pixel format: (sharp, width, height, format).
_Key = tuple[bool, int, int, str]


class ScreenEncoder:
    """Encodes frames on one thread (the capture track's encoder thread): yuv420p in motion;
    sharp frames in yuv420p, or yuv444p where the receiver decodes full colour."""

    def __init__(
        self, settings: EncoderSettings | None = None, *, separate_gears: bool = False
    ) -> None:
        self.settings = settings or EncoderSettings()
        self.separate_gears = separate_gears
        self._contexts: dict[bool, tuple[_Key, VideoCodecContext]] = {}
        self._current: _Key | None = None
        # Gears whose next frame must be an IDR: the receiver asked for a keyframe.
        self._restart: set[bool] = set()
        self._rate_bps: float | None = None
        self._fps: float = NOMINAL_FPS
        self._refining = False
        self._opened_at_rate: dict[_Key, float | None] = {}
        # While refining: the sharp gear as the receiver decodes it, and how often its step
        # was doubled this still spell.
        self._check: VideoCodecContext | None = None
        self._doublings = 0

    def set_rate(self, rate_bps: float | None, fps: float = NOMINAL_FPS) -> None:
        """The link's rate for media (None: unlimited) and the motion frame rate it affords;
        read when a context is made."""
        self._rate_bps = rate_bps
        self._fps = fps

    @property
    def refining(self) -> bool:
        """The last sharp frame was capped by the rate: encoding the same screen again
        sharpens it (until a step finds next to nothing left to add)."""
        return self._refining

    def _follow_refinement(self, frame: av.VideoFrame, encoded: EncodedFrame) -> None:
        if not encoded.sharp:
            self._refining, self._check, self._doublings = False, None, 0
            return
        if encoded.keyframe:
            step = self._step_bytes()
            self._refining = step is not None and encoded.size >= CAPPED_SHARE * step
            self._check = _sharp_decoder() if self._refining else None
        if not self._refining or self._check is None:
            return
        sharp_enough = _luma_psnr(frame, _decoded(self._check, encoded)) >= SHARP_ENOUGH_DB
        stalled = not encoded.keyframe and encoded.size < REFINED_BYTES
        if sharp_enough or (stalled and self._doublings >= MAX_STEP_DOUBLINGS):
            self._refining, self._check = False, None
        elif stalled:
            # x264 thinks it is done, the picture says otherwise: again, with a bigger step.
            self._doublings += 1
            self._contexts.pop(True, None)

    def _step_bytes(self) -> int | None:
        step = sharp_step_bytes(self._rate_bps)
        return None if step is None else step << self._doublings

    def _frame_bits(self) -> float | None:
        return None if self._rate_bps is None else self._rate_bps / self._fps

    def _stale_rate(self, key: _Key) -> bool:
        """A motion context made for a rate a frame far from today's."""
        opened, now = self._opened_at_rate.get(key), self._frame_bits()
        kept = self._contexts.get(key[0], (None,))[0]
        if key[0] or kept != key or opened is None or now is None:
            return False
        return not opened / RATE_CHANGE <= now <= opened * RATE_CHANGE

    def request_keyframe(self) -> None:
        self._restart = {True, False}

    def encode(self, frame: av.VideoFrame, *, sharp: bool) -> EncodedFrame:
        key = (sharp, frame.width, frame.height, frame.format.name)
        if (sharp and key != self._current) or self._stale_rate(key):
            self._contexts.pop(sharp, None)
        warm = self._contexts.get(sharp, (None,))[0] == key
        goes_on = warm and (key == self._current or self.separate_gears)
        keyframe = not goes_on or sharp in self._restart
        self._restart.discard(sharp)
        self._current = key
        context = self._context(key)
        frame.pict_type = (
            av.video.frame.PictureType.I if keyframe else av.video.frame.PictureType.NONE
        )
        packets = list(context.encode(frame))
        for packet in packets:
            packet.pts = frame.pts
            packet.time_base = TIME_BASE
        encoded = EncodedFrame(packets, sharp, keyframe, sum(p.size for p in packets))
        self._follow_refinement(frame, encoded)
        return encoded

    def _context(self, key: _Key) -> VideoCodecContext:
        """The gear's open context; a new size or format replaces it."""
        kept = self._contexts.get(key[0])
        if kept is not None and kept[0] == key:
            return kept[1]
        context = self._open(key)
        self._contexts[key[0]] = (key, context)
        return context

    def _open(self, key: _Key) -> VideoCodecContext:
        sharp, width, height, pix_fmt = key
        s = self.settings
        context = cast(VideoCodecContext, av.CodecContext.create("libx264", "w"))
        context.width, context.height = width, height
        context.pix_fmt = pix_fmt
        context.time_base = TIME_BASE
        context.framerate = fractions.Fraction(60, 1)
        # Keyframes only when we ask: a periodic 1080p IDR would be a needless burst.
        params = ["keyint=infinite", "scenecut=0"]
        if sharp:
            params += ["no-deblock=1", "aq-mode=0", "psy=0"]
            if pix_fmt == "yuv444p":
                params.append(f"chroma-qp-offset={s.sharp_chroma_qp_offset}")
            if self.separate_gears:
                params.append(f"sps-id={SHARP_PARAMETER_SET_ID}")
        params += vbv_params(sharp, self._rate_bps, s, fps=self._fps, doublings=self._doublings)
        if not sharp:
            params += motion_threads(self._rate_bps)
        self._opened_at_rate[key] = self._frame_bits()
        context.options = {
            "preset": s.sharp_preset if sharp else s.motion_preset,
            "tune": "zerolatency",
            "crf": str(s.sharp_crf if sharp else s.motion_crf),
            "x264-params": ":".join(params),
            "forced-idr": "1",
        }
        return context


def vbv_params(
    sharp: bool,
    rate_bps: float | None,
    settings: EncoderSettings,
    *,
    fps: float = NOMINAL_FPS,
    doublings: int = 0,
) -> list[str]:
    """x264's VBV for a gear at a link rate: each frame within what the link carries soon.
    x264 fills its buffer at ``NOMINAL_FPS`` frames a second, so a motion frame rate of
    ``fps`` gets ``rate_bps / fps`` a frame when the max rate is scaled by their ratio.
    A sharp step ``doublings`` times doubled is a stalled refinement's next try."""
    if sharp:
        step = sharp_step_bytes(rate_bps)
        if step is None:
            return []
        step <<= doublings
        # The buffer is one step; refilled at once, so every refining step may use it whole.
        step_kbit = max(1, step * 8 // 1000)
        return [f"vbv-maxrate={step_kbit * NOMINAL_FPS}", f"vbv-bufsize={step_kbit}"]
    rate_kbit, burst_kbit = settings.motion_rate_kbit, settings.motion_burst_kbit
    if rate_bps is not None:
        rate_kbit = max(1, min(rate_kbit, int(rate_bps * NOMINAL_FPS / fps / 1000)))
        burst_kbit = max(1, min(burst_kbit, int(rate_bps * MOTION_BURST_SECONDS / 1000)))
    return [f"vbv-maxrate={rate_kbit}", f"vbv-bufsize={burst_kbit}"]


def motion_threads(rate_bps: float | None) -> list[str]:
    """x264's sliced threads each keep the VBV for their band of rows. On a slow link the
    first change after a still spell (a P-frame against the rough motion keyframe of the
    page) leaves a band's share so small that its rows are skipped: at 1.9 Mbit/s a red box
    drawn on a text page was missing from that frame in 8 runs of 12, and then from the
    helper's screen until the sharp gear came. One thread keeps one budget for the frame and
    spends it on what changed (0 runs of 12, 129 bytes). The frames are small there and the
    link affords a lower rate than the thread costs (13.5 ms for a 1080p frame, 10.2 ms on
    the default threads), so it is the fast links that keep them."""
    if rate_bps is not None and rate_bps < ONE_THREAD_BELOW_BPS:
        return ["threads=1"]
    return []


def sharp_step_bytes(rate_bps: float | None) -> int | None:
    return None if rate_bps is None else int(rate_bps * SHARP_STEP_SECONDS / 8)


def _sharp_decoder() -> VideoCodecContext:
    return cast(VideoCodecContext, av.CodecContext.create("h264", "r"))


def _decoded(decoder: VideoCodecContext, encoded: EncodedFrame) -> av.VideoFrame | None:
    shown = None
    for packet in encoded.packets:
        for decoded in decoder.decode(packet):
            shown = decoded
    return shown


def _luma_psnr(source: av.VideoFrame, shown: av.VideoFrame | None) -> float:
    """How close the receiver's picture is to the screen, on luma (plane 0 of both)."""
    if shown is None or (shown.width, shown.height) != (source.width, source.height):
        return 0.0
    a, b = (_plane0(f).astype(np.int16) for f in (source, shown))
    mse = float(np.mean((a - b) ** 2, dtype=np.float64))
    return float("inf") if mse == 0 else 10 * float(np.log10(255.0**2 / mse))


def _plane0(frame: av.VideoFrame) -> np.ndarray:
    plane = frame.planes[0]
    rows = np.frombuffer(memoryview(plane), np.uint8).reshape(frame.height, plane.line_size)
    return rows[:, : frame.width]
