"""Hostile data-channel messages are refused as errors, never crash the receiving loop:
a non-string type, nesting deeper than the parser goes, invalid UTF-8, a non-object."""

from __future__ import annotations

import pytest

from common.input_events import InputError, parse_input
from common.peer_messages import PeerMessageError, parse_peer_message

HOSTILE = [
    '{"type": ["chat"], "text": "x"}',
    '{"type": {"a": 1}}',
    '{"type": 7}',
    "[" * 3000 + "]" * 3000,
    '{"type": "chat", "text": ' + "[" * 3000 + "]" * 3000 + "}",
    b'{"type": "chat", "text": "\xff\xfe"}',
    "[1, 2, 3]",
    "null",
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_peer_messages_are_refused_not_raised(raw):
    with pytest.raises(PeerMessageError):
        parse_peer_message(raw)


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_events_are_refused_not_raised(raw):
    with pytest.raises(InputError):
        parse_input(raw)
