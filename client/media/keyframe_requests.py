"""Which of the receiver's keyframe requests (PLI/FIR) are worth a new keyframe.

The helper asks for a keyframe for every frame it had to drop. On a congested link several
frames in flight are dropped one after another, and each request used to restart the sharp
gear with a new IDR of ``SHARP_STEP_SECONDS`` of the link: at 5 Mbit/s ten of them in four
seconds, each dropped in its turn, and the text never sharpened. A request that arrives
while a keyframe is still on its way concerns a frame from before it, which that keyframe
already replaces. A request about the keyframe itself comes later than that (its loss is
noticed only after the jitter buffer's gap timeout), so it is still answered.
"""

from __future__ import annotations


class KeyframeRequests:
    def __init__(self) -> None:
        self._in_flight_until = float("-inf")

    def sent(self, size_bytes: int, now: float, rate_bps: float | None, rtt: float) -> None:
        """A keyframe left the encoder: until it has crossed the link, it answers requests."""
        if rate_bps is None or rate_bps <= 0:
            return
        self._in_flight_until = max(self._in_flight_until, now + size_bytes * 8 / rate_bps + rtt)

    def answer(self, now: float) -> bool:
        """Whether a request taken now needs a keyframe of its own."""
        return now >= self._in_flight_until
