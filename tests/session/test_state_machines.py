"""Every transition of both engines' state machines: allowed ones pass, the rest are refused."""

import itertools

import pytest

from client.session.helper_engine import HELPER_TRANSITIONS, HelperState
from client.session.sharer_engine import SHARER_TRANSITIONS, SharerState
from common.state_machine import IllegalTransition, StateMachine

HELPER_PATH = [
    HelperState.SIGNED_IN,
    HelperState.WAITING_FOR_SHARER,
    HelperState.WAITING_FOR_SHARER,  # a new code replaces the old one
    HelperState.AWAITING_CONSENT,
    HelperState.CONNECTING,
    HelperState.ACTIVE,
    HelperState.ENDED,
]
SHARER_PATH = [
    SharerState.SIGNED_IN,
    SharerState.REDEEMING,
    SharerState.SIGNED_IN,  # wrong code: try again
    SharerState.REDEEMING,
    SharerState.AWAITING_CONSENT,
    SharerState.CONNECTING,
    SharerState.ACTIVE,
    SharerState.ENDED,
]


@pytest.mark.parametrize(
    ("initial", "table", "path"),
    [
        (HelperState.IDLE, HELPER_TRANSITIONS, HELPER_PATH),
        (SharerState.IDLE, SHARER_TRANSITIONS, SHARER_PATH),
    ],
)
def test_the_happy_path_is_allowed(initial, table, path):
    machine = StateMachine(initial, table)
    for state in path:
        machine.move(state)
    assert machine.state is path[-1]


@pytest.mark.parametrize(
    ("table", "states"),
    [(HELPER_TRANSITIONS, list(HelperState)), (SHARER_TRANSITIONS, list(SharerState))],
)
def test_every_pair_is_decided_by_the_table(table, states):
    for source, target in itertools.product(states, states):
        machine = StateMachine(source, table)
        if target in table[source]:
            machine.move(target)
            assert machine.state is target
        else:
            with pytest.raises(IllegalTransition):
                machine.move(target)
            assert machine.state is source


@pytest.mark.parametrize(
    ("table", "states", "ended"),
    [
        (HELPER_TRANSITIONS, list(HelperState), HelperState.ENDED),
        (SHARER_TRANSITIONS, list(SharerState), SharerState.ENDED),
    ],
)
def test_any_live_state_can_end_and_ended_is_final(table, states, ended):
    for state in states:
        if state is not ended:
            assert ended in table[state]
    assert table[ended] == frozenset()


def test_nothing_skips_consent():
    assert HelperState.CONNECTING not in HELPER_TRANSITIONS[HelperState.WAITING_FOR_SHARER]
    assert SharerState.CONNECTING not in SHARER_TRANSITIONS[SharerState.REDEEMING]
    assert SharerState.ACTIVE not in SHARER_TRANSITIONS[SharerState.AWAITING_CONSENT]
