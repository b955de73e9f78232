"""The signaling protocol: typed, versioned messages and the one place that validates them.

Every message is a JSON object with ``v`` (the protocol version) and ``type``. The server
and both apps parse everything they receive through :func:`parse_message`, which never lets
an oversized, malformed, unknown or wrongly-typed message through, and says why in a
:class:`~common.wire.ProtocolError` whose code goes back to the sender in an ``error`` message.

Flow (see DESIGN.md):

helper:  hello -> welcome; request_code -> code; ... consent (from server); signal <-> signal
sharer:  hello -> welcome; redeem_code -> helper_identity | error; consent; signal <-> signal
help on an enrolled device, instead of a code (``signaling.pairing.device_help``):
helper:  request_help -> help_requested | error (device_offline, out_of_scope); then as above
sharer:  (proven device) await_help -> awaiting_help; help_offered -> accept_help ->
         helper_identity; as above
helper:  help_asked (the helper's own console asked for it): the app sends request_help
both:    control (relayed, audited), feature (audited), end -> ended (to the other side)
sharer:  file (each file transfer, either way: name, size, SHA-256, direction; audited)
both:    resume_token (once active); after a lost link: hello -> welcome; resume -> resumed
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from common.devices.records import DeviceSummary
from common.devices.signing import SignedEnvelope
from common.identity_card import SignedCard
from common.permissions import ConsentChoice, ConsentLevel, ConsentOutcome, Feature, Permission
from common.text_fields import DisplayText, ShortText
from common.validation import first_error
from common.wire import ErrorCode, ProtocolError, decode_object

PROTOCOL_VERSION: Literal[1] = 1
Permissions = Annotated[list[Permission], Field(max_length=len(Permission))]
MAX_MESSAGE_BYTES = 64 * 1024


class PeerRole(StrEnum):
    HELPER = "helper"
    SHARER = "sharer"


class SignalKind(StrEnum):
    OFFER = "offer"
    ANSWER = "answer"
    CANDIDATE = "candidate"


class ControlAction(StrEnum):
    REQUEST_CONTROL = "request_control"
    GRANT_CONTROL = "grant_control"
    REVOKE_CONTROL = "revoke_control"
    DENY_CONTROL = "deny_control"


class EndReason(StrEnum):
    """Why a session ended, as told to both sides and written to the audit record."""

    HELPER_ENDED = "helper_ended"
    SHARER_ENDED = "sharer_ended"
    DECLINED = "declined"
    HELPER_DISCONNECTED = "helper_disconnected"
    SHARER_DISCONNECTED = "sharer_disconnected"
    PEER_TIMEOUT = "peer_timeout"
    CODE_EXPIRED = "code_expired"
    IDENTITY_MISMATCH = "identity_mismatch"
    CONNECTION_FAILED = "connection_failed"
    SERVER_SHUTDOWN = "server_shutdown"
    SIGNALING_LOST = "signaling_lost"
    # A replica cut off from the group's Redis: the others have already given it up.
    SERVER_CUT_OFF = "server_cut_off"
    ERROR = "error"
    # The organisation's time limits (signaling.pairing.session_limits).
    TIME_LIMIT = "time_limit"
    CONSENT_TIMEOUT = "consent_timeout"
    IDLE_TIMEOUT = "idle_timeout"
    # A help request for an enrolled device that the device did not answer in time.
    HELP_EXPIRED = "help_expired"


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = PROTOCOL_VERSION


# ---- client -> server ------------------------------------------------------------


class Hello(_Message):
    """First message on a connection: who I am (bearer token) and which side I play."""

    type: Literal["hello"] = "hello"
    token: str = Field(min_length=1, max_length=16_384)
    role: PeerRole
    device_name: DisplayText = ""
    # From an enrolled sharer device: common.devices.signing.live_help_proof over this token.
    device_proof: SignedEnvelope | None = None


class RequestCode(_Message):
    """Helper asks for a code; its DTLS fingerprint goes into the card the server signs."""

    type: Literal["request_code"] = "request_code"
    dtls_fingerprint: str = Field(default="", max_length=1000, pattern=r"^[A-Za-z0-9:, \-]*$")


class RedeemCode(_Message):
    type: Literal["redeem_code"] = "redeem_code"
    code: str = Field(max_length=64)


class Consent(_Message):
    """Sharer's answer to the card it was shown."""

    type: Literal["consent"] = "consent"
    level: ConsentChoice
    # What the sharer ticks beyond the level (clipboard, files, elevate): each only if offered.
    allow: Permissions = Field(default_factory=list)


