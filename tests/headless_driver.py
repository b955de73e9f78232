"""Drive a headless app process through its JSON lines, as testers and scripts do."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

DEFAULT_TIMEOUT = 30.0


class HeadlessApp:
    def __init__(
        self,
        module: str,
        *args: str,
        env: dict[str, str] | None = None,
        prefix: Sequence[str] = (),
    ) -> None:
        """``prefix`` wraps the command, e.g. ``ip netns exec NS`` to run it in a namespace."""
        self.events: list[dict[str, Any]] = []
        self._queue: queue.Queue[tuple[float, dict[str, Any]] | None] = queue.Queue()
        self._arrivals: dict[int, float] = {}
        # When the event wait_for last returned was read from the process (perf_counter).
        self.last_arrival = 0.0
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", module, "--headless", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
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
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no {name} {match} within {timeout}s; events: {self.events[-15:]}; "
                    f"stderr: {''.join(self.stderr[-20:])}"
                )
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is None:
                raise AssertionError(
                    f"process exited before {name}; events: {self.events[-15:]}; "
                    f"stderr: {''.join(self.stderr[-20:])}"
                )
            arrived, event = item
            if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                self.last_arrival = arrived
                return event
            self._arrivals[id(event)] = arrived
            self.events.append(event)

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Collect events for a while (for checking that something did NOT happen)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if item is None:
                break
            self.events.append(item[1])
        return self.events

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
