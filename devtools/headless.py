"""Drive a headless app process through its JSON lines, as testers and scripts do.

Every wait is for an event, with a generous deadline that only bounds a failing run; nothing
here waits for time to pass in the hope that something happened meanwhile.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

# Bounds a failing run only; a passing one returns as soon as the event is there.
DEFAULT_TIMEOUT = 60.0


class HeadlessApp:
    def __init__(
        self,
        module: str,
        *args: str,
        env: dict[str, str] | None = None,
        prefix: Sequence[str] = (),
        headless: bool = True,
        program: Sequence[str] | None = None,
    ) -> None:
        """``prefix`` wraps the command, e.g. ``ip netns exec NS`` to run it in a namespace;
        ``headless`` False runs a subcommand that has no window anyway (the device agent);
        ``program`` replaces ``python -m module``, e.g. with a frozen bundle's executable."""
        self.events: list[dict[str, Any]] = []
        self._output_ended = False
        self._queue: queue.Queue[tuple[float, dict[str, Any]] | None] = queue.Queue()
        self._arrivals: dict[int, float] = {}
        # When the event wait_for last returned was read from the process (perf_counter).
        self.last_arrival = 0.0
        self.proc = subprocess.Popen(
            [
                *prefix,
                *(program or (sys.executable, "-m", module)),
                *(["--headless"] if headless else []),
                *args,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
            # Its own process group: Ctrl+C reaches the script driving it, which ends it.
            start_new_session=True,
        )
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": "__not_json__", "line": line}
            self._queue.put((time.perf_counter(), event))
        self._queue.put(None)

    def _pump_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def send(self, cmd: str, **fields: Any) -> None:
        self.send_raw(json.dumps({"cmd": cmd, **fields}))

    def send_raw(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, name: str, timeout: float = DEFAULT_TIMEOUT, **match: Any) -> dict[str, Any]:
        """The next event called ``name`` (whose fields equal ``match``); earlier ones are kept."""
        for event in self.events:
            if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                self.events.remove(event)
                self.last_arrival = self._arrivals.pop(id(event), 0.0)
                return event
        deadline = time.monotonic() + timeout
        while (item := self._next(deadline, f"{name} {match}")) is not None:
            arrived, event = item
            if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                self.last_arrival = arrived
                return event
            self._keep(arrived, event)
        raise AssertionError(f"process exited before {name}; {self._context()}")

    def wait_until(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> list[dict[str, Any]]:
        """Keep every event until ``predicate(events)`` holds; return the events kept."""
        deadline = time.monotonic() + timeout
        while not predicate(self.events):
            item = self._next(deadline, "condition met")
            if item is None:
                raise AssertionError(f"process exited first; {self._context()}")
            self._keep(*item)
        return self.events

    def events_after_exit(self, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, Any]]:
        """Every event the process printed, read to the end of its output (it has exited)."""
        self.proc.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while (item := self._next(deadline, "end of the output")) is not None:
            self._keep(*item)
        return self.events

    def _next(self, deadline: float, what: str) -> tuple[float, dict[str, Any]] | None:
        """The next event with its arrival time, or None once the output has ended."""
        if self._output_ended:
            return None
        try:
            item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no {what} in the time allowed; {self._context()}") from None
        if item is None:
            self._output_ended = True
        return item

    def _keep(self, arrived: float, event: dict[str, Any]) -> None:
        self._arrivals[id(event)] = arrived
        self.events.append(event)

    def _context(self) -> str:
        return f"events: {self.events[-15:]}; stderr: {''.join(self.stderr[-20:])}"

    def close(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None and self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
