"""A diagnostics report for people: the newest one of a device, and its sections as titled
parts (tables for objects, lists for arrays, preformatted text for long lines) rather than
raw JSON. The JSON itself stays downloadable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.devices.actions import ActionKind, ActionRecord, ActionState

LONG_TEXT = 120
WORDS = {"os": "OS", "cpus": "CPUs", "fqdn": "FQDN", "ip": "IP", "id": "ID"}
UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB")


def latest_report_action(actions: Sequence[ActionRecord]) -> ActionRecord | None:
    """The newest diagnostics action that left a report (``actions`` newest first)."""
    for action in actions:
        if (action.action is ActionKind.DIAGNOSTICS and action.state is ActionState.SUCCEEDED
                and action.has_report):  # fmt: skip
            return action
    return None


def title(name: str) -> str:
    """``helpline_log_tail`` → ``Helpline log tail``; ``os`` → ``OS``."""
    words = [WORDS.get(w.lower(), w) for w in name.replace("_", " ").replace("-", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else name


def shape(value: Any) -> str:
    """How the template shows a value: ``table``, ``list``, ``text`` (long or multi-line)
    or ``plain``."""
    if isinstance(value, dict):
        return "table"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str) and ("\n" in value or len(value) > LONG_TEXT):
        return "text"
    return "plain"


def plain(value: Any, name: str = "") -> str:
    """A scalar for reading; sizes named ``*_bytes`` in binary units."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("bytes") and isinstance(value, int) and value >= 1024:
        size, unit = float(value), 0
        while size >= 1024 and unit < len(UNITS) - 1:
            size, unit = size / 1024, unit + 1
        return f"{size:.1f} {UNITS[unit]}"
    return str(value)
