"""The bandwidth estimate on simulated links, with aiortc's own receiver-side estimator."""

from __future__ import annotations

import pytest

from client.media.bandwidth import BandwidthEstimate, BandwidthSettings
from tests.media.link_trace import Link, run

MBIT = 1_000_000


def test_a_5_mbit_link_brings_an_8_mbit_start_under_its_rate_and_keeps_it_there():
    estimate = BandwidthEstimate()
    trace = run(Link(rate_bps=lambda t: 5 * MBIT, delay=0.02, loss=0.005), estimate, 30)
    assert 3 * MBIT <= trace.mean(10, 30) <= 5 * MBIT, "under the link, without collapsing"
    assert trace.lowest(10, 30) >= 1.5 * MBIT
    assert trace.dropped < trace.sent * 0.01, "the queue rarely overflows"


def test_the_estimate_falls_when_the_link_narrows_and_ramps_back_when_it_frees():
    def rate(t: float) -> float:
        return 5 * MBIT if t < 20 else 2 * MBIT if t < 40 else 30 * MBIT

    estimate = BandwidthEstimate()
    trace = run(Link(rate_bps=rate, delay=0.02, loss=0.005), estimate, 60)
    assert trace.mean(25, 40) <= 2 * MBIT
    assert trace.at(59) >= 20 * MBIT


def test_random_loss_alone_does_not_pull_a_free_link_down():
    estimate = BandwidthEstimate()
    trace = run(Link(rate_bps=lambda t: 100 * MBIT, delay=0.01, loss=0.005), estimate, 15)
    assert trace.at(14.5) == estimate.settings.max_bps


def test_a_heavily_lossy_link_comes_down_on_loss_alone():
    estimate = BandwidthEstimate()
    trace = run(Link(rate_bps=lambda t: 100 * MBIT, delay=0.01, loss=0.2), estimate, 10)
    assert trace.at(9.5) < estimate.settings.start_bps / 2


def test_an_idle_sender_learns_nothing_and_holds_its_estimate():
    estimate = BandwidthEstimate()
    for second in range(1, 20):
        estimate.on_report(0.0, 0.04, float(second))
    assert estimate.target_bps == estimate.settings.start_bps


def test_the_estimate_keeps_its_floor_and_a_share_for_the_control_channel():
    settings = BandwidthSettings(min_bps=300_000, control_reserve_bps=100_000)
    estimate = BandwidthEstimate(settings)
    for second in range(1, 30):
        estimate.on_report(0.9, 0.04, float(second))
    assert estimate.target_bps == 300_000
    assert estimate.at_floor
    assert estimate.media_bps == 200_000


def test_a_standing_queue_is_over_use_even_without_loss():
    estimate = BandwidthEstimate(BandwidthSettings(start_bps=1 * MBIT))
    for i in range(100):
        estimate.on_sent(1200, i / 100)  # about 1 Mbit/s sent in the last second
    estimate.on_report(0.0, 0.04, 1.0)
    before = estimate.target_bps
    estimate.on_report(0.0, 0.04 + 0.2, 1.0)
    assert estimate.target_bps < before
    assert estimate.target_bps <= 1 * MBIT, "at or under what was sent"


def test_delay_feedback_while_the_sender_is_idle_says_nothing_about_the_link():
    """A still screen sends next to nothing; aiortc's receiver then measures our pace, and
    its over-use figures are tiny. They must not be taken for the link's rate."""
    estimate = BandwidthEstimate()
    estimate.on_remb(3 * MBIT, 1.0)
    estimate.on_remb(100_000, 2.0)  # a fall, while nothing was being sent
    estimate.on_report(0.0, 0.04, 3.0)
    estimate.on_report(0.0, 0.5, 4.0)  # a late report, nothing of ours queued
    assert estimate.target_bps == estimate.settings.start_bps


def test_one_signal_at_most_halves_the_estimate_and_delay_falls_wait_for_the_queue_to_drain():
    """aiortc's REMB on over-use is 0.85 of what arrived, which follows what we send: taken
    each time, a run of them spiralled a 5 Mbit/s link's estimate from 1.7 to 0.4 Mbit/s."""
    estimate = BandwidthEstimate(BandwidthSettings(start_bps=4 * MBIT))
    for i in range(400):
        estimate.on_sent(1200, 3.0 + i / 400)  # 3.8 Mbit/s in the last second
    estimate.on_remb(500_000, 4.0)
    assert estimate.target_bps == 2 * MBIT, "halved, not down to the figure"
    estimate.on_remb(400_000, 4.2)
    estimate.on_remb(300_000, 4.4)
    assert estimate.target_bps == 2 * MBIT, "within the hold, the queue is still draining"


def test_a_heavy_loss_falls_to_what_got_through():
    estimate = BandwidthEstimate(BandwidthSettings(start_bps=10 * MBIT))
    for i in range(1000):
        estimate.on_sent(1200, i / 1000)  # 9.6 Mbit/s in the last second
    estimate.on_report(0.4, None, 1.0)
    assert estimate.target_bps == pytest.approx(0.6 * 9.6 * MBIT), "not 10 * 0.8"
