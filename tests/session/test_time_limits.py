"""The organisation's time limits, between the real headless apps and a real server set to
small values: each ends the session with its own reason on both sides and in the audit, and
the longest session warns both sides first. Tests wait on the events, never on the clock.
"""

from __future__ import annotations

import signal

import pytest

from devtools.server import DEV_DIRECTORY, start_server
from tests.audit_records import audit_record
from tests.session.headless_pair import pair

pytestmark = pytest.mark.display


@pytest.fixture
def limited_server(tmp_path, request):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data", env=request.param)
    yield server
    server.stop()


@pytest.mark.parametrize("limited_server", [{"HELPLINE_MAX_SESSION_MINUTES": "0.1"}], indirect=True)
def test_the_longest_session_warns_both_sides_then_ends(limited_server, private_display):
    helper, sharer = pair(limited_server, private_display, "--consent", "view")
    try:
        helper.wait_for("connected")
        for side in (helper, sharer):
            warning = side.wait_for("ending_soon")
            assert warning["seconds"] == 3  # half of a six-second session
            assert "time limit" in warning["message"]
        for side in (helper, sharer):
            assert side.wait_for("ended")["reason"] == "time_limit"
        assert helper.close() == 0 and sharer.close() == 0
    finally:
        helper.close()
        sharer.close()
    limited_server.stop()
    assert audit_record(limited_server.data_dir)["end_reason"] == "time_limit"


@pytest.mark.parametrize(
    "limited_server", [{"HELPLINE_CONSENT_TIMEOUT_SECONDS": "1"}], indirect=True
)
def test_a_consent_request_nobody_answers_ends(limited_server, private_display):
    helper, sharer = pair(limited_server, private_display)  # the sharer never answers
    try:
        sharer.wait_for("helper_identity")
        for side in (helper, sharer):
            assert side.wait_for("ended")["reason"] == "consent_timeout"
        assert not [e for e in sharer.events if e["event"] == "connected"]
    finally:
        helper.close()
        sharer.close()
    limited_server.stop()
    record = audit_record(limited_server.data_dir)
    assert (record["end_reason"], record["outcome"]) == ("consent_timeout", "cancelled")


@pytest.mark.parametrize(
    "limited_server", [{"HELPLINE_IDLE_TIMEOUT_MINUTES": "0.05"}], indirect=True
)
def test_a_session_where_nothing_happens_ends(limited_server, private_display):
    helper, sharer = pair(limited_server, private_display, "--consent", "view")
    try:
        helper.wait_for("connected")
        for side in (helper, sharer):
            assert side.wait_for("ended")["reason"] == "idle_timeout"
    finally:
        helper.close()
        sharer.close()
    limited_server.stop()
    assert audit_record(limited_server.data_dir)["end_reason"] == "idle_timeout"


@pytest.mark.parametrize(
    "limited_server", [{"HELPLINE_CONTROL_REQUEST_TIMEOUT_SECONDS": "1"}], indirect=True
)
def test_a_control_request_nobody_answers_lapses(limited_server, private_display):
    helper, sharer = pair(limited_server, private_display, "--consent", "view")
    try:
        helper.wait_for("connected")
        helper.send("request_control")
        sharer.wait_for("control_requested")
        sharer.wait_for("control_request_lapsed")
        helper.wait_for("control", granted=False)
        # Lapsed, not stuck: the helper may ask again, and the sharer is asked again.
        helper.send("request_control")
        sharer.wait_for("control_requested")
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()


def test_a_session_taken_back_after_a_restart_keeps_the_time_limit(tmp_path, private_display):
    """The restarted server has the limit: the resumed session ends by it."""
    data_dir = tmp_path / "server-data"
    server = start_server(DEV_DIRECTORY, data_dir)
    fast = {"HELPLINE_RECONNECT_MAX_SECONDS": "1"}
    helper, sharer = pair(server, private_display, "--consent", "view", env=fast)
    try:
        helper.wait_for("connected")
        sharer.wait_for("connected")
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        limit = {"HELPLINE_MAX_SESSION_MINUTES": "0.05"}
        server = start_server(DEV_DIRECTORY, data_dir, env=limit, port=server.port)
        for side in (helper, sharer):
            assert side.wait_for("server_back")["resumed"] is True
        for side in (helper, sharer):
            assert side.wait_for("ended")["reason"] == "time_limit"
    finally:
        helper.close()
        sharer.close()
        server.stop()
