"""Remote actions on a managed device: what may be asked, and how an action's state moves.

An action is a durable record on the server. It is ``pending`` until the agent is sent it
(``delivered``), ``running`` once the agent says it started, and ends ``succeeded`` or
``failed``; only a ``pending`` one may be ``cancelled``. ``delete`` is carried out by the
server itself (pending -> succeeded): the record goes, and the device retires itself when it
next checks in. A ``wipe``, and a ``fresh_start`` that does not keep the user's data, stay
pending until a second person approves them; every action that cannot be undone names the
device.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.text_fields import DisplayText, ShortText

ResultText = Annotated[str, Field(max_length=2000)]
DeviceName = Annotated[DisplayText, Field(min_length=1, max_length=100)]


class ActionKind(StrEnum):
    SYNC = "sync"
    RESTART = "restart"
    LOCK = "lock"
    RENAME = "rename"
    DIAGNOSTICS = "diagnostics"
    RETIRE = "retire"
    WIPE = "wipe"
    FRESH_START = "fresh_start"
    DELETE = "delete"


class ActionState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


_A = ActionState
ACTION_TRANSITIONS: dict[ActionState, frozenset[ActionState]] = {
    # pending -> succeeded only for what the server does itself (delete).
    _A.PENDING: frozenset({_A.DELIVERED, _A.CANCELLED, _A.SUCCEEDED}),
    # An agent may report the end without a "running" first (a lock takes no time).
    _A.DELIVERED: frozenset({_A.RUNNING, _A.SUCCEEDED, _A.FAILED}),
    _A.RUNNING: frozenset({_A.SUCCEEDED, _A.FAILED}),
    _A.SUCCEEDED: frozenset(),
    _A.FAILED: frozenset(),
    _A.CANCELLED: frozenset(),
}
FINAL_STATES = frozenset({_A.SUCCEEDED, _A.FAILED, _A.CANCELLED})
# States an agent reports in an ``action_update``.
AGENT_REPORTED_STATES = frozenset({_A.RUNNING, _A.SUCCEEDED, _A.FAILED})

# The request must name the device exactly (``confirm``): these cannot be undone.
NEEDS_CONFIRMATION = frozenset(
    {ActionKind.RETIRE, ActionKind.WIPE, ActionKind.FRESH_START, ActionKind.DELETE}
)
# Not delivered until a second person with ``actions`` over the device approves: what erases
# the machine (a wipe always; a fresh start unless it keeps the user's data).
NEEDS_SECOND_APPROVER = frozenset({ActionKind.WIPE})
ERASES_UNLESS_KEPT = frozenset({ActionKind.FRESH_START})
# Done by the server at once; never delivered to an agent.
SERVER_SIDE = frozenset({ActionKind.DELETE})
# Take the ``keep_user_data`` option.
KEEPS_USER_DATA = frozenset({ActionKind.WIPE, ActionKind.FRESH_START})
DEFAULT_RESTART_COUNTDOWN_SECONDS = 300


def confirmation_matches(confirm: str | None, device_name: str) -> bool:
    """The person typed the device's name, exactly: a part of it, or the name in another
    letter case, may be another machine's name. Only spaces around it are forgiven."""
    return confirm is not None and bool(device_name) and confirm.strip() == device_name.strip()


def needs_second_person(action: ActionKind, keep_user_data: bool) -> bool:
    return action in NEEDS_SECOND_APPROVER or (action in ERASES_UNLESS_KEPT and not keep_user_data)


def same_person(one: str, other: str) -> bool:
    """UPNs in any letter case name one person (Entra ID sends them as typed)."""
    return one.strip().casefold() == other.strip().casefold()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionParameters(_Model):
    """What an action needs besides its kind; only the fields its kind takes are set."""

    new_name: DeviceName | None = None  # rename
    keep_user_data: bool | None = None  # wipe, fresh_start
    countdown_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)  # restart


class ActionRequest(_Model):
    """``POST /v1/devices/{device_id}/actions``: the body, checked here for every caller."""

    action: ActionKind
    confirm: DisplayText | None = None
    new_name: DeviceName | None = None
    keep_user_data: bool = False
    countdown_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)

    @model_validator(mode="after")
    def _fits_kind(self) -> ActionRequest:
        if self.action is ActionKind.RENAME and self.new_name is None:
            raise ValueError("rename needs new_name")
        if self.action is not ActionKind.RENAME and self.new_name is not None:
            raise ValueError(f"{self.action.value} takes no new_name")
        if self.keep_user_data and self.action not in KEEPS_USER_DATA:
            raise ValueError(f"{self.action.value} takes no keep_user_data")
        if self.countdown_seconds is not None and self.action is not ActionKind.RESTART:
            raise ValueError(f"{self.action.value} takes no countdown_seconds")
        return self

    def parameters(self) -> ActionParameters:
        restart = self.action is ActionKind.RESTART
        return ActionParameters(
            new_name=self.new_name,
            keep_user_data=self.keep_user_data if self.action in KEEPS_USER_DATA else None,
            countdown_seconds=(
                self.countdown_seconds
                if self.countdown_seconds is not None or not restart
                else DEFAULT_RESTART_COUNTDOWN_SECONDS
            ),
        )


class ActionRecord(_Model):
    """An action as the API returns it and as the agent receives it (same id every time)."""

    id: ShortText
    device: ShortText  # the device id
    device_name: DisplayText = ""
    action: ActionKind
    state: ActionState
    parameters: ActionParameters = ActionParameters()
    requested_by: ShortText
    requested_at: datetime
    needs_approval: bool = False
    approved_by: ShortText | None = None
    approved_at: datetime | None = None
    cancelled_by: ShortText | None = None
    delivered_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None
    # The agent's last progress line while running ("restart in 300 s", "postponed once").
    progress: ResultText = ""
    result: ResultText = ""
    # What the agent ran, or would run with --dry-run ("shutdown /r /t 300").
    platform_command: ResultText = ""
    has_report: bool = False
    # The server's signature over what the agent may run (``common.devices.statements``).
    statement: Annotated[str, Field(max_length=200)] = ""


class DiagnosticsReport(_Model):
    """What ``diagnostics`` collects: system facts only, never anything from the user's files.

    Sent by the agent with the action's final update; ``GET /v1/devices/actions/{id}/report``
    returns it (with ``Content-Disposition: attachment`` for downloading).
    """

    collected_at: datetime
    # Named sections ("system", "network", "helpline_log_tail"...), each any JSON value.
    sections: dict[ShortText, object] = Field(default_factory=dict, max_length=100)
