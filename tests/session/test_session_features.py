"""In-session features between the real headless apps, a real server and real WebRTC: the
clipboard both ways and only while the sharer allows it, the snapshot the sharer is told of,
and the audit rows they leave (never their content). The server is the run's shared one
unless a test sets a policy of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, start_server
from devtools.waiting import wait_until
from tests.audit_records import audit_record, closed_record
from tests.display_tools import xdotool_mouse_location
from tests.fixtures_display import TWO_MONITORS
from tests.session.headless_pair import pair

pytestmark = pytest.mark.display

# Text nobody would write by chance: it must reach the other side and no log or database.
SECRET = "sudo systemctl restart cups # clip-7f3a9c\n\tsecond line"


def _nothing_kept_anywhere(roots: tuple[Path, ...], text: str, *apps: HeadlessApp) -> None:
    needle = text.encode()
    for path in (path for root in roots for path in root.rglob("*")):
        if path.is_file():
            assert needle not in path.read_bytes(), path
    for app in apps:
        assert text not in "".join(app.stderr)


def test_the_clipboard_goes_both_ways_only_while_the_sharer_allows_it(
    tmp_path, private_display, shared_server
):
    began = datetime.now(UTC)
    helper, sharer = pair(shared_server, private_display, "--consent", "view", "--allow", "elevate")
    try:
        assert sharer.wait_for("helper_identity")["choices"] == ["clipboard", "elevate", "files"]
        assert helper.wait_for("consent")["allow"] == ["elevate"]
        helper.wait_for("connected")
        sharer.wait_for("connected")

        # Not ticked at consent: refused on both sides, with a clear word.
        helper.send("clipboard", text=SECRET)
        assert helper.wait_for("error")["code"] == "forbidden"
        sharer.send("clipboard", text=SECRET)
        assert sharer.wait_for("error")["code"] == "forbidden"

        sharer.send("allow", allow=["clipboard"])
        assert sharer.wait_for("allowed")["allow"] == ["elevate"]  # as consented
        sharer.wait_for("allowed", allow=["clipboard"])
        helper.wait_for("allowed", allow=["clipboard"])
        helper.send("clipboard", text=SECRET)
        assert sharer.wait_for("clipboard")["text"] == SECRET
        sharer.send("clipboard", text="from the sharer\r\nline two")
        assert helper.wait_for("clipboard")["text"] == "from the sharer\nline two"
        helper.send("clipboard", text="x" * 10_001)
        assert helper.wait_for("error")["code"] == "invalid"

        # Revoked: the helper is told, and refused from then on.
        sharer.send("allow", allow=[])
        helper.wait_for("allowed", allow=[])
        helper.send("clipboard", text=SECRET)
        assert helper.wait_for("error")["code"] == "forbidden"

        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.close() == 0 and sharer.close() == 0
        assert len([e for e in sharer.events if e["event"] == "clipboard"]) == 0
    finally:
        helper.close()
        sharer.close()
    record = closed_record(shared_server.data_dir, began)
    # Elevation consented separately sets its own column; the clipboard is noted, not its text.
    assert {"clipboard", "elevation"} <= set(record["features_used"])
    # The apps' folders, and the server's database and log.
    _nothing_kept_anywhere((tmp_path, shared_server.data_dir.parent), SECRET, helper, sharer)


def test_a_choice_the_role_does_not_grant_cannot_be_allowed(private_display, shared_server):
    helper, sharer = pair(shared_server, private_display, helper="victor@contoso.example")
    try:
        assert sharer.wait_for("helper_identity")["choices"] == []
        sharer.send("consent", level="view", allow=["clipboard"])
        assert sharer.wait_for("error")["code"] == "not_offered"
        sharer.send("consent", level="view")
        helper.wait_for("connected")
        helper.send("clipboard", text=SECRET)
        assert helper.wait_for("error")["code"] == "forbidden"
        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
    finally:
        helper.close()
        sharer.close()


def _first_frame(helper: HeadlessApp) -> None:
    helper.wait_until(lambda events: any(e["event"] == "stats" and e["frames"] for e in events))


def test_the_sharer_is_told_at_once_of_each_snapshot(tmp_path, private_display, shared_server):
    began = datetime.now(UTC)
    helper, sharer = pair(shared_server, private_display, "--consent", "view")
    picture = tmp_path / "seen.png"
    try:
        helper.wait_for("connected")
        _first_frame(helper)
        helper.send("snapshot", path=str(picture))
        assert sharer.wait_for("snapshot_taken")["by"] == "Alice Example"
        helper.wait_for("snapshot")
        assert picture.stat().st_size > 0
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
    assert "snapshot" in closed_record(shared_server.data_dir, began)["features_used"]


def test_a_policy_can_forbid_snapshots(tmp_path, private_display):
    env = {"HELPLINE_ALLOW_SNAPSHOTS": "false"}
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data", env=env)
    helper, sharer = pair(server, private_display, "--consent", "view")
    picture = tmp_path / "seen.png"
    try:
        helper.wait_for("connected")
        _first_frame(helper)
        helper.send("snapshot", path=str(picture))
        error = helper.wait_for("error")
        assert error["code"] == "forbidden" and "organisation" in error["message"]
        helper.send("end")
        sharer.wait_for("ended")
        assert not picture.exists()
        assert not [e for e in sharer.events if e["event"] == "snapshot_taken"]
    finally:
        helper.close()
        sharer.close()
        server.stop()
    assert "snapshot" not in audit_record(server.data_dir)["features_used"]


def test_the_helper_switches_among_the_monitors_the_sharer_allowed(
    two_monitor_display, shared_server
):
    """Two monitors on one Xvfb: the picture and the input both follow the switch."""
    _, (first, second) = TWO_MONITORS
    helper, sharer = pair(
        shared_server, two_monitor_display, "--consent", "control", "--monitors", "all"
    )
    try:
        helper.wait_for("connected")
        shown = helper.wait_for("monitors")
        assert shown["current"] == 1
        assert [(m["index"], m["width"], m["height"]) for m in shown["list"]] == [
            (1, first.width, first.height),
            (2, second.width, second.height),
        ]
        helper.wait_for("control", granted=True)
        helper.send("switch_monitor", index=2)
        assert helper.wait_for("monitors")["current"] == 2
        helper.wait_until(
            lambda events: any(
                e["event"] == "stats" and (e["width"], e["height"]) == (second.width, second.height)
                for e in events
            )
        )
        helper.send("mouse_move", x=0.5, y=0.5)
        at = (second.left + second.width // 2, second.top + second.height // 2)
        wait_until(lambda: xdotool_mouse_location(two_monitor_display) == at, f"pointer at {at}")
        helper.send("switch_monitor", index=3)
        assert helper.wait_for("error")["code"] == "not_offered"

        # The sharer narrows it again: the second monitor is no longer shown, nor offered.
        sharer.send("monitors", monitors=[1])
        narrowed = helper.wait_for("monitors")
        assert ([m["index"] for m in narrowed["list"]], narrowed["current"]) == ([1], 1)
        helper.send("mouse_move", x=0.5, y=0.5)
        at = (first.left + first.width // 2, first.top + first.height // 2)
        wait_until(lambda: xdotool_mouse_location(two_monitor_display) == at, f"pointer at {at}")
        helper.send("switch_monitor", index=2)
        assert helper.wait_for("error")["code"] == "not_offered"
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()


def test_without_a_choice_only_the_shown_monitor_is_offered(two_monitor_display, shared_server):
    helper, sharer = pair(shared_server, two_monitor_display, "--consent", "view")
    try:
        helper.wait_for("connected")
        assert [m["index"] for m in helper.wait_for("monitors")["list"]] == [1]
        helper.send("switch_monitor", index=2)
        assert helper.wait_for("error")["code"] == "not_offered"
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
