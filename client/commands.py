"""Every command the headless apps obey, declared once, named and shaped as the JSON lines.

The mirror of the event catalogue (``client.session.events``): a class per command, its name
in ``cmd``, its fields typed. A line is read and validated in one place
(:meth:`Catalogue.parse`), so an app's handlers get a model, never a loose dict, and an
unknown name, a line that is no JSON object or a field of the wrong type becomes one
``error`` event while the app goes on. Each app obeys its own catalogue (:data:`HELPER`,
:data:`SHARER`, :data:`AGENT`), and its handler table must cover exactly that (a test
checks it), as the windows' event tables cover the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from client.session.errors import ClientErrorCode, EngineError
from common.input_events import INPUT_TYPES, InputError, InputEvent, validate_input
from common.permissions import ConsentChoice
from common.validation import first_error
from common.wire import ProtocolError, decode_object

MAX_COMMAND_BYTES = 64 * 1024
# Unknown names are echoed back in the error, cut to this length.
MAX_NAME_SHOWN = 40


class Command(BaseModel):
    """Base of the catalogue; ``cmd`` is the name scripts and testers send."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cmd: ClassVar[str]

    @classmethod
    def names(cls) -> frozenset[str]:
        """The names this command is sent under: its ``cmd``."""
        return frozenset({cls.cmd})

    @classmethod
    def from_fields(cls, name: str, fields: dict[str, Any]) -> Command:
        """The command from a line's fields (all but ``cmd``), or why it is refused."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            message = f"invalid {name} command: {first_error(exc, default='command')}"
            raise EngineError(ClientErrorCode.INVALID_COMMAND, message) from None


# A name that must not be empty: a path, a folder, a transfer's or a device's id.
Named: TypeAlias = Annotated[StrictStr, Field(min_length=1)]

# ---- both apps -----------------------------------------------------------------------


class SendChat(Command):
    cmd = "chat"
    text: StrictStr


class SendClipboard(Command):
    """Text for the other side's clipboard (refused unless the sharer allows the clipboard)."""

    cmd = "clipboard"
    text: StrictStr


class EndSession(Command):
    cmd = "end"


class SendFile(Command):
    """Offer that file to the other side (nothing moves before it accepts)."""

    cmd = "send_file"
    path: Named


class AcceptFile(Command):
    """Take an offered file (``file_offered``'s ``id``) into that folder."""

    cmd = "accept_file"
    id: Named
    dir: Named


class DeclineFile(Command):
    cmd = "decline_file"
    id: Named


class CancelFile(Command):
    """Stop a transfer under way, either way."""

    cmd = "cancel_file"
    id: Named


# The file transfer commands, the same in both apps.
FILE_COMMANDS = (SendFile, AcceptFile, DeclineFile, CancelFile)


# ---- helper --------------------------------------------------------------------------


class SendInput(Command):
    """``mouse_move``, ``mouse_button``, ``click``, ``scroll``, ``key`` and ``type``: each is
    the input event of that ``type`` (``common.input_events``), checked by the same models
    the sharer checks what arrives with, and refused as ``invalid_input``."""

    event: InputEvent

    @classmethod
    def names(cls) -> frozenset[str]:
        return INPUT_TYPES

    @classmethod
    def from_fields(cls, name: str, fields: dict[str, Any]) -> Command:
        try:
            return cls(event=validate_input({**fields, "type": name}))
        except InputError as exc:
            raise EngineError(ClientErrorCode.INVALID_INPUT, exc.reason) from None


class RequestControl(Command):
    cmd = "request_control"


class SwitchMonitor(Command):
    """See another of the monitors the sharer allowed (numbered from 1)."""

    cmd = "switch_monitor"
    index: StrictInt


class NewCode(Command):
    """A fresh code in place of the one waiting."""

    cmd = "new_code"


class HelpDevice(Command):
    """Help on an enrolled device instead of a code: the session then runs as after one."""

    cmd = "help_device"
    device_id: Named


class SaveSnapshot(Command):
    """Write the last frame as a PNG (the sharer is told first)."""

    cmd = "snapshot"
    path: StrictStr = "helper-snapshot.png"


# ---- sharer --------------------------------------------------------------------------

# The monitors the helper may see: "all", or their numbers (from 1).
MonitorChoice: TypeAlias = Literal["all"] | list[StrictInt]


class EnterCode(Command):
    cmd = "code"
    code: StrictStr


class GiveConsent(Command):
    """The answer to the helper: a level, the separate choices beyond it, the monitors."""

    cmd = "consent"
    level: ConsentChoice
    allow: list[StrictStr] = Field(default_factory=list)
    monitors: MonitorChoice | None = None


class GrantControl(Command):
    cmd = "grant_control"


class RevokeControl(Command):
    cmd = "revoke_control"


class DenyControl(Command):
    cmd = "deny_control"


class PauseSharing(Command):
    cmd = "pause"


class ResumeSharing(Command):
    cmd = "resume"


class SetAllowed(Command):
    """The separate choices (clipboard, files, elevate) as they are from now: an empty list
    revokes them all."""

    cmd = "allow"
    allow: list[StrictStr] = Field(default_factory=list)


class SetMonitors(Command):
    """Widen or narrow the monitors the helper may see, mid-session."""

    cmd = "monitors"
    monitors: MonitorChoice


# ---- the device agent ----------------------------------------------------------------


class PostponeRestart(Command):
    """Put a restart that is counting down off, once."""

    cmd = "postpone"


class Catalogue:
    """The commands one app obeys, by the names they are sent under."""

    def __init__(self, commands: Iterable[type[Command]]) -> None:
        self.commands = frozenset(commands)
        self._by_name = {name: command for command in self.commands for name in command.names()}

    def parse(self, line: str) -> Command:
        """The command on one line of standard input; :class:`EngineError` says why not."""
        try:
            data = decode_object(line, MAX_COMMAND_BYTES, what="command")
        except ProtocolError as exc:
            raise EngineError(ClientErrorCode.INVALID_COMMAND, exc.message) from None
        name = data.pop("cmd", None)
        if not isinstance(name, str):
            raise EngineError(
                ClientErrorCode.INVALID_COMMAND, 'a command is a JSON object with a "cmd" field'
            )
        command = self._by_name.get(name)
        if command is None:
            raise EngineError(
                ClientErrorCode.UNKNOWN_COMMAND, f"unknown command {name[:MAX_NAME_SHOWN]!r}"
            )
        return command.from_fields(name, data)


HELPER = Catalogue(
    (
        SendInput,
        RequestControl,
        SendChat,
        SendClipboard,
        SwitchMonitor,
        NewCode,
        HelpDevice,
        SaveSnapshot,
        EndSession,
        *FILE_COMMANDS,
    )
)
SHARER = Catalogue(
    (
        EnterCode,
        GiveConsent,
        GrantControl,
        RevokeControl,
        DenyControl,
        PauseSharing,
        ResumeSharing,
        SendChat,
        SendClipboard,
        SetAllowed,
        SetMonitors,
        EndSession,
        *FILE_COMMANDS,
    )
)
AGENT = Catalogue((PostponeRestart,))
