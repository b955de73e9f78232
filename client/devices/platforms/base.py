"""The shape every platform adapter has, and the one check a new computer name passes.

Adapters only build commands; running them (or, with ``--dry-run``, recording them) is the
agent's job, so each platform's choices can be tested anywhere without touching the machine.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

Command = list[str]

# RFC 1123 labels, and at most 15 characters because Windows still needs a NetBIOS name:
# one rule everywhere, so a name that works on one platform works on all of them, and
# nothing a shell or PowerShell would interpret can get into a command line.
_COMPUTER_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$")


class ActionUnsupported(Exception):
    """This platform cannot do the action; the message says why and goes into the result."""


def checked_computer_name(name: str) -> str:
    if not _COMPUTER_NAME.match(name) or name.isdigit():
        raise ActionUnsupported(
            f"{name!r} is not a valid computer name: 1 to 15 letters, digits and hyphens, "
            "not only digits, not starting or ending with a hyphen"
        )
    return name


class PlatformAdapter(ABC):
    """The commands for one operating system. Each returns the command lines to run in order;
    an action the platform cannot do raises :class:`ActionUnsupported` with the reason."""

    name: str

    @abstractmethod
    def restart(self) -> list[Command]:
        """Restart now: the countdown and the postponement happen before this is called."""

    @abstractmethod
    def lock(self) -> list[Command]: ...

    @abstractmethod
    def rename(self, new_name: str) -> list[Command]: ...

    @abstractmethod
    def wipe(self, *, keep_user_data: bool) -> list[Command]: ...

    @abstractmethod
    def fresh_start(self, *, keep_user_data: bool) -> list[Command]: ...
