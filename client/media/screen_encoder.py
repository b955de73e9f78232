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
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from typing import cast

import av
from av.video.codeccontext import VideoCodecContext

from client.media.gear_decoder import SHARP_PARAMETER_SET_ID

TIME_BASE = fractions.Fraction(1, 90_000)


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

    def request_keyframe(self) -> None:
        self._restart = {True, False}

    def encode(self, frame: av.VideoFrame, *, sharp: bool) -> EncodedFrame:
        key = (sharp, frame.width, frame.height, frame.format.name)
        if sharp and key != self._current:
            self._contexts.pop(True, None)
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
        return EncodedFrame(packets, sharp, keyframe, sum(p.size for p in packets))

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
        else:
            params += [f"vbv-maxrate={s.motion_rate_kbit}", f"vbv-bufsize={s.motion_burst_kbit}"]
        context.options = {
            "preset": s.sharp_preset if sharp else s.motion_preset,
            "tune": "zerolatency",
            "crf": str(s.sharp_crf if sharp else s.motion_crf),
            "x264-params": ":".join(params),
            "forced-idr": "1",
        }
        return context
