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
    CLIPBOARD = "clipboard"
    FILES = "files"


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
    CLIPBOARD = "clipboard"
    SNAPSHOT = "snapshot"
    FILES = "files"


# What the sharer ticks one by one at consent, beyond the level: a role that grants one only
# makes it possible to offer; nothing of it is in effect until the sharer allows it.
CONSENTED_SEPARATELY = frozenset({Permission.CLIPBOARD, Permission.FILES, Permission.ELEVATE})


def in_effect(
    permissions: frozenset[Permission], allowed: frozenset[Permission]
) -> frozenset[Permission]:
    """What the helper may do now: the role's permissions, less what the sharer did not allow."""
    return permissions - (CONSENTED_SEPARATELY - allowed)


def offerable(permissions: frozenset[Permission]) -> list[Permission]:
    """The separate choices a sharer may be offered: only what the helper's role grants."""
    return sorted(permissions & CONSENTED_SEPARATELY)


def offered_levels(permissions: frozenset[Permission]) -> list[ConsentLevel]:
    """Levels a sharer may be offered: full control only when the role grants it."""
    levels: list[ConsentLevel] = []
    if Permission.VIEW in permissions or Permission.CONTROL in permissions:
        levels.append(ConsentLevel.VIEW)
    if Permission.CONTROL in permissions:
        levels.append(ConsentLevel.CONTROL)
    return levels
