"""In-session features both engines share: the sharer's separate choices, clipboard text, the
refusal of files, and telling the server that someone is still there.

Each feature is a permission of the helper's role that the sharer also ticks at consent
(``common.permissions.CONSENTED_SEPARATELY``); the sharer enforces it on every message
(``peer_gate``), and each side refuses to send what is not in effect, with ``forbidden``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from pydantic import TypeAdapter, ValidationError

from client.session.errors import ClientErrorCode, EngineError
from common.peer_messages import Clipboard
from common.permissions import Permission, offerable
from common.protocol import ErrorCode
from common.text_fields import MAX_CLIPBOARD_CHARS, ClipboardText

CLIPBOARD_NOT_ALLOWED_TEXT = (
    "the clipboard is not part of this session: the sharer did not allow it, or the helper's "
    "role does not"
)
FILES_NOT_ALLOWED_TEXT = (
    "file transfer is not part of this session: the sharer did not allow it, or the helper's "
    "role does not"
)
CLIPBOARD_INVALID_TEXT = (
    f"clipboard text must be 1 to {MAX_CLIPBOARD_CHARS:,} characters, without control "
    "characters other than tabs and line breaks"
)
ACTIVITY_INTERVAL_SECONDS = 1.0
_CLIPBOARD_TEXT: TypeAdapter[str] = TypeAdapter(ClipboardText)


def clipboard_message(text: str) -> Clipboard:
    """The message for ``text``, with Windows line ends made plain; a clear error otherwise."""
    try:
        return Clipboard(text=_CLIPBOARD_TEXT.validate_python(text.replace("\r\n", "\n")))
    except ValidationError as exc:
        raise EngineError(ClientErrorCode.INVALID, CLIPBOARD_INVALID_TEXT) from exc


def require(permission: Permission, in_effect: frozenset[Permission], refusal: str) -> None:
    if permission not in in_effect:
        raise EngineError(ErrorCode.FORBIDDEN, refusal)


def parse_choices(
    values: Iterable[object], permissions: frozenset[Permission]
) -> frozenset[Permission]:
    """The sharer's separate choices, each one a name the helper's role lets it offer."""
    choices: set[Permission] = set()
    allowed = offerable(permissions)
    for value in values:
        try:
            permission = Permission(str(value))
        except ValueError as exc:
            raise EngineError(
                ClientErrorCode.INVALID_COMMAND,
                "allow lists names from: clipboard, files, elevate",
            ) from exc
        if permission not in allowed:
            raise EngineError(
                ClientErrorCode.NOT_OFFERED,
                f"{permission.value} is not offered in this session (the helper's role does "
                "not grant it)",
            )
        choices.add(permission)
    return frozenset(choices)


class ActivityReports:
    """Calls ``send`` when someone did something, at most once per interval, so the server's
    idle timer (``HELPLINE_IDLE_TIMEOUT_MINUTES``) sees a live session without a flood."""

    def __init__(
        self,
        send: Callable[[], None],
        interval: float = ACTIVITY_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._last: float | None = None

    def note(self) -> None:
        now = self._clock()
        if self._last is None or now - self._last >= self._interval:
            self._last = now
            self._send()