class Allow(_Message):
    """The sharer changes what it allows beyond the level mid-session (a revocation, or a
    choice given back); relayed to the helper and audited."""

    type: Literal["allow"] = "allow"
    allow: Permissions = Field(default_factory=list)


class Active(_Message):
    """Someone did something in the session (input, chat, clipboard): the idle timer starts
    again. The server sees none of that itself; each side sends this at most once a second."""

    type: Literal["active"] = "active"


class ReportFeature(_Message):
    """A side says a feature was used that the server cannot see (chat rides the data channel),
    or, with ``refused``, that the sharer refused it because the helper may not use it."""

    type: Literal["feature"] = "feature"
    feature: Feature
    refused: bool = False


class FileDirection(StrEnum):
    TO_SHARER = "to_sharer"
    TO_HELPER = "to_helper"


class FileOutcome(StrEnum):
    COMPLETED = "completed"
    DECLINED = "declined"
    FAILED = "failed"


class ReportFile(_Message):
    """The sharer tells the audit of one file transfer, either way, once it is over: the name
    it was saved or offered under, its size, SHA-256 and direction; never its content."""

    type: Literal["file"] = "file"
    name: ShortText = Field(min_length=1)
    size: int = Field(ge=0, le=2**50)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    direction: FileDirection
    outcome: FileOutcome


class RequestHelp(_Message):
    """Helper asks to help on an enrolled device: instead of a code, the server asks the
    device; the DTLS fingerprint goes into the card as with a code."""

    type: Literal["request_help"] = "request_help"
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    dtls_fingerprint: str = Field(default="", max_length=1000, pattern=r"^[A-Za-z0-9:, \-]*$")


class AwaitHelp(_Message):
    """A sharer on a proven enrolled device is ready for help requests to that device."""

    type: Literal["await_help"] = "await_help"


class AcceptHelp(_Message):
    """The device's sharer app takes up a help request: it joins the helper as after a code
    (the card is shown and consent asked as always)."""

    type: Literal["accept_help"] = "accept_help"
    session_id: ShortText


class End(_Message):
    type: Literal["end"] = "end"
    reason: EndReason | None = None


