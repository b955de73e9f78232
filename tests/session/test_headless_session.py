"""Whole sessions between two real headless app processes, a real server and a real display.

Each session's sharer captures and injects on a display of its own (Xvfb, started for the
test), so no other test's window, pointer or held key changes what it reads back; the helper
decodes the real WebRTC stream. Each test reads back what a person would see or feel. The
server is the run's shared one: a test's audit records are those begun since its session.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from devtools.display import xvfb
from devtools.headless import HeadlessApp
from devtools.waiting import wait_until
from tests.display_tools import (
    ColouredRectangle,
    TextInputWindow,
    xdotool,
    xdotool_mouse_location,
)
from tests.fixtures_display import SCREEN, TWO_MONITORS

pytestmark = pytest.mark.display

HELPER = "alice@contoso.example"
VIEWER = "victor@contoso.example"
SHARER = "bob@contoso.example"
# Full size whatever the machine's load: adaptation is tested on its own.
FULL_SIZE = {"HELPLINE_ADAPTIVE_RESOLUTION": "false"}


class Session:
    """A helper and a sharer process joined by a code, until the test ends."""

    def __init__(
        self,
        server,
        display: str,
        *,
        consent: str | None,
        helper: str = HELPER,
        env: dict | None = None,
        sharer_args: tuple[str, ...] = (),
    ) -> None:
        self.server = server
        self.display = display
        self._pictured = False
        self.began = datetime.now(UTC)
        self.helper = HeadlessApp("helper_app", "--server", server.url, "--user", helper)
        self.helper.wait_for("signed_in")
        self.code = self.helper.wait_for("code")["code"]
        args = ["--server", server.url, "--user", SHARER, "--code", self.code, *sharer_args]
        if consent:
            args += ["--consent", consent]
        self.sharer = HeadlessApp("sharer_app", *args, env={**(env or {}), "DISPLAY": display})
        self.sharer.wait_for("signed_in")
        self.identity = self.sharer.wait_for("helper_identity")

    def connect(self) -> None:
        self.helper.wait_for("connected")
        self.sharer.wait_for("connected")

    def pointer(self) -> tuple[int, int]:
        return xdotool_mouse_location(self.display)

    def move_and_wait(self, x: float, y: float, expected: tuple[int, int]) -> None:
        """Move the sharer's pointer from the helper and wait until it is there."""
        self.helper.send("mouse_move", x=x, y=y)
        wait_until(lambda: self.pointer() == expected, f"pointer at {expected}")

    def first_frame(self) -> dict:
        """The helper's first stats with a decoded frame in them."""
        stats = self.helper.wait_for("stats")
        while stats["frames"] == 0:
            stats = self.helper.wait_for("stats")
        self._pictured = True
        return stats

    def seen(self, path: Path) -> np.ndarray:
        """What the helper shows: its last decoded frame, as RGB pixels."""
        if not self._pictured:
            self.first_frame()
        self.helper.send("snapshot", path=str(path))
        self.helper.wait_for("snapshot")
        with av.open(str(path)) as container:
            return next(container.decode(video=0)).to_ndarray(format="rgb24")

    def colour_at(self, path: Path, x: int, y: int, screen: tuple[int, int] = SCREEN) -> tuple:
        """The colour the helper shows for screen pixel (x, y), whatever size the picture is
        (the sharer steps the size down when the machine is busy)."""
        image = self.seen(path)
        height, width = image.shape[:2]
        return tuple(image[y * height // screen[1], x * width // screen[0]])

    def close(self) -> None:
        for app in (self.helper, self.sharer):
            app.close()


@pytest.fixture
def session_factory(shared_server):
    """Sessions whose sharer has its own display (``display=`` to choose a special one).

    A test that brings its own display asks for it before this fixture, so the display is
    torn down after the apps have ended: a sharer whose display vanished under it cannot
    end cleanly, and closing it would wait out its timeout."""
    sessions: list[Session] = []
    with contextlib.ExitStack() as displays:

        def make(display: str | None = None, **kwargs) -> Session:
            if display is None:
                display = displays.enter_context(xvfb(*SCREEN))
            session = Session(shared_server, display, **kwargs)
            sessions.append(session)
            return session

        yield make
        for session in sessions:
            session.close()


def _audit_rows(session: Session) -> list[sqlite3.Row]:
    """The session records begun since ``session`` began (its server is shared)."""
    db = next(Path(session.server.data_dir).glob("*.db"))
    # Stored as naive UTC text, which sorts as time does.
    since = session.began.replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        table = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%session%'"
        ).fetchone()[0]
        query = f"SELECT * FROM {table} WHERE started_at >= ? ORDER BY started_at"
        return conn.execute(query, (since,)).fetchall()


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


def _is(rgb, wanted: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Video is lossy: a colour is recognised within a tolerance."""
    return all(abs(int(c) - w) <= tolerance for c, w in zip(rgb, wanted, strict=True))


RED, GREEN, BLUE = (220, 30, 30), (30, 200, 30), (30, 30, 220)


def test_frames_arrive_with_the_screen_size_and_show_the_screen(
    private_display, session_factory, tmp_path
):
    with ColouredRectangle(private_display, x=100, y=200, width=300, height=150, rgb=RED):
        session = session_factory(display=private_display, consent="view", env=FULL_SIZE)
        assert session.identity["verified"] is True
        assert session.identity["name"] == "Alice Example"
        assert session.helper.wait_for("consent")["level"] == "view"
        session.connect()
        stats = session.first_frame()
        assert (stats["width"], stats["height"]) == SCREEN

        image = session.seen(tmp_path / "seen.png")
        assert image.shape == (800, 1280, 3)
        assert _is(image[275, 250], RED), image[275, 250]  # centre of the rectangle
        assert not _is(image[100, 700], RED), "the rectangle is where it should be"


def test_the_second_monitor_is_captured_and_driven_at_its_offset(
    two_monitor_display, session_factory, tmp_path
):
    """Monitor 2 starts at (700, 100): its picture is sent, and input lands on it."""
    display = two_monitor_display
    _, (first, second) = TWO_MONITORS
    on_first = ColouredRectangle(display, x=100, y=100, width=300, height=200, rgb=GREEN)
    on_second = ColouredRectangle(
        display, x=second.left + 100, y=second.top + 100, width=300, height=200, rgb=RED
    )
    with on_first, on_second:
        session = session_factory(
            display=display, consent="control", env=FULL_SIZE, sharer_args=("--monitor", "2")
        )
        session.connect()
        stats = session.first_frame()
        assert (stats["width"], stats["height"]) == (second.width, second.height)
        # The same place relative to each monitor: red on the second, green on the first.
        seen = session.colour_at(tmp_path / "second.png", 250, 200, (second.width, second.height))
        assert _is(seen, RED), seen

        session.helper.wait_for("control", granted=True)
        session.move_and_wait(0.0, 0.0, (second.left, second.top))
        session.move_and_wait(0.5, 0.5, (second.left + 450, second.top + 300))
        session.move_and_wait(1.0, 1.0, (second.left + 899, second.top + 599))
    assert first.width != second.width, "the monitors can be told apart by size"


def test_full_control_moves_the_real_pointer_clicks_and_types(session_factory):
    session = session_factory(consent="control")
    with TextInputWindow(session.display, x=400, y=300, width=400, height=60) as window:
        session.connect()
        session.helper.wait_for("control", granted=True)
        session.move_and_wait(0.25, 0.75, (320, 600))

        # Click into the text field, then type into it.
        session.helper.send("mouse_move", x=600 / 1280, y=330 / 800)
        session.helper.send("click", button="left")
        session.helper.send("type", text="hello helpline")
        assert window.wait_for_text("hello helpline")


def test_view_only_blocks_input_until_granted_and_after_revoked(session_factory):
    session = session_factory(consent="view")
    session.connect()
    start = session.pointer()

    session.helper.send("mouse_move", x=0.1, y=0.1)
    blocked = session.sharer.wait_for("input_blocked")
    assert blocked["reason"] == "view_only"
    assert session.pointer() == start

    session.sharer.send("grant_control")
    session.helper.wait_for("control", granted=True)
    session.move_and_wait(0.5, 0.5, (640, 400))

    session.sharer.send("revoke_control")
    session.helper.wait_for("control", granted=False)
    session.helper.send("mouse_move", x=0.9, y=0.9)
    assert session.sharer.wait_for("input_blocked")["reason"] == "view_only"
    assert session.pointer() == (640, 400)


def test_denied_control_stays_view_only_on_both_sides(session_factory):
    session = session_factory(consent="view")
    session.connect()
    start = session.pointer()
    session.helper.send("request_control")
    session.sharer.wait_for("control_requested")
    session.sharer.send("deny_control")
    assert session.helper.wait_for("control")["granted"] is False
    session.helper.send("mouse_move", x=0.9, y=0.9)
    assert session.sharer.wait_for("input_blocked")["reason"] == "view_only"
    assert session.pointer() == start
    # Denying is not revoking a grant that never was, and the session carries on.
    session.helper.send("chat", text="understood")
    assert session.sharer.wait_for("chat")["text"] == "understood"


def test_pause_blanks_the_picture_and_blocks_input_until_resumed(session_factory, tmp_path):
    session = session_factory(consent="control", env=FULL_SIZE)
    with ColouredRectangle(session.display, x=100, y=200, width=300, height=150, rgb=BLUE):
        session.connect()
        session.helper.wait_for("control", granted=True)
        session.move_and_wait(0.5, 0.5, (640, 400))
        shown = functools.partial(session.colour_at, tmp_path / "shown.png", 250, 275)
        wait_until(lambda: _is(shown(), BLUE), "the screen shown")

        session.sharer.send("pause")
        assert session.sharer.wait_for("paused")["paused"] is True
        session.helper.send("mouse_move", x=0.1, y=0.1)
        assert session.sharer.wait_for("input_blocked")["reason"] == "paused"
        assert session.pointer() == (640, 400)
        # The helper's picture goes blank: the rectangle is no longer shown.
        wait_until(lambda: not _is(shown(), BLUE, 60), "the helper's picture blanked")

        session.sharer.send("resume")
        assert session.sharer.wait_for("paused")["paused"] is False
        session.move_and_wait(0.25, 0.25, (320, 200))
        wait_until(lambda: _is(shown(), BLUE), "the screen shown again")


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
def test_killing_one_side_ends_the_other_and_closes_the_audit_record(session_factory, victim):
    session = session_factory(consent="control")
    session.connect()
    survivor = session.helper if victim == "sharer" else session.sharer
    getattr(session, victim).kill()
    ended = survivor.wait_for("ended")
    assert ended["reason"] in {f"{victim}_disconnected", "peer_timeout", "connection_failed"}
    assert survivor.close() == 1, "a peer gone is a failed session (README: exit status)"

    def closed() -> bool:
        rows = _audit_rows(session)
        return bool(rows) and rows[-1]["ended_at"] is not None

    wait_until(closed, "the audit record closed")
    [row] = _audit_rows(session)
    assert row["end_reason"] == f"{victim}_disconnected"


def test_keys_held_by_a_helper_that_vanishes_are_released(session_factory):
    session = session_factory(consent="control")
    with TextInputWindow(session.display, x=400, y=300, width=400, height=60) as window:
        session.connect()
        session.helper.wait_for("control", granted=True)
        session.helper.send("mouse_move", x=600 / 1280, y=330 / 800)
        session.helper.send("click", button="left")
        session.helper.send("type", text="a")
        window.wait_for_text("a")
        session.helper.send("key", key="shift", down=True)
        session.helper.send("key", key="b", down=True)
        session.helper.send("key", key="b", down=False)
        window.wait_for_text("aB")  # shift is held down on the sharer's machine

        session.helper.kill()
        session.sharer.wait_for("ended")
        # Typed locally afterwards: a lower-case c, because nothing holds shift any more.
        xdotool(session.display, "type", "c")
        window.wait_for_text("aBc")


def test_ending_reaches_the_other_side_and_the_audit_has_the_features(session_factory):
    secret = "Quokka ledger 7431 zebra wharf"
    session = session_factory(consent="view")
    session.connect()
    session.helper.send("chat", text=secret)
    session.sharer.wait_for("chat")
    session.sharer.send("grant_control")
    session.helper.wait_for("control", granted=True)
    session.sharer.send("end")
    assert session.helper.wait_for("ended")["reason"] == "sharer_ended"
    assert session.sharer.wait_for("ended")["reason"] == "sharer_ended"
    wait_until(lambda: _audit_rows(session)[-1]["ended_at"] is not None, "the audit record closed")
    [row] = _audit_rows(session)
    assert (row["used_view"], row["used_control"], row["used_chat"]) == (1, 1, 1)
    # Chat text is never stored: no piece of it in any column of any table.
    stored = _every_stored_value(session.server.data_dir).lower()
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


def test_a_frozen_sharer_is_noticed_by_the_helper_heartbeat(session_factory):
    """The sharer stops answering but its connections stay open: only the heartbeat can tell."""
    session = session_factory(consent="control")
    session.connect()
    pid = session.sharer.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        assert session.helper.wait_for("ended")["reason"] == "peer_timeout"
    finally:
        os.kill(pid, signal.SIGCONT)
    # Thawed, the sharer learns the session is over and stops as well.
    assert session.sharer.wait_for("ended")["reason"] in {
        "peer_timeout", "helper_ended", "helper_disconnected",
    }  # fmt: skip


def test_a_frozen_helper_is_noticed_by_the_sharer_heartbeat_and_its_input_stops(
    session_factory,
):
    """Input the helper sends once thawed, after the sharer gave up on it, never lands."""
    session = session_factory(consent="control")
    session.connect()
    session.helper.wait_for("control", granted=True)
    session.move_and_wait(0.5, 0.5, (640, 400))
    pid = session.helper.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        # Read by the helper only when it runs again.
        session.helper.send("mouse_move", x=0.1, y=0.1)
        assert session.sharer.wait_for("ended")["reason"] == "peer_timeout"
    finally:
        os.kill(pid, signal.SIGCONT)
    session.helper.wait_for("ended")
    assert session.helper.close() == 1, "the sharer gave up on it: a failed session"
    assert session.pointer() == (640, 400)
