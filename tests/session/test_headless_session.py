"""Whole sessions between two real headless app processes, a real server and a real display.

The sharer captures and injects on the Xvfb display the suite starts; the helper decodes
the real WebRTC stream. Each test reads back what a person would see or feel.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import av
import pytest

from tests.headless_driver import HeadlessApp

pytestmark = pytest.mark.display

HELPER = "alice@contoso.example"
VIEWER = "victor@contoso.example"
SHARER = "bob@contoso.example"


class Session:
    """A helper and a sharer process joined by a code, until the test ends."""

    def __init__(
        self, server, *, consent: str | None, helper: str = HELPER, env: dict | None = None
    ) -> None:
        self.server = server
        self.helper = HeadlessApp("helper_app", "--server", server.url, "--user", helper)
        self.helper.wait_for("signed_in")
        self.code = self.helper.wait_for("code")["code"]
        args = ["--server", server.url, "--user", SHARER, "--code", self.code]
        if consent:
            args += ["--consent", consent]
        self.sharer = HeadlessApp("sharer_app", *args, env=env)
        self.sharer.wait_for("signed_in")
        self.identity = self.sharer.wait_for("helper_identity")

    def connect(self) -> None:
        self.helper.wait_for("connected")
        self.sharer.wait_for("connected")

    def close(self) -> None:
        for app in (self.helper, self.sharer):
            app.close()


@pytest.fixture
def session_factory(signaling_server, xvfb_display):
    sessions: list[Session] = []

    def make(**kwargs) -> Session:
        session = Session(signaling_server, **kwargs)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def _audit_rows(data_dir: Path) -> list[sqlite3.Row]:
    db = next(Path(data_dir).glob("*.db"))
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        table = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%session%'"
        ).fetchone()[0]
        return conn.execute(f"SELECT * FROM {table}").fetchall()


def _every_stored_value(data_dir: Path) -> str:
    db = next(Path(data_dir).glob("*.db"))
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return " ".join(
            str(value)
            for table in tables
            for row in conn.execute(f"SELECT * FROM {table}")
            for value in row
        )


def test_frames_arrive_with_the_screen_size_and_show_the_screen(
    session_factory, xvfb_display, tmp_path
):
    from tests.display_tools import ColouredRectangle

    with ColouredRectangle(xvfb_display, x=100, y=200, width=300, height=150, rgb=(220, 30, 30)):
        # Full size, whatever the machine's load: adaptation is tested on its own.
        session = session_factory(consent="view", env={"HELPLINE_ADAPTIVE_RESOLUTION": "false"})
        assert session.identity["verified"] is True
        assert session.identity["name"] == "Alice Example"
        assert session.helper.wait_for("consent")["level"] == "view"
        session.connect()
        stats = session.helper.wait_for("stats")
        while stats["frames"] == 0:
            stats = session.helper.wait_for("stats")
        assert (stats["width"], stats["height"]) == (1280, 800)

        snapshot = tmp_path / "seen.png"
        session.helper.send("snapshot", path=str(snapshot))
        session.helper.wait_for("snapshot")
        with av.open(str(snapshot)) as container:
            image = next(container.decode(video=0)).to_ndarray(format="rgb24")
        assert image.shape == (800, 1280, 3)
        red, green, blue = (int(c) for c in image[275, 250])  # centre of the rectangle
        assert red > 170 and green < 80 and blue < 80, (red, green, blue)
        outside = image[100, 700]
        assert not (outside[0] > 170 and outside[1] < 80), "the rectangle is where it should be"


def test_full_control_moves_the_real_pointer_clicks_and_types(session_factory, xvfb_display):
    from tests.display_tools import TextInputWindow, xdotool_mouse_location

    with TextInputWindow(xvfb_display, x=400, y=300, width=400, height=60) as window:
        session = session_factory(consent="control")
        session.connect()
        session.helper.wait_for("control", granted=True)

        session.helper.send("mouse_move", x=0.25, y=0.75)
        _wait_until(lambda: xdotool_mouse_location(xvfb_display) == (320, 600))

        # Click into the text field, then type into it.
        session.helper.send("mouse_move", x=600 / 1280, y=330 / 800)
        session.helper.send("click", button="left")
        session.helper.send("type", text="hello helpline")
        assert window.wait_for_text("hello helpline")


def test_view_only_blocks_input_until_granted_and_after_revoked(session_factory, xvfb_display):
    from tests.display_tools import xdotool_mouse_location

    session = session_factory(consent="view")
    session.connect()
    start = xdotool_mouse_location(xvfb_display)

    session.helper.send("mouse_move", x=0.1, y=0.1)
    blocked = session.sharer.wait_for("input_blocked")
    assert blocked["reason"] == "view_only"
    assert xdotool_mouse_location(xvfb_display) == start

    session.sharer.send("grant_control")
    session.helper.wait_for("control", granted=True)
    session.helper.send("mouse_move", x=0.5, y=0.5)
    _wait_until(lambda: xdotool_mouse_location(xvfb_display) == (640, 400))

    session.sharer.send("revoke_control")
    session.helper.wait_for("control", granted=False)
    session.helper.send("mouse_move", x=0.9, y=0.9)
    assert session.sharer.wait_for("input_blocked")["reason"] == "view_only"
    assert xdotool_mouse_location(xvfb_display) == (640, 400)


def test_helper_asks_for_control_and_the_sharer_decides(session_factory):
    session = session_factory(consent="view")
    session.connect()
    session.helper.send("request_control")
    session.sharer.wait_for("control_requested")
    session.sharer.send("grant_control")
    assert session.helper.wait_for("control")["granted"] is True


def test_chat_both_ways(session_factory):
    session = session_factory(consent="view")
    session.connect()
    session.helper.send("chat", text="Hello, I'm Alice from IT.")
    assert session.sharer.wait_for("chat") == {
        "event": "chat", "from": "helper", "text": "Hello, I'm Alice from IT."
    }  # fmt: skip
    session.sharer.send("chat", text="Hi <b>Alice</b>")
    assert session.helper.wait_for("chat")["text"] == "Hi <b>Alice</b>"


def test_viewer_role_is_offered_view_only(session_factory):
    session = session_factory(consent=None, helper=VIEWER)
    assert session.identity["offered_levels"] == ["view"]
    session.sharer.send("consent", level="control")
    assert session.sharer.wait_for("error")["code"] == "not_offered"
    session.sharer.send("consent", level="view")
    session.connect()
    session.sharer.send("grant_control")
    assert session.sharer.wait_for("error")["code"] == "not_offered"


def test_decline_tells_the_helper(session_factory):
    session = session_factory(consent="decline")
    assert session.helper.wait_for("consent")["level"] == "declined"
    assert session.helper.wait_for("ended")["reason"] == "declined"
    assert session.sharer.wait_for("ended")["reason"] == "declined"


@pytest.mark.parametrize("victim", ["sharer", "helper"])
def test_killing_one_side_ends_the_other_and_closes_the_audit_record(
    session_factory, signaling_server, victim
):
    session = session_factory(consent="control")
    session.connect()
    survivor = session.helper if victim == "sharer" else session.sharer
    getattr(session, victim).kill()
    ended = survivor.wait_for("ended", timeout=10)
    assert ended["reason"] in {f"{victim}_disconnected", "peer_timeout", "connection_failed"}
    assert survivor.close() == 0

    def closed() -> bool:
        rows = _audit_rows(signaling_server.data_dir)
        return bool(rows) and rows[-1]["ended_at"] is not None

    _wait_until(closed)
    row = _audit_rows(signaling_server.data_dir)[-1]
    assert row["end_reason"] == f"{victim}_disconnected"


def test_ending_reaches_the_other_side_and_the_audit_has_the_features(
    session_factory, signaling_server
):
    session = session_factory(consent="view")
    session.connect()
    secret = "Quokka ledger 7431 zebra wharf"
    session.helper.send("chat", text=secret)
    session.sharer.wait_for("chat")
    session.sharer.send("grant_control")
    session.helper.wait_for("control", granted=True)
    session.sharer.send("end")
    assert session.helper.wait_for("ended")["reason"] == "sharer_ended"
    assert session.sharer.wait_for("ended")["reason"] == "sharer_ended"
    _wait_until(lambda: _audit_rows(signaling_server.data_dir)[-1]["ended_at"] is not None)
    row = _audit_rows(signaling_server.data_dir)[-1]
    assert (row["used_view"], row["used_control"], row["used_chat"]) == (1, 1, 1)
    # Chat text is never stored: no piece of it in any column of any table.
    stored = _every_stored_value(signaling_server.data_dir).lower()
    pieces = {secret.lower()[i : i + 5] for i in range(len(secret) - 4)}
    assert not [piece for piece in pieces if piece in stored]


def test_bad_commands_get_errors_and_the_app_keeps_running(session_factory):
    session = session_factory(consent="view")
    session.connect()
    session.helper.send_raw("not json")
    assert session.helper.wait_for("error")["code"] == "invalid_command"
    session.helper.send("warp_drive")
    assert session.helper.wait_for("error")["code"] == "unknown_command"
    session.helper.send("mouse_move", x=2, y=0.5)
    assert session.helper.wait_for("error")["code"] == "invalid_input"
    session.helper.send("key", key="definitely-not-a-key", down=True)
    assert session.helper.wait_for("error")["code"] == "invalid_input"
    session.sharer.send("consent", level="control")
    assert session.sharer.wait_for("error")["code"] == "wrong_state"
    session.helper.send("chat", text="still here")
    assert session.sharer.wait_for("chat")["text"] == "still here"


def test_closing_stdin_ends_the_session_cleanly(session_factory):
    session = session_factory(consent="view")
    session.connect()
    assert session.helper.close() == 0
    assert session.sharer.wait_for("ended")["reason"] in {"helper_ended", "helper_disconnected"}


def _wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def test_a_frozen_peer_is_noticed_by_the_heartbeat_and_its_input_stops(session_factory):
    """The sharer stops answering but its connections stay open: only the heartbeat can tell."""
    import os
    import signal

    session = session_factory(consent="control")
    session.connect()
    pid = session.sharer.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        ended = session.helper.wait_for("ended", timeout=60)
        assert ended["reason"] == "peer_timeout"
    finally:
        os.kill(pid, signal.SIGCONT)
    # Thawed, the sharer learns the session is over and stops as well.
    assert session.sharer.wait_for("ended", timeout=60)["reason"] in {
        "peer_timeout", "helper_ended", "helper_disconnected",
    }  # fmt: skip
