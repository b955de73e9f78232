"""The device rules next to the code (the real server's tests are in ``tests/adversarial``):
the exact name confirms, nobody approves their own request in any letter case, and a device
reports only on what it was sent."""

from __future__ import annotations

import pytest

from common.devices.actions import ActionKind, ActionState, confirmation_matches
from signaling.devices.rules import RefusalKind, Refused, check_approval, update_applies


@pytest.mark.parametrize("typed", ["BOB", "PC", "BOB-P", "OB-PC", "bob-pc", "BOB-PC2", "", None])
def test_only_the_exact_name_confirms(typed):
    assert not confirmation_matches(typed, "BOB-PC")


def test_the_exact_name_confirms_with_spaces_around_it():
    assert confirmation_matches("  BOB-PC ", "BOB-PC")


@pytest.mark.parametrize(
    "approver", ["max@contoso.example", "MAX@Contoso.Example", " Max@contoso.example"]
)
def test_nobody_approves_their_own_request_in_any_letter_case(approver):
    with pytest.raises(Refused) as refused:
        check_approval(
            ActionKind.WIPE,
            ActionState.PENDING,
            needs_approval=True,
            approved_by=None,
            requested_by="Max@Contoso.example",
            by=approver,
        )
    assert refused.value.kind is RefusalKind.FORBIDDEN


@pytest.mark.parametrize(
    "reported", [ActionState.RUNNING, ActionState.SUCCEEDED, ActionState.FAILED]
)
def test_a_device_reports_only_on_what_it_was_sent(reported):
    assert not update_applies(ActionState.PENDING, reported)
    assert update_applies(ActionState.DELIVERED, reported)


def _approve(
    state: ActionState = ActionState.PENDING,
    *,
    needs_approval: bool = True,
    approved_by: str | None = None,
    by: str = "frank@contoso.example",
) -> None:
    check_approval(
        ActionKind.WIPE,
        state,
        needs_approval=needs_approval,
        approved_by=approved_by,
        requested_by="erin@contoso.example",
        by=by,
    )


def test_a_second_person_approves_a_pending_request_once():
    _approve()  # a second person, a pending wipe nobody approved yet: no refusal
    with pytest.raises(Refused) as again:
        _approve(approved_by="gina@contoso.example")
    assert (
        again.value.kind is RefusalKind.CONFLICT and "gina@contoso.example" in again.value.message
    )


@pytest.mark.parametrize("state", sorted(set(ActionState) - {ActionState.PENDING}))
def test_only_a_pending_request_is_approved(state):
    """A cancelled wipe cannot be brought back by approving it, nor a finished one redone."""
    with pytest.raises(Refused) as refused:
        _approve(state)
    assert refused.value.kind is RefusalKind.CONFLICT


def test_what_needs_no_second_person_takes_no_approval():
    with pytest.raises(Refused) as refused:
        _approve(needs_approval=False)
    assert refused.value.kind is RefusalKind.CONFLICT
