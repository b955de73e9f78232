"""Child programs that talk in JSON lines, each line stamped with when it arrived.

Arrival times are ``time.monotonic()``, the clock the scene and the apps stamp their own
lines with, so times from different processes on this machine compare directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Line = dict[str, Any]


class LineProcess:
    def __init__(
        self,
        module: str,
        *args: str,
        env: dict[str, str],
        log: Path,
        prefix: Sequence[str] = (),
    ) -> None:
        """``prefix`` runs the child through another command that execs it (same pid), such
        as ``ip netns exec NS`` to put it behind an emulated link."""
        self.name = module
        self.log = log
        self.lines: list[tuple[float, Line]] = []
        self._changed = threading.Condition()
        self._eof = False
        with log.open("ab") as err:
            self.proc = subprocess.Popen(
                [*prefix, sys.executable, "-m", module, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=env,
            )
        self.pid = self.proc.pid
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            arrived = time.monotonic()
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            with self._changed:
                self.lines.append((arrived, line))
                self._changed.notify_all()
        with self._changed:
            self._eof = True
            self._changed.notify_all()

    def send(self, **fields: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(fields) + "\n")
        self.proc.stdin.flush()

    def wait_for(
        self, match: Callable[[Line], bool], timeout: float, after: int = 0
    ) -> tuple[int, float, Line]:
        """The first line from index ``after`` on that matches: (index, arrival, line)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i in range(after, len(self.lines)):
                    if match(self.lines[i][1]):
                        return i, *self.lines[i]
                after = len(self.lines)
                remaining = deadline - time.monotonic()
                if self._eof:
                    raise RuntimeError(f"{self.name} exited; see {self.log}")
                if remaining <= 0:
                    raise RuntimeError(f"{self.name}: nothing expected within {timeout:.0f} s")
                self._changed.wait(min(remaining, 0.5))

    def event(self, name: str, timeout: float = 60, after: int = 0) -> tuple[int, float, Line]:
        return self.wait_for(lambda line: line.get("event") == name, timeout, after)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, timeout: float = 15) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
