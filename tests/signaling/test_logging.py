"""One structured logger: session id and role on every line of a connection, JSON on request."""

from __future__ import annotations

import json
import logging

from common.logging_setup import JsonFormatter, TextFormatter, bind_log_context
from common.protocol import Consent, End
from devtools.server import start_server
from tests.signaling.test_pairing import _pair


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("signaling.pairing.hub", logging.INFO, __file__, 1, message, (), None)


def test_fields_bound_in_a_task_appear_in_both_formats():
    bind_log_context(session="abc123", role="helper")
    try:
        line = json.loads(JsonFormatter().format(_record("code issued")))
        assert (line["msg"], line["session"], line["role"]) == ("code issued", "abc123", "helper")
        text = TextFormatter().format(_record("code issued"))
        assert "code issued" in text and "session=abc123" in text and "role=helper" in text
    finally:
        bind_log_context(session=None, role=None)
    assert "session" not in json.loads(JsonFormatter().format(_record("x")))


async def test_the_servers_json_lines_carry_session_and_role_and_no_secrets(
    tmp_path, dev_identity_file
):
    env = {"HELPLINE_LOG_FORMAT": "json", "HELPLINE_LOG_LEVEL": "INFO"}
    server = start_server(dev_identity_file, tmp_path / "data", env=env)
    try:
        helper, sharer, code = await _pair(server)
        await sharer.recv()
        await helper.recv()
        await sharer.send(Consent(level="view"))
        await helper.recv()
        await sharer.send(End())
        await helper.recv()
    finally:
        server.stop()
    text = server.log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    issued = [line for line in lines if line["msg"] == "code issued"]
    assert issued and issued[0]["role"] == "helper"
    assert issued[0]["session"] == code.session_id
    signed_in = {line["role"] for line in lines if line["msg"] == "signed in"}
    assert signed_in == {"helper", "sharer"}
    assert code.code not in text and code.code.replace("-", "") not in text
    assert "eyJ" not in text, "no JWT (header or claims) is ever logged"
