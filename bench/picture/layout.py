"""Where the scene puts what the probe reads: one source of truth for both sides.

Coordinates are in scene pixels (the sharer's 1920x1080 screen). The probe scales them by
the size the picture is shown at on the helper's display, which it finds from the corner
fiducials, so a picture shown smaller than 1:1 is still read.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 1920, 1080
# Magenta squares in the four corners: saturated colours the helper's UI never uses and
# the animation avoids (its blue stays low), so the picture is found, not guessed.
FIDUCIAL = 32
FIDUCIAL_RGB = (255, 0, 255)
# The counter: a white and a black start block, then 16 bits, each bit a pair of blocks
# (white-black for 1, black-white for 0) so a half-decoded or torn read is rejected.
BLOCK_W, BLOCK_H = 32, 64
BITS = 16
BAND_X, BAND_Y = 64, 48
# The flip marker sits in the same band, so one small grab reads both.
MARKER_GAP = 32
MARKER_W = 96
# The text fills the rest: below the band and clear of the corners.
TEXT_TOP = BAND_Y + BLOCK_H + 32
TEXT_MARGIN = 64


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


def counter_blocks() -> list[Box]:
    """Start blocks first, then the bit pairs, most significant bit first."""
    return [Box(BAND_X + i * BLOCK_W, BAND_Y, BLOCK_W, BLOCK_H) for i in range(2 + 2 * BITS)]


def marker_box() -> Box:
    return Box(BAND_X + (2 + 2 * BITS) * BLOCK_W + MARKER_GAP, BAND_Y, MARKER_W, BLOCK_H)


def band_box() -> Box:
    marker = marker_box()
    return Box(BAND_X, BAND_Y, marker.x + marker.w - BAND_X, BLOCK_H)


def text_box() -> Box:
    return Box(TEXT_MARGIN, TEXT_TOP, WIDTH - 2 * TEXT_MARGIN, HEIGHT - TEXT_TOP - TEXT_MARGIN)


def counter_colours(value: int) -> list[bool]:
    """White (True) or black for each counter block, in counter_blocks() order."""
    colours = [True, False]
    for bit in range(BITS - 1, -1, -1):
        one = bool((value >> bit) & 1)
        colours += [one, not one]
    return colours


def fiducial_boxes() -> list[Box]:
    f = FIDUCIAL
    return [
        Box(0, 0, f, f),
        Box(WIDTH - f, 0, f, f),
        Box(0, HEIGHT - f, f, f),
        Box(WIDTH - f, HEIGHT - f, f, f),
    ]
