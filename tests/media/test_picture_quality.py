"""The helper's reading of its own picture: sharp after a full-size keyframe, moving when
frames come fast or small."""

from __future__ import annotations

from client.media.picture_quality import PictureQuality


def test_a_full_size_keyframe_is_sharp_and_slow_refreshes_keep_it_sharp():
    picture = PictureQuality()
    picture.observe(960, 540, key_frame=True, at=0.0)
    picture.observe(960, 540, key_frame=False, at=0.02)
    assert picture.label == "moving"
    picture.observe(1920, 1080, key_frame=True, at=0.3)
    assert (picture.label, picture.scale) == ("sharp", 1.0)
    picture.observe(1920, 1080, key_frame=False, at=2.3)
    assert picture.label == "sharp", "a refresh two seconds later changes nothing"


def test_motion_after_the_sharp_picture_reads_as_moving_and_smaller():
    picture = PictureQuality()
    picture.observe(1920, 1080, key_frame=True, at=0.0)
    picture.observe(960, 540, key_frame=True, at=1.0)
    assert (picture.label, picture.scale) == ("moving", 0.5)
    picture.observe(1920, 1080, key_frame=True, at=2.0)
    picture.observe(1920, 1080, key_frame=False, at=2.016)
    assert picture.label == "moving", "full size but fast frames: the motion gear"


def test_a_full_colour_frame_is_sharp_keyframe_or_not():
    """Only the sharp gear sends 4:4:4; a small change after a still spell goes on in it."""
    picture = PictureQuality()
    picture.observe(1920, 1080, key_frame=True, at=0.0, full_chroma=True)
    picture.observe(1920, 1080, key_frame=False, at=0.1, full_chroma=True)
    assert picture.label == "sharp"
    picture.observe(1920, 1080, key_frame=True, at=0.2)
    picture.observe(1920, 1080, key_frame=False, at=0.21)
    assert picture.label == "moving"
