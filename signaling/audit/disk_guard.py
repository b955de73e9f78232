"""How much room the audit's disk has left, in two steps.

Low (below ``warn`` MiB free): said in the log and on ``/healthz``, while sessions still run,
so a person has days, not seconds, to act. Full (below ``refuse`` MiB free): the guard of last
resort, new sessions are refused while the audit can still record how the running ones end,
instead of the database failing half way through a write. Only the SQLite file's folder is
watched; a database elsewhere (PostgreSQL) is watched where it runs.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)
MIB = 1024 * 1024


class DiskState(StrEnum):
    OK = "ok"
    LOW = "low"
    FULL = "full"


@dataclass(frozen=True)
class DiskReading:
    state: DiskState
    free_mib: int | None  # None: not watched here

    def describe(self) -> dict[str, object]:
        return {"state": self.state.value, "free_mib": self.free_mib}


class DiskGuard:
    def __init__(self, folder: Path | None, *, warn_mib: int, refuse_mib: int) -> None:
        self._folder = folder
        self._warn = warn_mib
        self._refuse = refuse_mib
        self._last = DiskState.OK

    def reading(self) -> DiskReading:
        """The disk now (one statfs call); a change of state is logged once, not per call."""
        if self._folder is None:
            return DiskReading(DiskState.OK, None)
        try:
            free = shutil.disk_usage(self._folder).free // MIB
        except OSError as exc:
            log.error("audit disk unreadable: %s", exc.strerror)
            return DiskReading(DiskState.FULL, None)
        state = DiskState.OK
        if free < self._refuse:
            state = DiskState.FULL
        elif free < self._warn:
            state = DiskState.LOW
        if state is not self._last:
            self._log(state, free)
            self._last = state
        return DiskReading(state, free)

    def _log(self, state: DiskState, free: int) -> None:
        if state is DiskState.FULL:
            log.error("audit disk full: %d MiB free, below %d MiB: new sessions are refused",
                      free, self._refuse)  # fmt: skip
        elif state is DiskState.LOW:
            log.warning("audit disk low: %d MiB free, below %d MiB; new sessions are refused "
                        "below %d MiB", free, self._warn, self._refuse)  # fmt: skip
        else:
            log.info("audit disk ok again: %d MiB free", free)
