"""How fast the sharer may send: one estimate the pacer, the encoder and the adapter obey.

A fixed pace (30 Mbit/s) on a 5 Mbit/s uplink overflows the bottleneck's queue: most of a
sharp frame's packets are lost, their retransmissions die the same way, and no frame ever
completes. The estimate follows Google's congestion control (draft-ietf-rmcat-gcc) from
what the receiver tells us, and writes only what no maintained piece does:

- delay: the helper's aiortc runs the delay-based estimator (``aiortc.rate``, abs-send-time
  inter-arrival filter, over-use detector, AIMD) and sends its figure as REMB. REMB carries
  no state, but outside over-use aiortc's figure only grows, and by at most 8 % a second;
  on over-use it is reset to 0.85 of what was received. So a REMB below the one before, or
  far above what growth allows, means the queue on the path grows: the estimate drops to it.
- loss: receiver reports carry the lost fraction. Above 10 % the estimate falls by half the
  loss, or to what got through when that is less; below 2 % it may grow (GCC's loss-based
  controller). One signal at most halves it, and a delay fall waits for the queue that the
  last fall drains.
- queueing delay: the round trip of those reports, against the shortest seen; a standing
  queue longer than ``queue_limit`` is over-use even when the detector missed it.

aiortc's own AIMD grows 8 % a second and only up to 1.5 times what it received, which a
screen, mostly still and then one big frame, never fills: its REMB is used only to come
down. The estimate grows by itself instead (doubling each second until the link first
shows a limit, as TCP's slow start, then ``ramp_per_second``) while the link shows
nothing wrong and we actually send near the estimate (an idle sender learns nothing about
the link, so it holds). It stays within [``min_bps``, ``max_bps``]; ``control_reserve_bps``
of it is left to the data channels (heartbeat, chat, input), which media never takes.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from client.media.aiortc_internals import SenderFeedback

log = logging.getLogger(__name__)

LOSS_HIGH = 0.10
LOSS_LOW = 0.02
# After a fall, wait this long before growing again: the queue needs time to drain.
HOLD_SECONDS = 1.0
# The window over which the send rate is measured (app-limited or not).
SEND_WINDOW_SECONDS = 1.0
APP_LIMITED_SHARE = 0.5
OVERUSE_FACTOR = 0.85
DEEPEST_FALL = 0.5
DEFAULT_RTT = 0.1
MIN_RTT = 0.02
# aiortc's AIMD grows at most 8 % a second (REMB every 0.5 s or more): more is a reset.
REMB_MAX_GROWTH = 1.1
REMB_SLACK_BPS = 20_000
REMB_FIRST_OVERUSE = 0.9


@dataclass(frozen=True)
class BandwidthSettings:
    start_bps: float = 4_000_000
    min_bps: float = 300_000
    max_bps: float = 30_000_000
    control_reserve_bps: float = 100_000
    ramp_per_second: float = 1.3
    # Until the link first shows a limit, grow as TCP's slow start does (doubling).
    start_ramp_per_second: float = 2.0
    queue_limit: float = 0.08


class BandwidthEstimate:
    """Fed by the sender's RTCP handler and pacer; read by whoever sends. Times in seconds."""

    def __init__(self, settings: BandwidthSettings | None = None, *, now: float = 0.0) -> None:
        self.settings = settings or BandwidthSettings()
        s = self.settings
        self._target = min(max(s.start_bps, s.min_bps), s.max_bps)
        self._last_remb: float | None = None
        self._min_rtt: float | None = None
        self._rtt = DEFAULT_RTT
        self._held_until = float("-inf")
        self._last_update = now
        self._sent: deque[tuple[float, int]] = deque()
        self._sent_bytes = 0
        self.falls = 0
        # The link has shown a limit (a fall, or loss above random): slow start is over.
        self._limited = False

    @property
    def target_bps(self) -> float:
        return self._target

    @property
    def media_bps(self) -> float:
        """What media may use: the estimate less the control channels' share."""
        return max(self._target - self.settings.control_reserve_bps, self.settings.min_bps / 2)

    @property
    def rtt(self) -> float:
        """The latest round trip a report measured (seconds), queueing included."""
        return self._rtt

    @property
    def at_floor(self) -> bool:
        return self._target <= self.settings.min_bps

    # ---- inputs --------------------------------------------------------------------

    def on_sent(self, size: int, now: float) -> None:
        """A packet left (from the pacer): how much we actually ask of the link."""
        self._sent.append((now, size))
        self._sent_bytes += size
        self._forget_sent(now)

    def on_feedback(self, feedback: SenderFeedback, now: float) -> None:
        if feedback.remb_bps is not None:
            self.on_remb(feedback.remb_bps, now)
        if feedback.fraction_lost is not None:
            self.on_report(feedback.fraction_lost, feedback.rtt, now)

    def on_remb(self, bps: float, now: float) -> None:
        previous, self._last_remb = self._last_remb, bps
        if previous is None:
            # The first one: aiortc's start (what it received, near what we sent) or over-use.
            overuse = bps < REMB_FIRST_OVERUSE * self.send_rate(now)
        else:
            overuse = bps < previous or bps > previous * REMB_MAX_GROWTH + REMB_SLACK_BPS
        if overuse and not self._app_limited(now):
            if now >= self._held_until:
                self._fall_to(bps, now, "delay")
            # else: the figure of a queue the last fall is still draining. Taken, each REMB
            # lower than the one before (0.85 of what arrived, which follows what we send)
            # spiralled 1.7 Mbit/s down to 0.4 in 1.5 s on a 5 Mbit/s link.
        else:
            self._grow(now)

    def on_report(self, fraction_lost: float, rtt: float | None, now: float) -> None:
        """A receiver report: its lost fraction (0 to 1) and round trip in seconds."""
        if rtt is not None and rtt > 0:
            self._rtt = max(MIN_RTT, rtt)
            self._min_rtt = rtt if self._min_rtt is None else min(self._min_rtt, rtt)
            if rtt - self._min_rtt > self.settings.queue_limit and not self._app_limited(now):
                self._fall_to(OVERUSE_FACTOR * self.send_rate(now), now, "queue")
                return
        if fraction_lost > LOSS_HIGH:
            # What got through is what the link carries, when we sent more than it (a sharp
            # frame in slow start): halving the loss alone left 13.8 Mbit/s at 11 on a 5.
            delivered = (1 - fraction_lost) * self.send_rate(now)
            mild = self._target * (1 - 0.5 * fraction_lost)
            self._fall_to(min(mild, delivered), now, "loss")
        elif fraction_lost < LOSS_LOW:
            self._grow(now)
        else:
            # Loss above random while we send: the queue overflowed. Doubling on (6 to 10.7
            # Mbit/s in a second on a 5 Mbit/s link) would lose a sharp frame whole.
            self._limited = self._limited or not self._app_limited(now)
            self._last_update = now

    # ---- rules ---------------------------------------------------------------------

    def send_rate(self, now: float) -> float:
        self._forget_sent(now)
        return self._sent_bytes * 8 / SEND_WINDOW_SECONDS

    def _fall_to(self, bps: float, now: float, why: str) -> None:
        # One signal halves the estimate at most: a figure measured while we sent little (a
        # REMB, what got through) can be far below the link.
        bps = max(bps, DEEPEST_FALL * self._target)
        if bps < self._target:
            self._target = max(self.settings.min_bps, bps)
            self.falls += 1
            self._limited = True
            log.info("send rate estimate down to %d kbit/s (%s)", self._target // 1000, why)
        self._held_until = now + HOLD_SECONDS
        self._last_update = now

    def _grow(self, now: float) -> None:
        elapsed = min(now - self._last_update, 1.0)
        self._last_update = now
        if now < self._held_until or elapsed <= 0:
            return
        if self._app_limited(now):
            return
        s = self.settings
        ramp = s.ramp_per_second if self._limited else s.start_ramp_per_second
        grown = self._target * ramp**elapsed
        self._target = min(self.settings.max_bps, grown)

    def _app_limited(self, now: float) -> bool:
        """We sent well under the estimate: what the receiver measured is our own pace,
        not the link's (a still screen sends next to nothing), so it says nothing either way."""
        return self.send_rate(now) < APP_LIMITED_SHARE * self.media_bps

    def _forget_sent(self, now: float) -> None:
        while self._sent and self._sent[0][0] < now - SEND_WINDOW_SECONDS:
            self._sent_bytes -= self._sent.popleft()[1]
