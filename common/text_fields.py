"""Bounded string types for anything that crosses the wire.

Every name, title or chat line comes from another party; bounding it here keeps a hostile
peer from sending megabytes into a label, and keeps control characters out of the UI.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_control_chars(value: str) -> str:
    if any((ord(ch) < 32 and ch not in "\t\n") or ord(ch) == 127 for ch in value):
        raise ValueError("control characters are not allowed")
    return value


# Control, format (bidi overrides, zero-width), line and paragraph separators: a name that
# holds one can draw a second line on a consent card, reorder itself, or hide characters.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _one_line(value: str) -> str:
    if any(unicodedata.category(ch) in _INVISIBLE for ch in value):
        raise ValueError("control, format and line-separator characters are not allowed")
    return value


def strip_invisible(value: str) -> str:
    """The text without control, format or separator characters, for names we cannot refuse
    (an identity provider's claims)."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE).strip()


ShortText = Annotated[str, StringConstraints(max_length=256), AfterValidator(_one_line)]
DisplayText = Annotated[
    str, StringConstraints(max_length=200, strip_whitespace=True), AfterValidator(_one_line)
]
ChatText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4000),
    AfterValidator(_no_control_chars),
]
# Clipboard text keeps its lines and tabs (a command, a log excerpt), nothing else invisible.
MAX_CLIPBOARD_CHARS = 10_000
ClipboardText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_CLIPBOARD_CHARS),
    AfterValidator(_no_control_chars),
]
