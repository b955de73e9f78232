"""Spreading a big frame's packets over time instead of bursting them.

A sharp 1080p frame of text is up to about 1 MB: 800 RTP packets. aiortc sends a frame's
packets back to back, and a burst that size overflows the receiving socket's buffer (on
loopback about 200 KB) or a router's queue: measured, 430 of the first 884 packets were
lost, the frame never completed, and aiortc's retransmission history (128 packets) was too
short to repair it. A token bucket in front of the sender's transport lets a burst of
``burst_bytes`` through at once (motion frames are 10-20 KB) and paces the rest at
``rate_bps``.

With a bandwidth estimate the rate is the estimate's media share, read for every packet,
and the burst shrinks with it to ``BURST_SECONDS`` of the link (64 KB at 5 Mbit/s would be
the whole of a home router's queue); every packet sent is told to the estimate, which
needs to know whether we asked anything of the link. Each packet is charged with its
SRTP, UDP and IP overhead (``WIRE_OVERHEAD``): the link carries those too, and at
1200-byte packets they are 3 % that would otherwise fill the bottleneck's queue.

RTCP and retransmissions are not held behind the frames queued before them: a
retransmission that waits behind a sharp frame's 0.4 s step arrives after the receiver has
given up on its frame. They are still charged, so new media yields to them.
"""

from __future__ import annotations

import asyncio
import time

from aiortc import RTCRtpSender

from client.media.aiortc_internals import (
    SendRtp,
    is_priority_packet,
    keep_retransmission_history,
    sender_ssrc,
    wrap_rtp_send,
)
from client.media.bandwidth import BandwidthEstimate

DEFAULT_RATE_BPS = 30_000_000
DEFAULT_BURST_BYTES = 64 * 1024
BURST_SECONDS = 0.01
MIN_BURST_BYTES = 2 * 1500
WIRE_OVERHEAD = 10 + 8 + 20  # SRTP authentication tag, UDP and IPv4 headers
# aiortc keeps the last 128 sent packets for retransmission (NACK), fewer than one sharp
# frame has; a lost packet early in such a frame could then never be repaired.
RETRANSMIT_HISTORY = 4096


class TokenBucket:
    def __init__(self, rate_bps: float, burst_bytes: int) -> None:
        self.rate = rate_bps / 8
        self.burst = burst_bytes
        self._tokens = float(burst_bytes)
        self._last = time.monotonic()

    def follow(self, rate_bps: float, max_burst_bytes: int) -> None:
        """A new rate, and a burst of at most ``BURST_SECONDS`` of it."""
        self.rate = rate_bps / 8
        self.burst = int(min(max_burst_bytes, max(MIN_BURST_BYTES, self.rate * BURST_SECONDS)))

    def delay_for(self, size: int) -> float:
        """Seconds to wait before sending ``size`` bytes (their cost is taken now)."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        self._tokens -= size
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


def pace(
    sender: RTCRtpSender,
    rate_bps: float = DEFAULT_RATE_BPS,
    burst_bytes: int = DEFAULT_BURST_BYTES,
    estimate: BandwidthEstimate | None = None,
) -> TokenBucket:
    """Put a token bucket in front of the sender's transport (aiortc has no pacer of its own);
    with ``estimate``, at its media rate (``rate_bps`` is then unused). Retransmissions and
    RTCP go before queued media."""
    keep_retransmission_history(RETRANSMIT_HISTORY)
    bucket = TokenBucket(rate_bps, burst_bytes)

    def paced_by_bucket(send: SendRtp) -> SendRtp:
        async def paced(data: bytes) -> None:
            size = len(data) + WIRE_OVERHEAD
            if estimate is not None:
                bucket.follow(estimate.media_bps, burst_bytes)
                estimate.on_sent(size, time.monotonic())
            delay = bucket.delay_for(size)
            if delay > 0 and not is_priority_packet(data, sender_ssrc(sender)):
                await asyncio.sleep(delay)
            await send(data)

        return paced

    wrap_rtp_send(sender, paced_by_bucket)
    return bucket
