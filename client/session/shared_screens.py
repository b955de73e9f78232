"""Which of the sharer's monitors the helper may see, and the one shown now.

The sharer chooses at consent (``--monitors all|N[,M...]``, the ``consent`` command's
``monitors``); the helper sees the list and switches among those only. Capture and input
follow the switch together, so a click lands on the screen the helper is looking at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from client.media.monitors import MonitorGeometry
from client.session.errors import ClientErrorCode, EngineError
from common.peer_messages import MonitorInfo, Monitors

# Where a switch takes effect: the capture track and the injector both have ``show``.
Show = Callable[[MonitorGeometry], None]
ALL = "all"


class SharedScreens:
    def __init__(self, monitors: Sequence[MonitorGeometry], current: int, show_input: Show) -> None:
        """``current`` counts from 1, as on the command line; ``show_input`` moves input."""
        self._monitors = list(monitors)
        self._show_input = show_input
        self.current = current
        self.allowed: list[int] = [current]

    def allow(self, choice: object) -> None:
        """``"all"``, or a list of monitor numbers; the one shown must be among them."""
        if choice == ALL:
            allowed = list(range(1, len(self._monitors) + 1))
        elif isinstance(choice, list) and choice and all(isinstance(n, int) for n in choice):
            allowed = sorted(set(choice))
        else:
            raise EngineError(
                ClientErrorCode.INVALID_COMMAND, 'monitors is "all" or a list of monitor numbers'
            )
        missing = [n for n in allowed if not 1 <= n <= len(self._monitors)]
        if missing:
            raise EngineError(
                ClientErrorCode.INVALID_COMMAND,
                f"there is no monitor {missing[0]}; this machine has {len(self._monitors)}",
            )
        self.allowed = allowed
        if self.current not in allowed:
            self.current = allowed[0]

    def geometry(self) -> MonitorGeometry:
        return self._monitors[self.current - 1]

    def describe(self) -> Monitors:
        return Monitors(
            list=[
                MonitorInfo(
                    index=n, width=self._monitors[n - 1].width, height=self._monitors[n - 1].height
                )
                for n in self.allowed
            ],
            current=self.current,
        )

    def switch(self, index: int, show_picture: Show) -> bool:
        """Show monitor ``index`` if the sharer allowed it; False (nothing changes) if not."""
        if index not in self.allowed:
            return False
        self.current = index
        show_picture(self.geometry())
        self._show_input(self.geometry())
        return True
