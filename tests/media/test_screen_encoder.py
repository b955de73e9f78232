"""The screen encoder's gears, and the pacer that spreads a sharp frame's packets."""

from __future__ import annotations

import subprocess
import sys
import time

import av
import numpy as np
from aiortc.jitterbuffer import JitterFrame

from client.media.gear_decoder import GearDecoder
from client.media.pacer import TokenBucket
from client.media.screen_encoder import (
    MAX_STEP_DOUBLINGS,
    MOTION_BURST_SECONDS,
    SHARP_ENOUGH_DB,
    ScreenEncoder,
    sharp_step_bytes,
)
from tests.picture_metrics import psnr


def _text_like(width: int = 640, height: int = 360, strokes: int = 3000) -> av.VideoFrame:
    """Black strokes on white at text scale: what the sharp gear exists for."""
    rng = np.random.default_rng(3)
    grey = np.full((height, width), 255, dtype=np.uint8)
    for _ in range(strokes):
        y, x = rng.integers(0, height - 8), rng.integers(0, width - 2)
        grey[y : y + 7, x : x + 1] = 0
    frame = av.VideoFrame.from_ndarray(np.stack([grey] * 3, axis=-1), format="rgb24")
    return frame.reformat(format="yuv420p")


def _luma(frame: av.VideoFrame) -> np.ndarray:
    return frame.reformat(format="gray").to_ndarray()


def _encode(encoder: ScreenEncoder, frame: av.VideoFrame, pts: int, *, sharp: bool):
    frame.pts = pts
    return encoder.encode(frame, sharp=sharp)


def test_a_gear_change_starts_afresh_and_the_same_gear_goes_on_cheaply():
    encoder = ScreenEncoder()
    source = _text_like()
    first = _encode(encoder, source, 0, sharp=False)
    again = _encode(encoder, source, 1, sharp=False)
    sharp = _encode(encoder, source, 2, sharp=True)
    refresh = _encode(encoder, source, 3, sharp=True)
    assert [e.keyframe for e in (first, again, sharp, refresh)] == [True, False, True, False]
    assert refresh.size < sharp.size / 20, "an unchanged screen costs almost nothing"


def test_a_screenful_of_text_comes_rough_in_motion_and_legible_when_sharp():
    source = _text_like(1920, 1080, strokes=60_000)
    pictures = {}
    for sharp in (False, True):
        decoder = av.CodecContext.create("h264", "r")
        encoded = _encode(ScreenEncoder(), _text_like(1920, 1080, strokes=60_000), 0, sharp=sharp)
        frames = [f for p in encoded.packets for f in decoder.decode(p)]
        pictures[sharp] = psnr(_luma(frames[-1]), _luma(source))
    assert pictures[True] >= 35, pictures
    assert pictures[True] > pictures[False] + 10, "motion is capped: rough but at once"


def test_a_keyframe_request_is_honoured_once():
    encoder = ScreenEncoder()
    source = _text_like()
    _encode(encoder, source, 0, sharp=False)
    encoder.request_keyframe()
    assert _encode(encoder, source, 1, sharp=False).keyframe
    assert not _encode(encoder, source, 2, sharp=False).keyframe


def test_packets_carry_the_frame_time():
    encoded = _encode(ScreenEncoder(), _text_like(), 4500, sharp=False)
    assert encoded.packets and all(p.pts == 4500 for p in encoded.packets)


