"""A bottleneck link in simulated time, to feed the bandwidth estimate a feedback trace.

The sender is always backlogged (it sends at the estimate's media rate, or not at all while
``idle``), the bottleneck has a rate, a drop-tail queue of ``queue_seconds``, a one-way delay
and random loss, like the benchmark's emulated links. The receiver side is aiortc's own
``RemoteBitrateEstimator`` (the one the helper runs), fed each packet's arrival and
abs-send-time, whose REMB figures reach the sender a one-way delay later; every second a
receiver report carries the lost fraction and the round trip (both delays and the queue).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc.rate import RemoteBitrateEstimator

from client.media.bandwidth import BandwidthEstimate

PACKET = 1200
SSRC = 1234


@dataclass
class Link:
    rate_bps: Callable[[float], float]
    delay: float = 0.02
    loss: float = 0.0
    queue_seconds: float = 0.1
    idle: Callable[[float], bool] = lambda t: False


@dataclass
class Trace:
    times: list[float] = field(default_factory=list)
    estimates: list[float] = field(default_factory=list)
    sent: int = 0
    dropped: int = 0

    def at(self, t: float) -> float:
        """The estimate at simulated time ``t``."""
        index = min(range(len(self.times)), key=lambda i: abs(self.times[i] - t))
        return self.estimates[index]

    def lowest(self, start: float, end: float) -> float:
        return min(e for t, e in zip(self.times, self.estimates, strict=True) if start <= t < end)

    def mean(self, start: float, end: float) -> float:
        chosen = [e for t, e in zip(self.times, self.estimates, strict=True) if start <= t < end]
        return sum(chosen) / len(chosen)

    def highest(self, start: float, end: float) -> float:
        return max(e for t, e in zip(self.times, self.estimates, strict=True) if start <= t < end)


def run(link: Link, estimate: BandwidthEstimate, seconds: float, seed: int = 7) -> Trace:
    rng = random.Random(seed)
    receiver = RemoteBitrateEstimator()
    trace = Trace()
    feedback: list[tuple[float, int, Callable[[], None]]] = []  # (due, order, action)
    order = 0
    now = 0.0
    link_free_at = 0.0  # when the bottleneck has sent all it holds
    report_due = 1.0
    period_sent = period_lost = 0
    last_queue = 0.0
    next_sample = 0.0
    while now < seconds:
        while feedback and feedback[0][0] <= now:
            heapq.heappop(feedback)[2]()
        if now >= next_sample:
            trace.times.append(now)
            trace.estimates.append(estimate.target_bps)
            next_sample += 0.1
        if now >= report_due:
            lost = period_lost / period_sent if period_sent else 0.0
            rtt = 2 * link.delay + last_queue
            order += 1
            heapq.heappush(
                feedback,
                (
                    now + link.delay,
                    order,
                    lambda lost=lost, rtt=rtt, t=now + link.delay: estimate.on_report(lost, rtt, t),
                ),
            )
            period_sent = period_lost = 0
            report_due += 1.0
        if link.idle(now):
            now += 0.01
            continue
        estimate.on_sent(PACKET, now)
        trace.sent += 1
        period_sent += 1
        rate = link.rate_bps(now) / 8
        queue = max(0.0, link_free_at - now)
        if queue + PACKET / rate > link.queue_seconds:
            trace.dropped += 1
            period_lost += 1
        else:
            link_free_at = max(link_free_at, now) + PACKET / rate
            last_queue = queue
            if rng.random() < link.loss:
                period_lost += 1
            else:
                arrival = link_free_at + link.delay
                abs_send_time = int(now * (1 << 18)) & 0xFFFFFF
                remb = receiver.add(int(arrival * 1000), abs_send_time, PACKET, SSRC)
                if remb is not None:
                    order += 1
                    heapq.heappush(
                        feedback,
                        (
                            arrival + link.delay,
                            order,
                            lambda b=remb[0], t=arrival + link.delay: estimate.on_remb(b, t),
                        ),
                    )
        now += PACKET * 8 / estimate.media_bps
    return trace
