"""What may be done to a device and its actions, decided from plain facts: no storage, no
HTTP. The store asks these questions inside its transaction; a "no" is :class:`Refused` with
a :class:`RefusalKind`, which the routes alone turn into an HTTP status and the agent's link
into an error frame, so the rules say what is wrong, never how a protocol words it.
"""

from __future__ import annotations

from enum import StrEnum

from common.devices.actions import (
    ACTION_TRANSITIONS,
    NEEDS_CONFIRMATION,
    ActionKind,
    ActionRequest,
    ActionState,
    confirmation_matches,
    needs_second_person,
    same_person,
)
from common.devices.records import DeviceStatus

_A = ActionState


class RefusalKind(StrEnum):
    NOT_FOUND = "not_found"  # no such device or action (or not one the caller may know of)
    FORBIDDEN = "forbidden"  # outside the caller's scope or permissions
    CONFLICT = "conflict"  # the state does not allow it now
    UNCONFIRMED = "unconfirmed"  # a destructive action without its confirmation
    INVALID = "invalid"  # a request that cannot be right whatever the state (a bad signature)
    LIMITED = "limited"  # too many (devices for one account, enrolments a minute)


class Refused(Exception):
    """A request the state or the rules do not allow; ``message`` is safe to show."""

    def __init__(self, kind: RefusalKind, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


KEY_TAKEN = "this device key is already enrolled; make a new key"


def check_device_count(held: int, cap: int | None) -> None:
    """An account without the ``actions`` permission enrols its own few machines only."""
    if cap is not None and held >= cap:
        raise Refused(RefusalKind.LIMITED, f"you already have {held} devices enrolled (at most "
                      f"{cap}); retire one, or ask your IT department")  # fmt: skip


def needs_approval(request: ActionRequest) -> bool:
    return needs_second_person(request.action, request.keep_user_data)


def check_request(device_name: str, status: DeviceStatus, request: ActionRequest) -> None:
    kind = request.action
    if status is DeviceStatus.RETIRED and kind is not ActionKind.DELETE:
        raise Refused(RefusalKind.CONFLICT, f"{device_name} is retired: only delete is possible")
    if kind in NEEDS_CONFIRMATION and not confirmation_matches(request.confirm, device_name):
        raise Refused(RefusalKind.UNCONFIRMED, f"{kind.value} cannot be undone: confirm it with "
                      f"the device's name, {device_name}")  # fmt: skip


def check_cancel(state: ActionState) -> None:
    if state is not _A.PENDING:
        raise Refused(RefusalKind.CONFLICT, f"only a pending action can be cancelled; this one "
                      f"is {state.value}")  # fmt: skip


def check_approval(
    kind: ActionKind,
    state: ActionState,
    *,
    needs_approval: bool,
    approved_by: str | None,
    requested_by: str,
    by: str,
) -> None:
    if not needs_approval:
        raise Refused(RefusalKind.CONFLICT, f"a {kind.value} needs no approval")
    if approved_by is not None:
        raise Refused(RefusalKind.CONFLICT, f"already approved by {approved_by}")
    if state is not _A.PENDING:
        raise Refused(RefusalKind.CONFLICT, f"the action is {state.value}; only a pending one "
                      "can be approved")  # fmt: skip
    if same_person(requested_by, by):
        raise Refused(RefusalKind.FORBIDDEN, "nobody approves their own request: ask a second "
                      "person with the actions permission")  # fmt: skip


def check_move(previous: ActionState, target: ActionState) -> None:
    if target not in ACTION_TRANSITIONS[previous]:
        raise Refused(
            RefusalKind.CONFLICT, f"an action cannot go from {previous.value} to {target.value}"
        )


def is_progress(current: ActionState, reported: ActionState) -> bool:
    """A new progress line for an action that is already running."""
    return current is _A.RUNNING and reported is _A.RUNNING


# What a device may report on: only what it was sent. (A pending action was never sent; a
# device that knows its id must not end it.)
REPORTABLE = frozenset({_A.DELIVERED, _A.RUNNING})


def update_applies(current: ActionState, reported: ActionState) -> bool:
    """Whether an agent's report moves the action; one that is not next changes nothing
    (a repeat after a reconnect, a late update, a report on an action never delivered)."""
    return current in REPORTABLE and reported in ACTION_TRANSITIONS[current]


def device_gone(status: DeviceStatus | None) -> bool:
    """A device the API no longer shows (never enrolled, or deleted)."""
    return status is None or status is DeviceStatus.DELETED
