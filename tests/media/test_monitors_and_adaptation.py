import pytest

from client.media.adaptation import LinkFit, ResolutionAdapter
from client.media.monitors import (
    MonitorError,
    MonitorGeometry,
    list_monitors,
    monitor_geometry,
    to_pixels,
)
from client.rate_limit import RateLimiter
from tests.fixtures_display import TWO_MONITORS


def test_normalised_coordinates_map_to_pixels_with_monitor_offsets():
    primary = MonitorGeometry(0, 0, 1280, 800)
    assert to_pixels(primary, 0.25, 0.75) == (320, 600)
    assert to_pixels(primary, 0.0, 0.0) == (0, 0)
    assert to_pixels(primary, 1.0, 1.0) == (1279, 799)  # the last pixel, not past it
    second = MonitorGeometry(1280, -200, 1920, 1080)  # right of it, a little higher
    assert to_pixels(second, 0.0, 0.0) == (1280, -200)
    assert to_pixels(second, 0.5, 0.5) == (1280 + 960, -200 + 540)
    assert to_pixels(second, 1.0, 1.0) == (1280 + 1919, -200 + 1079)


def test_resolution_steps_down_when_frames_cost_too_much_and_back_up_when_cheap():
    adapter = ResolutionAdapter(budget_seconds=1 / 30, recover_after=10)
    assert adapter.scale == 1.0
    for _ in range(4):
        adapter.observe(0.05)
    assert adapter.scale == 1.0, "one slow frame is not a trend"
    adapter.observe(0.05)
    assert adapter.scale == 0.75
    for _ in range(5):
        adapter.observe(0.05)
    assert adapter.scale == 0.5
    for _ in range(10):
        adapter.observe(0.05)
    assert adapter.scale == 0.5  # the floor
    steps = 0
    while adapter.scale == 0.5 and steps < 100:
        adapter.observe(0.005)
        steps += 1
    assert adapter.scale == 0.75
    assert steps >= 10, "recovery waits for a run of cheap frames"
    # A lossy link steps down even when the machine keeps up.
    for _ in range(5):
        adapter.observe(0.005, loss_fraction=0.2)
    assert adapter.scale == 0.5


def test_middling_cost_keeps_the_resolution():
    adapter = ResolutionAdapter(budget_seconds=1 / 30, recover_after=5)
    for _ in range(100):
        adapter.observe(0.6 / 30)
    assert adapter.scale == 1.0


def test_token_bucket_rate_and_burst():
    now = [0.0]
    limiter = RateLimiter(10, burst=5, clock=lambda: now[0])
    assert [limiter.allow() for _ in range(6)] == [True] * 5 + [False]
    now[0] += 0.1
    assert limiter.allow() and not limiter.allow()
    now[0] += 100
    assert sum(limiter.allow() for _ in range(20)) == 5


@pytest.mark.display
def test_monitors_are_listed_with_their_offsets(two_monitor_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", two_monitor_display)
    _, monitors = TWO_MONITORS
    assert list_monitors() == [MonitorGeometry(m.left, m.top, m.width, m.height) for m in monitors]
    with pytest.raises(MonitorError, match="no monitor 3; this machine has 2"):
        monitor_geometry(3)


def test_the_link_sets_size_and_frame_rate_and_gives_them_back_when_it_frees():
    fit = LinkFit(pixels=1920 * 1080, max_fps=30)
    fit.update(20_000_000)
    assert (fit.scale, fit.fps) == (1.0, 30)
    fit.update(2_000_000)
    assert fit.scale == 0.75 and fit.fps == 30
    fit.update(400_000)
    assert fit.scale == 0.5 and 5 <= fit.fps < 30, "smallest size, fewer frames"
    fit.update(2_000_000)
    assert fit.scale == 0.5 and fit.fps == 30, "hysteresis: not straight back up"
    fit.update(6_000_000)
    assert fit.scale == 1.0
    fit.update(10_000)
    assert fit.fps == 5, "a floor, never zero"
