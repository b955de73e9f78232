"""Every event an engine emits, declared once, named and shaped exactly as the JSON lines.

One shape for every consumer: the headless app prints them, the desktop apps' ``--events``
file appends the same lines, the Qt windows dispatch them by class through a table, and tests
collect them. A window must handle or explicitly ignore each class in :data:`ALL_EVENTS`
(a test checks it), so a new event cannot be silently dropped by a view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from common.devices.records import DeviceSummary
from common.permissions import ConsentLevel, ConsentOutcome
from common.protocol import EndReason

log = logging.getLogger(__name__)


class EngineEvent(BaseModel):
    """Base of the catalogue; ``event`` is the name scripts and testers match on."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    event: ClassVar[str]

    def to_json_dict(self) -> dict[str, Any]:
        return {"event": self.event, **self.model_dump(mode="json", by_alias=True)}


# ---- both sides ----------------------------------------------------------------------


class SignedIn(EngineEvent):
    event = "signed_in"
    user: str
    name: str
    # How the server's card-signing key is trusted: "configured", "first_use", "known", ...
    server_trust: str = "none"


class Connected(EngineEvent):
    """The peer link is usable: both data channels are open."""

    event = "connected"
    # Media goes through the organisation's TURN server rather than directly.
    relayed: bool = False


class ControlChanged(EngineEvent):
    event = "control"
    granted: bool


class PauseChanged(EngineEvent):
    """The sharer paused or resumed sharing (on the helper: told by the sharer)."""

    event = "paused"
    paused: bool


class LinkSlowChanged(EngineEvent):
    """The link is too slow for the picture, so the sharer sends less (or it recovered);
    both sides say so instead of ending the session."""

    event = "link_slow"
    slow: bool
    message: str

    @classmethod
    def now(cls, slow: bool) -> LinkSlowChanged:
        return cls(slow=slow, message=SLOW_TEXT if slow else RECOVERED_TEXT)


SLOW_TEXT = "the connection is too slow for the picture; trying at a lower quality"
RECOVERED_TEXT = "the connection carries the picture again"


class ChatReceived(EngineEvent):
    event = "chat"
    sender: str = Field(alias="from")
    text: str


class ClipboardReceived(EngineEvent):
    """Text from the other side for this side's clipboard (the desktop apps put it there)."""

    event = "clipboard"
    text: str


class FileOffered(EngineEvent):
    """The other side offers a file: ``accept_file`` into a folder, or ``decline_file``.
    ``name`` is already the safe name it would be saved under (``file_names``)."""

    event = "file_offered"
    id: str
    name: str
    size: int
    sha256: str


class FileSending(EngineEvent):
    """This side offered a file (``send_file``); ``id`` names it in the events that follow."""

    event = "file_sending"
    id: str
    name: str
    size: int
    sha256: str


class FileProgress(EngineEvent):
    """Bytes of a transfer sent (or received) so far; a few a second, and the last one."""

    event = "file_progress"
    id: str
    bytes: int


class FileReceived(EngineEvent):
    """Every byte arrived, the SHA-256 matched, and the file is at ``path``."""

    event = "file_received"
    id: str
    path: str
    sha256: str


class FileSent(EngineEvent):
    """The receiver has the whole file and its SHA-256 matched."""

    event = "file_sent"
    id: str


class FileFailed(EngineEvent):
    """The transfer did not complete (declined, cancelled, too large, revoked, ...); no
    partial file is left."""

    event = "file_failed"
    id: str
    reason: str
    message: str


class AllowedChanged(EngineEvent):
    """What the sharer allows beyond the level (clipboard, files, elevate) is now ``allow``:
    at consent, and whenever the sharer revokes or gives back a choice."""

    event = "allowed"
    allow: list[str]


class EndingSoon(EngineEvent):
    """The organisation's longest session ends in ``seconds``."""

    event = "ending_soon"
    seconds: int
    message: str


class Ended(EngineEvent):
    event = "ended"
    reason: EndReason


class ErrorReported(EngineEvent):
    """A command or the server said no; ``code`` is an ErrorCode or a ClientErrorCode value."""

    event = "error"
    code: str
    message: str


class ServerLost(EngineEvent):
    """The signaling server went away; the peer-to-peer session, if any, goes on meanwhile
    and the app keeps trying to reach the server again."""

    event = "server_lost"
    message: str


class ServerBack(EngineEvent):
    """Signed in to the server again: ``resumed`` when it took the session back."""

    event = "server_back"
    resumed: bool
    message: str


class PermissionsChanged(EngineEvent):
    """The server rebuilt the helper's permissions (after it restarted) and some are gone:
    what they allowed has stopped on this side."""

    event = "permissions"
    permissions: list[str]
    dropped: list[str]
    message: str


# ---- helper --------------------------------------------------------------------------


class CodeIssued(EngineEvent):
    event = "code"
    code: str
    expires_at: str