class Resume(_Message):
    """After the signaling link was lost: carry on the session this token names."""

    type: Literal["resume"] = "resume"
    token: str = Field(min_length=1, max_length=2000, pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")


# ---- relayed both ways (the server stamps nothing in; it validates and forwards) ----


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    candidate: str = Field(max_length=1024)
    sdp_mid: str | None = Field(default=None, max_length=64)
    sdp_mline_index: int | None = Field(default=None, ge=0, le=64)


class Signal(_Message):
    """WebRTC offer, answer or trickled ICE candidate, relayed to the other side."""

    type: Literal["signal"] = "signal"
    kind: SignalKind
    sdp: str | None = Field(default=None, max_length=60_000)
    candidate: Candidate | None = None


class Control(_Message):
    """Control-plane change, relayed and audited: the server checks who may send which."""

    type: Literal["control"] = "control"
    action: ControlAction


# ---- server -> client ------------------------------------------------------------


class IceServer(BaseModel):
    """A STUN or TURN server the organisation runs; TURN ones carry short-lived credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    urls: list[Annotated[str, Field(max_length=300, pattern=r"^(stun|turn|turns):[^\s]+$")]] = (
        Field(min_length=1, max_length=8)
    )
    username: str | None = Field(default=None, max_length=300)
    credential: str | None = Field(default=None, max_length=300)


class Welcome(_Message):
    type: Literal["welcome"] = "welcome"
    user: ShortText
    name: DisplayText
    permissions: list[Permission]
    server_key: str = Field(max_length=200)
    # The only ICE servers the apps may use: none means host candidates only, never a default.
    ice_servers: list[IceServer] = Field(default_factory=list, max_length=8)


class CodeIssued(_Message):
    type: Literal["code"] = "code"
    code: str = Field(max_length=16)
    expires_at: datetime
    session_id: ShortText


class HelpRequested(_Message):
    """To the helper: the device was asked; it has until ``expires_at`` to answer."""

    type: Literal["help_requested"] = "help_requested"
    session_id: ShortText
    device: DeviceSummary
    expires_at: datetime


class HelpAwaited(_Message):
    """To a sharer that sent ``await_help``: requests for this device now reach it."""

    type: Literal["awaiting_help"] = "awaiting_help"
    device: DeviceSummary


class HelpOffered(_Message):
    """To a sharer awaiting help: someone asks to help on this device. Who it is, verified,
    comes with ``helper_identity`` once the app accepts."""

    type: Literal["help_offered"] = "help_offered"
    session_id: ShortText
    helper_name: DisplayText
    expires_at: datetime


class HelpAsked(_Message):
    """To a helper app: its own user asked, in the console, to help on this device."""

    type: Literal["help_asked"] = "help_asked"
    device_id: ShortText


class HelperIdentity(_Message):
    """Sent to the sharer: the signed card and the levels it may grant."""

    type: Literal["helper_identity"] = "helper_identity"
    signed_card: SignedCard
    offered_levels: list[ConsentLevel]
    # What the helper may do in this session, as the server derived it from the helper's
    # roles over this device: the sharer enforces it on every message from the helper.
    permissions: Permissions = Field(default_factory=list)


class SharerJoined(_Message):
    """Sent to the helper when a sharer redeemed its code and is looking at the card."""

    type: Literal["sharer_joined"] = "sharer_joined"
    sharer: ShortText
    device_name: DisplayText = ""
    # The device as the server knows it (enrolled and proven), or as the sharer claims it.
    device: DeviceSummary | None = None
    # What this helper may do for this sharer (so the app offers only that).
    permissions: Permissions = Field(default_factory=list)
    # The organisation's policy: may the helper save pictures of the sharer's screen.
    snapshots: bool = True


class ConsentResult(_Message):
    type: Literal["consent_result"] = "consent_result"
    level: ConsentOutcome
    # What the sharer allowed beyond the level.
    allow: Permissions = Field(default_factory=list)


class EndingSoon(_Message):
    """The organisation's longest session is almost over: both sides are told how long is
    left, so nobody is cut off mid-sentence."""

    type: Literal["ending_soon"] = "ending_soon"
    seconds: int = Field(ge=0)


class Ended(_Message):
    type: Literal["ended"] = "ended"
    reason: EndReason


class ResumeToken(_Message):
    """Once a session is under way: what lets this side carry it on if the server restarts."""

    type: Literal["resume_token"] = "resume_token"
    token: str = Field(max_length=2000)
    expires_at: datetime


class Resumed(_Message):
    """Both sides are back after the signaling link was lost: the session goes on."""

    type: Literal["resumed"] = "resumed"
    session_id: ShortText
    # The helper's permissions as the server rebuilt them now: a role cut meanwhile takes
    # effect on both sides at once.
    permissions: Permissions = Field(default_factory=list)


class Error(_Message):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str = Field(max_length=500)
    retry_after: int | None = None


Message = Annotated[
    Hello
    | RequestCode
    | RedeemCode
    | Consent
    | Allow
    | Active
    | ReportFeature
    | ReportFile
    | RequestHelp
    | AwaitHelp
    | AcceptHelp
    | End
    | Resume
    | Signal
    | Control
    | Welcome
    | CodeIssued
    | HelpRequested
    | HelpAwaited
    | HelpOffered
    | HelpAsked
    | HelperIdentity
    | SharerJoined
    | ConsentResult
    | EndingSoon
    | Ended
    | ResumeToken
    | Resumed
    | Error,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
_KNOWN_TYPES = frozenset(
    m.model_fields["type"].default
    for m in (
        Hello,
        RequestCode,
        RedeemCode,
        Consent,
        Allow,
        Active,
        ReportFeature,
        ReportFile,
        RequestHelp,
        AwaitHelp,
        AcceptHelp,
        End,
        Resume,
        Signal,
        Control,
        Welcome,
        CodeIssued,
        HelpRequested,
        HelpAwaited,
        HelpOffered,
        HelpAsked,
        HelperIdentity,
        SharerJoined,
        ConsentResult,
        EndingSoon,
        Ended,
        ResumeToken,
        Resumed,
        Error,
    )
)


def error_message(exc: ProtocolError) -> Error:
    """The ``error`` message that tells the sender why what it sent was refused."""
    return Error(code=exc.code, message=exc.message)


def parse_message(raw: str | bytes) -> Message:
    """The one validation entry point for everything received over the signaling link."""
    data = decode_object(raw, MAX_MESSAGE_BYTES, version=PROTOCOL_VERSION)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _KNOWN_TYPES:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, "unknown message type")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.INVALID, f"invalid field {first_error(exc, skip=1)}") from exc


def encode_message(message: _Message) -> str:
    return message.model_dump_json(exclude_none=True)
