"""Bounded string types for anything that crosses the wire.

Every name, title or chat line comes from another party; bounding it here keeps a hostile
peer from sending megabytes into a label, and keeps control characters out of the UI.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_control_chars(value: str) -> str:
    if any((ord(ch) < 32 and ch not in "\t\n") or ord(ch) == 127 for ch in value):
        raise ValueError("control characters are not allowed")
    return value


ShortText = Annotated[str, StringConstraints(max_length=256), AfterValidator(_no_control_chars)]
DisplayText = Annotated[
    str, StringConstraints(max_length=200, strip_whitespace=True), AfterValidator(_no_control_chars)
]
ChatText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4000),
    AfterValidator(_no_control_chars),
]
