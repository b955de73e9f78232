"""The server's session state machine, against the lifecycle in DESIGN.md written out by hand.

Code issued -> a sharer redeems it and reads the card -> consent -> active -> ended; a
waiting helper or a sharer reading the card may end at any time; nothing comes back.
"""

from __future__ import annotations

import itertools

import pytest

from common.state_machine import IllegalTransition, StateMachine
from signaling.pairing.sessions import SERVER_TRANSITIONS, ServerSessionState

W, C, A, E = (
    ServerSessionState.WAITING_FOR_SHARER,
    ServerSessionState.AWAITING_CONSENT,
    ServerSessionState.ACTIVE,
    ServerSessionState.ENDED,
)
LEGAL = {(W, C), (W, E), (C, A), (C, E), (A, E)}


@pytest.mark.parametrize(("start", "target"), list(itertools.product([W, C, A, E], repeat=2)))
def test_each_move_is_allowed_exactly_when_the_lifecycle_allows_it(start, target):
    machine = StateMachine(start, SERVER_TRANSITIONS)
    if (start, target) in LEGAL:
        machine.move(target)
        assert machine.state is target
    else:
        with pytest.raises(IllegalTransition):
            machine.move(target)
        assert machine.state is start


def test_every_state_is_in_the_table():
    assert set(SERVER_TRANSITIONS) == set(ServerSessionState)
