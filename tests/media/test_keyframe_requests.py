"""A keyframe answers the requests about the frames before it, not the one about itself."""

from __future__ import annotations

from client.media.jitter import GAP_TIMEOUT
from client.media.keyframe_requests import KeyframeRequests


def test_requests_while_a_keyframe_crosses_the_link_are_answered_by_it():
    requests = KeyframeRequests()
    assert requests.answer(0.0), "nothing sent yet: a request gets a keyframe"
    # 250 KB at 5 Mbit/s: 0.4 s on the link, then a 40 ms round trip.
    requests.sent(250_000, 10.0, 5_000_000, 0.04)
    assert not requests.answer(10.2)
    assert not requests.answer(10.43)
    # The keyframe's own loss is noticed a gap timeout after its last packet: answered.
    assert requests.answer(10.4 + GAP_TIMEOUT + 0.02)


def test_without_an_estimate_every_request_is_answered():
    requests = KeyframeRequests()
    requests.sent(250_000, 10.0, None, 0.04)
    assert requests.answer(10.01)