def test_the_pacer_lets_a_burst_through_then_spreads_the_rest(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    bucket = TokenBucket(rate_bps=8_000_000, burst_bytes=10_000)  # 1 MB/s
    assert bucket.delay_for(10_000) == 0.0
    assert bucket.delay_for(1_000) == 0.001
    clock[0] += 1.0
    assert bucket.delay_for(5_000) == 0.0, "an idle second refills the bucket"


def _coloured_text(width: int = 640, height: int = 360) -> np.ndarray:
    """Red strokes on black above blue strokes on white: glyph-sized colour detail."""
    rng = np.random.default_rng(5)
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    rgb[height // 2 :] = 255
    for _ in range(4000):
        y, x = rng.integers(0, height - 8), rng.integers(0, width - 2)
        rgb[y : y + 7, x] = (230, 40, 40) if y + 7 < height // 2 else (20, 60, 220)
    return rgb


def _through_one_decoder(steps: list[tuple[np.ndarray, bool, str]]) -> list[av.VideoFrame]:
    """Encode each (picture, sharp, pixel format) in turn; decode all with one decoder."""
    encoder, decoder = ScreenEncoder(), av.CodecContext.create("h264", "r")
    shown = []
    for pts, (rgb, sharp, pix_fmt) in enumerate(steps):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
        encoded = _encode(encoder, frame, pts, sharp=sharp)
        shown.append([f for p in encoded.packets for f in decoder.decode(p)][-1])
    return shown


def test_a_full_colour_sharp_picture_keeps_coloured_text_that_420_smears():
    source = _coloured_text()
    shown = {
        pix_fmt: _through_one_decoder([(source, True, pix_fmt)])[0]
        for pix_fmt in ("yuv420p", "yuv444p")
    }
    assert shown["yuv444p"].format.name == "yuv444p"
    scores = {k: psnr(f.to_ndarray(format="rgb24"), source) for k, f in shown.items()}
    assert scores["yuv444p"] >= 38, scores
    assert scores["yuv444p"] > scores["yuv420p"] + 8, scores


def test_gears_in_different_colour_formats_follow_each_other_in_one_stream():
    """Motion 4:2:0, sharp 4:4:4, motion again: one decoder shows each, each from an IDR."""
    text, other = _coloured_text(), _coloured_text()[::-1].copy()
    steps = [(text, False, "yuv420p"), (text, True, "yuv444p"), (other, False, "yuv420p")]
    steps += [(text, True, "yuv444p")]
    shown = _through_one_decoder(steps)
    assert [f.format.name for f in shown] == ["yuv420p", "yuv444p", "yuv420p", "yuv444p"]
    assert all(f.key_frame for f in shown), "a change of gear always starts afresh"
    assert psnr(shown[2].to_ndarray(format="rgb24"), other) > 20, "motion shows the new picture"
    assert psnr(shown[3].to_ndarray(format="rgb24"), text) >= 38


def test_the_motion_gear_stays_open_and_the_sharp_one_starts_afresh_each_spell():
    encoder = ScreenEncoder()
    opened: list[tuple] = []
    real_open = encoder._open
    encoder._open = lambda key: opened.append(key) or real_open(key)  # type: ignore[method-assign]
    source = _text_like()
    for pts, sharp in enumerate((False, True, False, True, False)):
        _encode(encoder, source, pts, sharp=sharp)
    assert [sharp for sharp, *_ in opened] == [False, True, True], "motion is kept warm"


def _gear_steps(encoder: ScreenEncoder, steps: list[tuple[np.ndarray, bool, str]]):
    """Encode each (picture, sharp, pixel format); decode with the helper's GearDecoder."""
    decoder, out = GearDecoder(), []
    for pts, (rgb, sharp, pix_fmt) in enumerate(steps):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
        encoded = _encode(encoder, frame, pts, sharp=sharp)
        data = b"".join(bytes(p) for p in encoded.packets)
        out.append((encoded, decoder.decode(JitterFrame(data, pts))[-1]))
    return out


def test_with_gears_decoded_apart_motion_goes_on_across_a_sharp_still():
    text, typed = _coloured_text(), _coloured_text()
    typed[20:40, 100:110] = 255  # one more "glyph"
    steps = [(text, False, "yuv420p"), (text, True, "yuv444p"), (typed, False, "yuv420p")]
    (motion, _), (sharp, _), (change, shown) = _gear_steps(
        ScreenEncoder(separate_gears=True), steps
    )
    assert [motion.keyframe, sharp.keyframe, change.keyframe] == [True, True, False]
    assert change.size < motion.size / 10, "the first change costs a P-frame, not an IDR"
    assert psnr(shown.to_ndarray(format="rgb24"), typed) > 20, "and shows the new picture"


def test_a_keyframe_request_restarts_both_gears():
    encoder = ScreenEncoder(separate_gears=True)
    text = _coloured_text()
    _gear_steps(encoder, [(text, False, "yuv420p")])
    encoder.request_keyframe()
    sharp = _encode(encoder, _text_like(640, 360).reformat(format="yuv444p"), 10, sharp=True)
    motion = _encode(encoder, _text_like(640, 360), 11, sharp=False)
    again = _encode(encoder, _text_like(640, 360), 12, sharp=False)
    assert [sharp.keyframe, motion.keyframe, again.keyframe] == [True, True, False]


def test_on_a_slow_link_the_sharp_frame_comes_within_its_step_then_sharpens_to_the_full():
    source = _text_like(1920, 1080, strokes=60_000)
    reference = _luma(source)
    decoder = av.CodecContext.create("h264", "r")
    encoder = ScreenEncoder()
    encoder.set_rate(5_000_000)
    step = sharp_step_bytes(5_000_000)
    sizes, scores = [], []
    for pts in range(40):
        encoded = _encode(encoder, _text_like(1920, 1080, strokes=60_000), pts, sharp=True)
        frames = [f for p in encoded.packets for f in decoder.decode(p)]
        sizes.append(encoded.size)
        scores.append(psnr(_luma(frames[-1]), reference))
        if not encoder.refining:
            break
    assert step is not None and max(sizes) <= step * 1.1, "no step bursts above the link"
    assert len(sizes) > 2, "it came rough and was refined"
    assert scores[-1] >= 35 and scores[-1] > scores[0] + 5, scores


def _refine(encoder: ScreenEncoder, make, reference: np.ndarray) -> tuple[list[int], list[float]]:
    """Encode the same still screen until the encoder stops refining; sizes and luma PSNR
    of what one decoder (the receiver's) shows after each step."""
    decoder = av.CodecContext.create("h264", "r")
    sizes, scores = [], []
    for pts in range(40):
        encoded = _encode(encoder, make(), pts, sharp=True)
        frames = [f for p in encoded.packets for f in decoder.decode(p)]
        sizes.append(encoded.size)
        scores.append(psnr(_luma(frames[-1]), reference))
        if not encoder.refining:
            break
    return sizes, scores


_RENDER_PAGE = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QGuiApplication, QImage
app = QGuiApplication([])
from bench.picture.scene import text_page
fg, bg = (tuple(int(v) for v in a.split(",")) for a in sys.argv[1:3])
image = text_page(3, fg, bg).convertToFormat(QImage.Format.Format_RGB888)
w, h, line = image.width(), image.height(), image.bytesPerLine()
rows = bytes(image.constBits())
sys.stdout.write(f"{w} {h}\\n")
sys.stdout.flush()
sys.stdout.buffer.write(b"".join(rows[y * line : y * line + w * 3] for y in range(h)))
"""


def _log_page(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> av.VideoFrame:
    """The picture benchmark's 1080p terminal page of 10 pt log lines, in full colour.
    Drawn by Qt in a process of its own: a Qt application made in this one would be the one
    every later Qt test of the run gets, without the widgets they need."""
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_PAGE, ",".join(map(str, fg)), ",".join(map(str, bg))],
        capture_output=True,
        check=True,
        timeout=120,
    )
    header, pixels = done.stdout.split(b"\n", 1)
    w, h = (int(v) for v in header.split())
    rgb = np.frombuffer(pixels, np.uint8).reshape(h, w, 3)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv444p")


def test_a_refinement_that_x264_stops_short_goes_on_until_the_picture_is_sharp():
    # Blue log lines on white at 20 Mbit/s: the first frame is capped (34.6 dB), and x264's
    # next step was 80 bytes, so the picture stayed at that quality while the screen was still.
    def page() -> av.VideoFrame:
        return _log_page((0, 0, 255), (255, 255, 255))

    reference = _luma(page())
    _, [uncapped] = _refine(ScreenEncoder(), page, reference)
    encoder = ScreenEncoder()
    encoder.set_rate(20_000_000)
    sizes, scores = _refine(encoder, page, reference)
    assert scores[0] < uncapped - 3, (scores, uncapped)  # the first frame was capped
    assert scores[-1] >= min(uncapped, SHARP_ENOUGH_DB) - 0.5, (scores, uncapped)
    step = sharp_step_bytes(20_000_000)
    assert step is not None and max(sizes) <= step * 2**MAX_STEP_DOUBLINGS * 1.1, sizes


def test_on_a_fast_link_the_sharp_frame_comes_whole_at_once():
    encoder = ScreenEncoder()
    encoder.set_rate(100_000_000)
    _encode(encoder, _text_like(1920, 1080, strokes=20_000), 0, sharp=True)
    assert not encoder.refining


def test_motion_frames_follow_the_rate_and_a_new_rate_starts_afresh():
    encoder = ScreenEncoder()
    encoder.set_rate(2_000_000, fps=20)
    first = _encode(encoder, _text_like(1920, 1080, strokes=60_000), 0, sharp=False)
    assert first.size * 8 <= 2_000_000 * MOTION_BURST_SECONDS * 1.2
    encoder.set_rate(2_100_000, fps=20)
    assert not _encode(encoder, _text_like(1920, 1080, strokes=60_000), 1, sharp=False).keyframe
    encoder.set_rate(8_000_000, fps=20)
    assert _encode(encoder, _text_like(1920, 1080, strokes=60_000), 2, sharp=False).keyframe


def test_the_pacer_follows_a_new_rate_with_a_burst_of_its_size(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    bucket = TokenBucket(rate_bps=30_000_000, burst_bytes=64 * 1024)
    bucket.follow(5_000_000, max_burst_bytes=64 * 1024)
    assert bucket.burst == 6250, "10 ms of a 5 Mbit/s link, not a router's whole queue"
    clock[0] += 1.0
    assert bucket.delay_for(6250) == 0.0
    assert bucket.delay_for(625) == 0.001


def test_on_a_slow_link_the_first_change_after_a_still_spell_shows_in_its_motion_frame():
    """The change after a still spell is a P-frame against the motion gear's rough keyframe
    of the page; at 1.9 Mbit/s x264's sliced threads skipped a red box in most such frames,
    and the helper saw nothing until the sharp gear came."""
    page = _log_page((0, 0, 0), (255, 255, 255)).to_ndarray(format="rgb24")
    boxed = page.copy()
    boxed[300:364, 600:696] = (220, 30, 30)
    for _ in range(6):  # x264's threads make each run its own
        encoder, decoder = ScreenEncoder(separate_gears=True), GearDecoder()
        encoder.set_rate(1_900_000, fps=30)
        shown = []
        for pts, picture in ((0, page), (90_000, boxed)):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            for packet in _encode(encoder, frame, pts, sharp=False).packets:
                shown += decoder.decode(JitterFrame(bytes(packet), pts))
        inside = shown[-1].to_ndarray(format="rgb24")[310:354, 610:686].reshape(-1, 3)
        r, g, b = (int(v) for v in inside.mean(axis=0))
        assert r - max(g, b) > 30, ("the box is in the change's frame", r, g, b)