class HelpRequestSent(EngineEvent):
    """Help on an enrolled device instead of a code: the server asked the device, which has
    until ``expires_at`` to answer (then ``ended`` with ``help_expired``)."""

    event = "help_requested"
    device_id: str
    device_name: str
    expires_at: str


class HelpAskedShown(EngineEvent):
    """This helper asked in the console to help on a device: the app sends the request."""

    event = "help_asked"
    device_id: str


class AdminPromptShown(EngineEvent):
    """The sharer's screen shows an administrator prompt this session cannot capture (the
    Windows secure desktop), or no longer does: the picture is not frozen, it is hidden."""

    event = "admin_prompt"
    showing: bool
    message: str


class MonitorsShown(EngineEvent):
    """The sharer's monitors the helper may switch among (numbered from 1), and the one shown."""

    event = "monitors"
    monitors: list[dict[str, int]] = Field(alias="list")
    current: int


class SharerJoined(EngineEvent):
    event = "sharer_joined"
    sharer: str
    device_name: str
    # The device as the server knows it: enrolled and proven by its key, with its OS and
    # last check-in; or unenrolled (then only the name the sharer's app claimed).
    device: DeviceSummary | None = None
    # What the helper may do for this sharer (the helper's app offers only that).
    permissions: list[str] = Field(default_factory=list)


class ConsentGiven(EngineEvent):
    event = "consent"
    level: ConsentOutcome
    # What the sharer allowed beyond the level.
    allow: list[str] = Field(default_factory=list)


class Stats(EngineEvent):
    event = "stats"
    frames: int
    fps: float
    width: int
    height: int
    rtt_ms: float | None
    # "sharp" (the still picture in full detail) or "moving" (fast frames), and the shown
    # size against the sharer's full size.
    quality: str = "moving"
    scale: float = 1.0
    # Everything received from the sharer so far, so a bit rate can be told from two stats.
    bytes_received: int | None = None
    relayed: bool = False


class SnapshotSaved(EngineEvent):
    """Headless only: the ``snapshot`` command wrote the last frame to ``path``."""

    event = "snapshot"
    path: str
    width: int
    height: int


# ---- sharer --------------------------------------------------------------------------


class HelperIdentityShown(EngineEvent):
    event = "helper_identity"
    verified: bool
    # Why the card is not shown as verified (empty when it is).
    reason: str = ""
    # How the server's card-signing key is trusted: "configured" (the organisation's pin or
    # --server-key), "pinned" (known from before), "first_use" (never seen: not verified),
    # "mismatch" (not the organisation's key).
    server_trust: str = "none"
    name: str
    upn: str
    company: str
    verified_domain: str
    job_title: str
    offered_levels: list[ConsentLevel]
    # What the helper may do in this session, as the server derived it; the sharer enforces it.
    permissions: list[str] = Field(default_factory=list)
    # What the sharer may tick beyond the level (clipboard, files, elevate): none by default.
    choices: list[str] = Field(default_factory=list)


class AwaitingHelp(EngineEvent):
    """This enrolled device's app waits for a helper to ask (``--await-help``): the server
    has it, so a request from now on reaches it."""

    event = "awaiting_help"
    device_id: str
    device_name: str


class HelpOfferedShown(EngineEvent):
    """A helper asks to help on this device; their verified card follows at once."""

    event = "help_offered"
    helper_name: str
    expires_at: str


class SnapshotTakenShown(EngineEvent):
    """The helper saved a picture of this screen; ``by`` is the helper's name."""

    event = "snapshot_taken"
    by: str


class ControlRequested(EngineEvent):
    event = "control_requested"


class ControlRequestLapsed(EngineEvent):
    """The helper's control request was not answered in time: the server denied it."""

    event = "control_request_lapsed"


class InputBlocked(EngineEvent):
    event = "input_blocked"
    reason: str
    count: int


class FeatureRefused(EngineEvent):
    """The helper sent what its permissions do not allow (chat without ``chat``): not shown,
    counted; the session goes on."""

    event = "feature_refused"
    feature: str
    count: int


ALL_EVENTS: tuple[type[EngineEvent], ...] = (
    SignedIn,
    Connected,
    ControlChanged,
    PauseChanged,
    LinkSlowChanged,
    ChatReceived,
    ClipboardReceived,
    FileOffered,
    FileSending,
    FileProgress,
    FileReceived,
    FileSent,
    FileFailed,
    AllowedChanged,
    EndingSoon,
    Ended,
    ErrorReported,
    ServerLost,
    ServerBack,
    PermissionsChanged,
    CodeIssued,
    HelpRequestSent,
    HelpAskedShown,
    SharerJoined,
    AdminPromptShown,
    MonitorsShown,
    ConsentGiven,
    Stats,
    SnapshotSaved,
    HelperIdentityShown,
    AwaitingHelp,
    HelpOfferedShown,
    SnapshotTakenShown,
    ControlRequested,
    ControlRequestLapsed,
    InputBlocked,
    FeatureRefused,
)

Listener = Callable[[EngineEvent], None]


class EventEmitter:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: EngineEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not take the session down
                log.exception("event listener failed", extra={"event_name": event.event})
