"""Starting wrong gets one clear error event and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest

from devtools.headless import HeadlessApp


def _first_error(app: HeadlessApp) -> dict:
    error = app.wait_for("error")
    assert app.close() != 0
    assert "Traceback" not in "".join(app.stderr)
    return error


def test_unreachable_server():
    app = HeadlessApp("helper_app", "--server", "http://127.0.0.1:1", "--user", "a@b.example")
    assert _first_error(app)["code"] == "sign_in_failed"


def test_unknown_development_user(shared_server):
    app = HeadlessApp("helper_app", "--server", shared_server.url, "--user", "ghost@x.example")
    error = _first_error(app)
    assert error["code"] == "sign_in_failed" and "ghost@x.example" in error["message"]


@pytest.mark.display
def test_a_monitor_that_does_not_exist(xvfb_display):
    app = HeadlessApp("sharer_app", "--server", "http://127.0.0.1:1", "--monitor", "7")
    error = _first_error(app)
    assert error["code"] == "no_screen" and "no monitor 7" in error["message"]


def test_no_display_at_all():
    app = HeadlessApp("sharer_app", "--server", "http://127.0.0.1:1", env={"DISPLAY": ""})
    assert _first_error(app)["code"] == "no_screen"


@pytest.mark.display
def test_a_wayland_session_is_refused_with_what_to_do(xvfb_display):
    """XWayland's DISPLAY would give a black picture of every Wayland window: say so first."""
    app = HeadlessApp(
        "sharer_app",
        "--server", "http://127.0.0.1:1",
        env={"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
    )  # fmt: skip
    error = _first_error(app)
    assert error["code"] == "no_screen"
    assert "Wayland" in error["message"] and "X11 session" in error["message"]


def test_the_wayland_check_needs_no_display_of_its_own():
    from client.media.monitors import wayland_problem

    assert wayland_problem({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"})
    assert wayland_problem({"WAYLAND_DISPLAY": "wayland-0"})
    assert wayland_problem({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}) is None
    assert wayland_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}) is None
