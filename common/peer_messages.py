"""Messages on the peer-to-peer control data channel (chat, clipboard, file offers, heartbeat,
pause, goodbye).

Permission changes travel through the signaling server instead, where they are checked
against the helper's role and audited; this channel carries what the server need not see.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from common.text_fields import ChatText, ClipboardText
from common.wire import ProtocolError, decode_object

# Room for the largest clipboard text (10,000 characters of up to four bytes each).
MAX_PEER_MESSAGE_BYTES = 64 * 1024


class PeerMessageError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _PeerMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chat(_PeerMessage):
    type: Literal["chat"] = "chat"
    text: ChatText


class Clipboard(_PeerMessage):
    """Text for the other side's clipboard; needs ``clipboard``, allowed by the sharer."""

    type: Literal["clipboard"] = "clipboard"
    text: ClipboardText


# A transfer's id: 16 hex digits, the first 8 bytes of each of its chunks on the files channel.
FileId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
FILE_ID_BYTES = 8
# The name as the sender has it; the receiver makes its own safe name of it (``file_names``).
OfferedName = Annotated[str, Field(min_length=1, max_length=1024)]
MAX_OFFERED_SIZE = 2**50


class FileOffer(_PeerMessage):
    """A file the sender would send: the receiver accepts or declines it before any byte."""

    type: Literal["file_offer"] = "file_offer"
    id: FileId
    name: OfferedName
    size: int = Field(ge=0, le=MAX_OFFERED_SIZE)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class FileAccept(_PeerMessage):
    type: Literal["file_accept"] = "file_accept"
    id: FileId


class FileDecline(_PeerMessage):
    type: Literal["file_decline"] = "file_decline"
    id: FileId


class FileDone(_PeerMessage):
    """The receiver has every byte and its SHA-256 matched: the sender's transfer is done."""

    type: Literal["file_done"] = "file_done"
    id: FileId


class FileCancel(_PeerMessage):
    """Either side stops a transfer (cancelled, failed, too large, revoked, ...)."""

    type: Literal["file_cancel"] = "file_cancel"
    id: FileId
    reason: str = Field(pattern=r"^[a-z_]{1,32}$")


class SnapshotTaken(_PeerMessage):
    """The helper saved a picture of the sharer's screen: the sharer is told at once."""

    type: Literal["snapshot_taken"] = "snapshot_taken"


class AdminPrompt(_PeerMessage):
    """The sharer's screen shows (or no longer shows) an administrator prompt on a desktop the
    session cannot capture (Windows' secure desktop): the helper says so, not a frozen picture."""

    type: Literal["admin_prompt"] = "admin_prompt"
    showing: bool


class MonitorInfo(_PeerMessage):
    index: int = Field(ge=1, le=16)
    width: int = Field(ge=1, le=100_000)
    height: int = Field(ge=1, le=100_000)


# Named apart: inside ``Monitors`` the field called ``list`` hides the builtin.
MonitorList = list[MonitorInfo]


class Monitors(_PeerMessage):
    """The sharer's monitors the helper may see (numbered from 1), and the one shown now."""

    type: Literal["monitors"] = "monitors"
    list: MonitorList = Field(max_length=16)
    current: int = Field(ge=1, le=16)


class SwitchMonitor(_PeerMessage):
    """The helper asks to see another of the monitors the sharer allowed."""

    type: Literal["switch_monitor"] = "switch_monitor"
    index: int = Field(ge=1, le=16)


class Heartbeat(_PeerMessage):
    type: Literal["heartbeat"] = "heartbeat"
    seq: int = Field(ge=0)
    sent_ms: float = Field(ge=0, allow_inf_nan=False)


class HeartbeatAck(_PeerMessage):
    type: Literal["heartbeat_ack"] = "heartbeat_ack"
    seq: int = Field(ge=0)
    sent_ms: float = Field(ge=0, allow_inf_nan=False)


class Paused(_PeerMessage):
    """The sharer paused sharing: the helper says so over the picture at once, instead of
    leaving the last frame up until the grey one arrives."""

    type: Literal["paused"] = "paused"


class Resumed(_PeerMessage):
    type: Literal["resumed"] = "resumed"


class LinkSlow(_PeerMessage):
    """The sharer's link is too slow for the picture (or, ``slow`` false, no longer is): the
    helper says so rather than show a frozen picture without a word."""

    type: Literal["link_slow"] = "link_slow"
    slow: bool


class Bye(_PeerMessage):
    """Sent just before a side closes, so the other need not wait for a timeout."""

    type: Literal["bye"] = "bye"
    reason: str = Field(max_length=64)


PeerMessage = Annotated[
    Chat
    | Clipboard
    | FileOffer
    | FileAccept
    | FileDecline
    | FileDone
    | FileCancel
    | SnapshotTaken
    | AdminPrompt
    | Monitors
    | SwitchMonitor
    | Heartbeat
    | HeartbeatAck
    | Paused
    | Resumed
    | LinkSlow
    | Bye,
    Field(discriminator="type"),
]
_TYPES = frozenset(
    {
        "chat",
        "clipboard",
        "file_offer",
        "file_accept",
        "file_decline",
        "file_done",
        "file_cancel",
        "snapshot_taken",
        "admin_prompt",
        "monitors",
        "switch_monitor",
        "heartbeat",
        "heartbeat_ack",
        "paused",
        "resumed",
        "link_slow",
        "bye",
    }
)
_ADAPTER: TypeAdapter[PeerMessage] = TypeAdapter(PeerMessage)


def parse_peer_message(raw: str | bytes) -> PeerMessage:
    try:
        data = decode_object(raw, MAX_PEER_MESSAGE_BYTES)
    except ProtocolError as exc:
        raise PeerMessageError(exc.message) from exc
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        raise PeerMessageError("unknown message type")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise PeerMessageError("invalid message") from exc


def encode_peer_message(message: _PeerMessage) -> str:
    return message.model_dump_json()
