"""Looking up an end reason's words: the apps word them differently, the lookup is one."""

from __future__ import annotations

from common.protocol import EndReason

UNKNOWN = "The session ended."


def reason_text(texts: dict[EndReason, str], reason: str) -> str:
    """The words for ``reason``; a reason this version does not know gets plain words too."""
    try:
        return texts[EndReason(reason)]
    except (ValueError, KeyError):
        return UNKNOWN
