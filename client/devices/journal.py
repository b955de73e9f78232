"""The device's own record of the actions it ran: exactly once, and visible to its user.

An action is written here *before* it starts. A delivery of an id already written is never
run again, whatever the server or the network did in between (a redelivery after a lost
acknowledgement, a restart mid-action); the agent reports what the journal says instead.
The same lines are what the sharer app shows as "what ran on this device, and when".
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from client.devices.home import DeviceHome

log = logging.getLogger(__name__)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class JournalEntry:
    id: str
    action: str
    started_at: str
    requested_by: str = ""
    state: str = "running"
    finished_at: str = ""
    result: dict[str, Any] = field(default_factory=dict)


class ActionJournal:
    def __init__(self, home: DeviceHome) -> None:
        self._path = home.journal_file

    def entries(self) -> list[JournalEntry]:
        """Each action once, in the order it started, with its latest state."""
        by_id: dict[str, JournalEntry] = {}
        try:
            lines = self._path.read_text().splitlines()
        except FileNotFoundError:
            return []
        for line in lines:
            try:
                entry = JournalEntry(**json.loads(line))
            except (ValueError, TypeError):
                log.warning("skipping an unreadable journal line")
                continue
            by_id[entry.id] = entry
        return list(by_id.values())

    def get(self, action_id: str) -> JournalEntry | None:
        return next((e for e in self.entries() if e.id == action_id), None)

    def begin(self, action_id: str, action: str, requested_by: str = "") -> bool:
        """Claim the action; False when it was claimed before and must not run again."""
        if self.get(action_id) is not None:
            return False
        self._append(JournalEntry(action_id, action, _now(), requested_by))
        return True

    def finish(self, action_id: str, state: str, result: dict[str, Any]) -> None:
        entry = self.get(action_id)
        if entry is None:
            return
        entry.state, entry.finished_at, entry.result = state, _now(), result
        self._append(entry)

    def _append(self, entry: JournalEntry) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a") as out:
            out.write(json.dumps(asdict(entry)) + "\n")
            out.flush()
            # On disk before the action runs: a power cut must not make it run twice.
            os.fsync(out.fileno())
