"""The device agent's websocket, ``/v1/agent``: signed check-ins in, actions out.

Every frame from the agent is a :class:`~common.devices.signing.SignedEnvelope` whose body is
one of :data:`AgentBody`; the first must be a ``check_in``, which signs the connection in.
The server answers each check-in with ``checked_in`` and then ``actions``: every action it
has for the device that is ``delivered`` or ``running`` (redelivered, same ids) followed by
the ``pending`` ones it now marks ``delivered``. While connected, a new action is pushed at
once in another ``actions`` frame; a help request for the device in ``help_requested``.

Exactly once: the agent writes an action's id to its journal before it starts it, and never
starts an id that is already there; for such an id it sends its last update again (or
``failed`` "interrupted" if it stopped without one). Updates are acknowledged with
``action_ack`` carrying the server's state; the agent keeps an update and sends it again
after a reconnect until it is acknowledged. An update the server cannot apply (the action
already ended, or a state that is not next) is acknowledged with the unchanged state.

A device the server no longer has enrolled (deleted, or retired) is told ``retire`` and the
connection closes; the agent then removes its managed data, credentials and key. A refused
frame (bad signature, stale timestamp, replayed nonce, unknown device) gets ``error`` with
code ``device_refused`` and the connection closes with 1008.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from common.devices.actions import (
    AGENT_REPORTED_STATES,
    ActionRecord,
    ActionState,
    DiagnosticsReport,
    ResultText,
)
from common.devices.records import DeviceRecord, OsText
from common.devices.signing import MAX_BODY_BYTES, SignedEnvelope
from common.text_fields import DisplayText, ShortText
from common.validation import first_error
from common.wire import ErrorCode, ProtocolError, decode_object

AGENT_PATH = "/v1/agent"
MAX_AGENT_FRAME_BYTES = MAX_BODY_BYTES + 4096
DEFAULT_CHECK_IN_SECONDS = 15 * 60


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- agent -> server (bodies of signed envelopes) ----------------------------------------


class CheckIn(_Body):
    """At connect, on schedule, and when a ``sync`` asks: the device's current facts."""

    type: Literal["check_in"] = "check_in"
    os: OsText = ""
    os_version: OsText = ""
    helpline_version: ShortText = ""


class ActionUpdate(_Body):
    """Progress (``running``, repeated with a new ``progress`` line) or the end of an action."""

    type: Literal["action_update"] = "action_update"
    action_id: ShortText
    state: ActionState  # running, succeeded or failed (AGENT_REPORTED_STATES)
    progress: ResultText = ""
    result: ResultText = ""
    platform_command: ResultText = ""
    report: DiagnosticsReport | None = None  # diagnostics, with its final update

    @field_validator("state")
    @classmethod
    def _reported_by_agents(cls, state: ActionState) -> ActionState:
        if state not in AGENT_REPORTED_STATES:
            raise ValueError("an agent reports running, succeeded or failed")
        return state


AgentBody = Annotated[CheckIn | ActionUpdate, Field(discriminator="type")]
_BODY: TypeAdapter[CheckIn | ActionUpdate] = TypeAdapter(AgentBody)


# ---- server -> agent ---------------------------------------------------------------------


class _ServerMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1


class CheckedIn(_ServerMessage):
    type: Literal["checked_in"] = "checked_in"
    device: DeviceRecord
    check_in_seconds: int = Field(ge=1)
    server_time: int  # Unix seconds: lets the agent see a clock too far off to sign


class Deliver(_ServerMessage):
    type: Literal["actions"] = "actions"
    actions: list[ActionRecord] = Field(max_length=1000)


class ActionAck(_ServerMessage):
    type: Literal["action_ack"] = "action_ack"
    action_id: ShortText
    state: ActionState


class Retire(_ServerMessage):
    """The device is no longer enrolled: remove managed data, credentials and key."""

    type: Literal["retire"] = "retire"
    reason: Literal["deleted", "retired"]
    # The server's signature over ``statements.retire_bytes`` (the agent checks it).
    statement: str = Field(default="", max_length=200)


class HelpWanted(_ServerMessage):
    """Someone asks to help on this device (``signaling.pairing.device_help``): the agent tells the
    person, who answers in the Helpline app; the agent itself starts nothing."""

    type: Literal["help_requested"] = "help_requested"
    helper_name: DisplayText
    expires_at: datetime


class AgentError(_ServerMessage):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str = Field(max_length=500)


ToAgent = CheckedIn | Deliver | ActionAck | Retire | HelpWanted | AgentError
ServerToAgent = Annotated[ToAgent, Field(discriminator="type")]
_SERVER: TypeAdapter[ToAgent] = TypeAdapter(ServerToAgent)


# ---- parsing: the one place agent-channel input is validated ------------------------------


def parse_envelope(raw: str | bytes) -> SignedEnvelope:
    """A frame from the agent, checked for shape; the signature is checked by the caller."""
    data = decode_object(raw, MAX_AGENT_FRAME_BYTES, version=1)
    try:
        return SignedEnvelope.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.INVALID, f"invalid field {first_error(exc)}") from exc


def agent_body(envelope: SignedEnvelope) -> CheckIn | ActionUpdate:
    """The typed body of an envelope whose signature was verified."""
    try:
        return _BODY.validate_python(envelope.body)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.INVALID, f"invalid field {first_error(exc)}") from exc


def parse_server_message(raw: str | bytes) -> ToAgent:
    """A frame from the server, for the agent."""
    data = decode_object(raw, MAX_AGENT_FRAME_BYTES, version=1)
    try:
        return _SERVER.validate_python(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.INVALID, f"invalid field {first_error(exc, skip=1)}") from exc


def encode(message: BaseModel) -> str:
    return message.model_dump_json(exclude_none=True)
