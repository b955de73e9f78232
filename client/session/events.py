"""Events an engine emits; named and shaped exactly as the headless JSON lines.

One shape for every consumer: the headless app prints them, the Qt service turns them into
a signal, tests collect them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineEvent:
    name: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {"event": self.name, **self.fields}


Listener = Callable[[EngineEvent], None]


class EventEmitter:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, name: str, /, **fields: Any) -> None:
        event = EngineEvent(name, fields)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not take the session down
                log.exception("event listener failed", extra={"event_name": name})
