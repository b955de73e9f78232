"""The headless apps' exit statuses, as the README and --help document them, from real runs
against a real server: scripts tell "it happened", "someone said no" and "it broke" apart."""

from __future__ import annotations

import pytest

from client.session.outcome import ExitStatus
from tests.headless_driver import HeadlessApp

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"
NOBODY_HELPER = "dana@contoso.example"  # an auditor: her role helps nobody
OUT_OF_SCOPE_SHARER = "carol@contoso.example"  # in hr, outside alice's scope


def _helper(server, user: str = HELPER) -> HeadlessApp:
    return HeadlessApp("helper_app", "--server", server.url, "--user", user)


def _sharer(server, *args: str, user: str = SHARER) -> HeadlessApp:
    return HeadlessApp("sharer_app", "--server", server.url, "--user", user, *args)


def _exits_by_itself(app: HeadlessApp) -> int:
    """The status of an app that stopped on its own, standard input still open."""
    return app.proc.wait(timeout=30)


def _no_trouble(app: HeadlessApp) -> None:
    stderr = "".join(app.stderr)
    assert "Traceback" not in stderr and "IllegalTransition" not in stderr, stderr


def test_a_helper_whose_role_helps_nobody_is_refused_and_stops(signaling_server):
    helper = _helper(signaling_server, NOBODY_HELPER)
    assert helper.wait_for("error")["code"] == "forbidden"
    assert _exits_by_itself(helper) == ExitStatus.REFUSED
    _no_trouble(helper)


def test_a_wrong_code_on_the_command_line_is_refused_and_stops(signaling_server, xvfb_display):
    sharer = _sharer(signaling_server, "--code", "ABCD-EFGH")
    assert sharer.wait_for("error")["code"] == "invalid_code"
    assert _exits_by_itself(sharer) == ExitStatus.REFUSED
    _no_trouble(sharer)


def test_a_wrong_code_typed_in_may_be_retried_and_closing_says_refused(
    signaling_server, xvfb_display
):
    sharer = _sharer(signaling_server)
    sharer.wait_for("signed_in")
    sharer.send("code", code="ABCD-EFGH")
    assert sharer.wait_for("error")["code"] == "invalid_code"
    sharer.send("chat", text="still running")  # no session, but the app is still listening
    assert sharer.wait_for("error")["code"] == "not_connected"
    assert sharer.close() == ExitStatus.REFUSED


def test_out_of_scope_refuses_both_sides(signaling_server, xvfb_display):
    helper = _helper(signaling_server)
    code = helper.wait_for("code")["code"]
    sharer = _sharer(signaling_server, "--code", code, user=OUT_OF_SCOPE_SHARER)
    assert sharer.wait_for("error")["code"] == "out_of_scope"
    assert _exits_by_itself(sharer) == ExitStatus.REFUSED
    assert helper.wait_for("error")["code"] == "out_of_scope"
    assert helper.close() == ExitStatus.REFUSED


def test_declining_is_a_refusal_on_both_sides(signaling_server, xvfb_display):
    helper = _helper(signaling_server)
    code = helper.wait_for("code")["code"]
    sharer = _sharer(signaling_server, "--code", code, "--consent", "decline")
    assert helper.wait_for("ended")["reason"] == "declined"
    assert _exits_by_itself(helper) == ExitStatus.REFUSED
    assert sharer.close() == ExitStatus.REFUSED


def test_a_session_that_ran_and_ended_exits_zero_on_both_sides(signaling_server, xvfb_display):
    helper = _helper(signaling_server)
    code = helper.wait_for("code")["code"]
    sharer = _sharer(signaling_server, "--code", code, "--consent", "view")
    helper.wait_for("connected")
    sharer.wait_for("connected")
    helper.send("end")
    assert sharer.wait_for("ended")["reason"] == "helper_ended"
    assert _exits_by_itself(helper) == ExitStatus.ENDED
    assert _exits_by_itself(sharer) == ExitStatus.ENDED
    _no_trouble(helper)
    _no_trouble(sharer)


@pytest.mark.parametrize("when", ["at_once", "after_the_code"])
def test_closing_a_helper_before_any_session_sends_no_end(signaling_server, when):
    """No wrong_state for the user, no traceback on the server, no illegal transition."""
    helper = _helper(signaling_server)
    if when == "after_the_code":
        helper.wait_for("code")
    assert helper.close() == ExitStatus.ENDED
    events = helper.events_after_exit()
    assert not [e for e in events if e.get("event") == "error"], events
    _no_trouble(helper)
    assert "Traceback" not in signaling_server.log_path.read_text()


def test_closing_a_sharer_before_any_session_sends_no_end(signaling_server, xvfb_display):
    sharer = _sharer(signaling_server)
    sharer.wait_for("signed_in")
    assert sharer.close() == ExitStatus.ENDED
    assert not [e for e in sharer.events_after_exit() if e.get("event") == "error"]
    _no_trouble(sharer)
    assert "Traceback" not in signaling_server.log_path.read_text()


def test_no_screen_to_share_is_a_failure_not_a_usage_error():
    sharer = HeadlessApp("sharer_app", "--server", "http://127.0.0.1:1", env={"DISPLAY": ""})
    assert sharer.wait_for("error")["code"] == "no_screen"
    assert sharer.close() == ExitStatus.FAILED


def test_an_unreachable_server_is_a_failure():
    helper = HeadlessApp("helper_app", "--server", "http://127.0.0.1:1", "--user", HELPER)
    assert helper.wait_for("error")["code"] == "sign_in_failed"
    assert helper.close() == ExitStatus.FAILED


def test_a_bad_setting_is_a_usage_error():
    helper = HeadlessApp("helper_app", "--server", "ftp://127.0.0.1:8765")
    assert helper.close() == ExitStatus.USAGE
    assert "http:// or https://" in "".join(helper.stderr)
