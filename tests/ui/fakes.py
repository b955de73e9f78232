"""An engine stand-in for view tests: records commands, emits the events a test chooses.

Views are thin, so their tests check how they react to engine events and which engine
commands their buttons send; the real engines are exercised end to end elsewhere.
"""

from __future__ import annotations

from typing import Any

from client.session.events import EventEmitter


class RecordingEngine(EventEmitter):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.state = "signed_in"
        self.ENDED = "ended"
        self.control_granted = False

    def __getattr__(self, name: str) -> Any:
        async def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args))

        return record

    def set_paused(self, paused: bool) -> None:
        self.calls.append(("set_paused", (paused,)))

    # Synchronous on the real engine too.
    def decline_file(self, transfer_id: str) -> None:
        self.calls.append(("decline_file", (transfer_id,)))

    def cancel_file(self, transfer_id: str) -> None:
        self.calls.append(("cancel_file", (transfer_id,)))

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]
