"""A tester follows a desktop app from a script: --events appends the headless mode's JSON
lines to a file. Real GUI processes on the suite's Xvfb display, a real server, real WebRTC."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.headless_driver import HeadlessApp

pytestmark = pytest.mark.display


class DesktopApp:
    """A desktop app process and the events file it writes."""

    def __init__(self, module: str, events: Path, *args: str) -> None:
        self.events_path = events
        self.read: list[dict[str, Any]] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "--events", str(events), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
        )

    def _lines(self) -> list[dict[str, Any]]:
        if not self.events_path.exists():
            return []
        text = self.events_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()[: text.count("\n")]]

    def wait_for(self, name: str, timeout: float = 60, **match: Any) -> dict[str, Any]:
        """The first line called ``name`` (with ``match``) after the last one returned."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self._lines()
            for index, event in enumerate(lines[len(self.read) :], start=len(self.read)):
                if event["event"] == name and all(event.get(k) == v for k, v in match.items()):
                    self.read = lines[: index + 1]
                    return event
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {name} {match}; lines: {lines[-10:]}")
            time.sleep(0.1)

    def close(self) -> tuple[int, str]:
        """Closed as the desktop would close it (SIGTERM closes the window)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, stderr = self.proc.communicate()
        return self.proc.returncode, stderr


def test_the_helper_desktop_app_writes_its_session_to_the_events_file(
    signaling_server, xvfb_display, tmp_path
):
    events = tmp_path / "helper-events.jsonl"
    events.write_text('{"event": "from_an_earlier_run"}\n')  # appended to, not replaced
    helper = DesktopApp(
        "helper_app", events, "--server", signaling_server.url, "--user", "alice@contoso.example"
    )
    sharer = None
    try:
        helper.wait_for("signed_in", user="alice@contoso.example")
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app", "--server", signaling_server.url, "--user", "bob@contoso.example",
            "--code", code, "--consent", "view",
        )  # fmt: skip
        assert helper.wait_for("sharer_joined")["sharer"] == "bob@contoso.example"
        assert helper.wait_for("consent")["level"] == "view"
        helper.wait_for("connected")
        assert {"frames", "fps", "width", "height", "rtt_ms"} <= helper.wait_for("stats").keys()
        sharer.send("pause")
        helper.wait_for("paused", paused=True)
        sharer.send("resume")
        helper.wait_for("paused", paused=False)
        sharer.send("end")
        assert helper.wait_for("ended")["reason"] == "sharer_ended"
        assert sharer.close() == 0
    finally:
        status, stderr = helper.close()
        if sharer is not None:
            sharer.close()
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert events.read_text().startswith('{"event": "from_an_earlier_run"}\n')


def test_the_sharer_desktop_app_writes_its_events_and_connects_with_user_and_code(
    signaling_server, xvfb_display, tmp_path
):
    helper = HeadlessApp(
        "helper_app", "--server", signaling_server.url, "--user", "alice@contoso.example"
    )
    code = helper.wait_for("code")["code"]
    events = tmp_path / "sharer-events.jsonl"
    sharer = DesktopApp(
        "sharer_app", events, "--server", signaling_server.url, "--user", "bob@contoso.example",
        "--code", code,
    )  # fmt: skip
    try:
        sharer.wait_for("signed_in", user="bob@contoso.example")
        card = sharer.wait_for("helper_identity")
        assert card["verified"] is True and card["name"] == "Alice Example"
        helper.wait_for("sharer_joined")
        helper.send("end")  # the helper gives up while the sharer is still deciding
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
    finally:
        status, stderr = sharer.close()
        helper.close()
    assert status == 0, stderr
    assert "Traceback" not in stderr
