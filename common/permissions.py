"""Permissions, consent levels and the rule that links them.

Kept in one place so the server (which offers levels) and the sharer (which enforces
them) cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    VIEW = "view"
    CONTROL = "control"
    CHAT = "chat"
    ELEVATE = "elevate"
    ACTIONS = "actions"
    REPORTS = "reports"


class ConsentLevel(StrEnum):
    """What the sharer allows; ordered from least to most."""

    VIEW = "view"
    CONTROL = "control"


class ConsentChoice(StrEnum):
    """The sharer's answer to a helper: a level, or no."""

    VIEW = "view"
    CONTROL = "control"
    DECLINE = "decline"


class ConsentOutcome(StrEnum):
    """What the helper is told."""

    VIEW = "view"
    CONTROL = "control"
    DECLINED = "declined"


class Feature(StrEnum):
    """Features a session actually used, for the audit record."""

    VIEW = "view"
    CONTROL = "control"
    CHAT = "chat"
    ELEVATION = "elevation"
    ACTIONS = "actions"


def offered_levels(permissions: frozenset[Permission]) -> list[ConsentLevel]:
    """Levels a sharer may be offered: full control only when the role grants it."""
    levels: list[ConsentLevel] = []
    if Permission.VIEW in permissions or Permission.CONTROL in permissions:
        levels.append(ConsentLevel.VIEW)
    if Permission.CONTROL in permissions:
        levels.append(ConsentLevel.CONTROL)
    return levels
