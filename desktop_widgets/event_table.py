"""Engine events to window methods by class, so a misspelt handler is a visible error.

Each window lists what it handles and what it ignores on purpose; a test checks that the two
together cover the whole catalogue (``client.session.events.ALL_EVENTS``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from client.session.events import EngineEvent

log = logging.getLogger(__name__)

Handler = Callable[[Any], None]


class EventTable:
    def __init__(
        self,
        handlers: Mapping[type[EngineEvent], Handler],
        ignored: Iterable[type[EngineEvent]],
    ) -> None:
        self.handlers = dict(handlers)
        self.ignored = frozenset(ignored)
        both = self.ignored & self.handlers.keys()
        if both:
            raise ValueError(f"both handled and ignored: {sorted(e.event for e in both)}")

    def __call__(self, event: EngineEvent) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(event)
        elif type(event) not in self.ignored:
            log.warning("no handler for the %s event", event.event)
