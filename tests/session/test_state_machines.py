"""Both engines' state machines allow exactly the lifecycle of DESIGN.md, nothing more.

The expected transitions are written out here by hand from the lifecycle, not read from the
engines' tables: a transition added to or dropped from a table makes these tests fail.
"""

import itertools

import pytest

from client.session.helper_engine import HELPER_TRANSITIONS, HelperState
from client.session.sharer_engine import SHARER_TRANSITIONS, SharerState
from common.state_machine import IllegalTransition, StateMachine

HELPER_LIVE = [
    "idle",
    "signed_in",
    "waiting_for_sharer",
    "awaiting_consent",
    "connecting",
    "active",
]
HELPER_EXPECTED = {
    ("idle", "signed_in"),  # helper signs in
    ("signed_in", "waiting_for_sharer"),  # code issued
    ("waiting_for_sharer", "waiting_for_sharer"),  # a new code replaces the old one
    ("waiting_for_sharer", "awaiting_consent"),  # the sharer redeemed it and sees the card
    ("awaiting_consent", "connecting"),  # the sharer allowed view or control
    ("connecting", "active"),  # WebRTC connected
} | {(state, "ended") for state in HELPER_LIVE}  # either side may end at any time

SHARER_LIVE = ["idle", "signed_in", "redeeming", "awaiting_consent", "connecting", "active"]
SHARER_EXPECTED = {
    ("idle", "signed_in"),  # sharer signs in
    ("signed_in", "redeeming"),  # enters the code
    ("redeeming", "signed_in"),  # bad, expired or out-of-scope code: a clear error, try again
    ("redeeming", "awaiting_consent"),  # the helper's card verified and shown
    ("awaiting_consent", "connecting"),  # allowed view only or full control
    ("connecting", "active"),  # WebRTC connected
} | {(state, "ended") for state in SHARER_LIVE}  # decline, stop sharing, or the other side ends


def _allowed(states, table) -> set[tuple[str, str]]:
    """Every (from, to) pair the machine accepts; refused moves must leave the state alone."""
    allowed = set()
    for source, target in itertools.product(states, states):
        machine = StateMachine(source, table)
        try:
            machine.move(target)
        except IllegalTransition:
            assert machine.state is source
        else:
            assert machine.state is target
            allowed.add((source.value, target.value))
    return allowed


@pytest.mark.parametrize(
    ("states", "table", "expected"),
    [
        (list(HelperState), HELPER_TRANSITIONS, HELPER_EXPECTED),
        (list(SharerState), SHARER_TRANSITIONS, SHARER_EXPECTED),
    ],
    ids=["helper", "sharer"],
)
def test_exactly_the_lifecycle_transitions_are_allowed(states, table, expected):
    assert {s.value for s in states} == {s for pair in expected for s in pair}
    assert _allowed(states, table) == expected


def test_nothing_skips_consent():
    """Spelled out because it is the one that matters most: no sharing before the answer."""
    helper = StateMachine(HelperState.WAITING_FOR_SHARER, HELPER_TRANSITIONS)
    with pytest.raises(IllegalTransition):
        helper.move(HelperState.CONNECTING)
    for start in (SharerState.REDEEMING, SharerState.SIGNED_IN):
        sharer = StateMachine(start, SHARER_TRANSITIONS)
        with pytest.raises(IllegalTransition):
            sharer.move(SharerState.CONNECTING)
    with pytest.raises(IllegalTransition):
        StateMachine(SharerState.AWAITING_CONSENT, SHARER_TRANSITIONS).move(SharerState.ACTIVE)
