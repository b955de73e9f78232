"""Spreading a big frame's packets over time instead of bursting them.

A sharp 1080p frame of text is up to about 1 MB: 800 RTP packets. aiortc sends a frame's
packets back to back, and a burst that size overflows the receiving socket's buffer (on
loopback about 200 KB) or a router's queue: measured, 430 of the first 884 packets were
lost, the frame never completed, and aiortc's retransmission history (128 packets) was too
short to repair it. A token bucket in front of the sender's transport lets a burst of
``burst_bytes`` through at once (motion frames are 10-20 KB) and paces the rest at
``rate_bps``.
"""

from __future__ import annotations

import asyncio
import time

from aiortc import RTCRtpSender

from client.media.aiortc_internals import SendRtp, keep_retransmission_history, wrap_rtp_send

DEFAULT_RATE_BPS = 30_000_000
DEFAULT_BURST_BYTES = 64 * 1024
# aiortc keeps the last 128 sent packets for retransmission (NACK), fewer than one sharp
# frame has; a lost packet early in such a frame could then never be repaired.
RETRANSMIT_HISTORY = 4096


class TokenBucket:
    def __init__(self, rate_bps: float, burst_bytes: int) -> None:
        self.rate = rate_bps / 8
        self.burst = burst_bytes
        self._tokens = float(burst_bytes)
        self._last = time.monotonic()

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
) -> TokenBucket:
    """Put a token bucket in front of the sender's transport (aiortc has no pacer of its own)."""
    keep_retransmission_history(RETRANSMIT_HISTORY)
    bucket = TokenBucket(rate_bps, burst_bytes)

    def paced_by_bucket(send: SendRtp) -> SendRtp:
        async def paced(data: bytes) -> None:
            delay = bucket.delay_for(len(data))
            if delay > 0:
                await asyncio.sleep(delay)
            await send(data)

        return paced

    wrap_rtp_send(sender, paced_by_bucket)
    return bucket
