"""Headless commands: every line is read into its model from the app's catalogue, in one place;
a line that is no command, an unknown command or a field of the wrong type is one ``error``
event, and the app goes on (the process tests at the end run the real apps)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from client import commands as c
from client.commands import MAX_COMMAND_BYTES
from client.headless_io import check_coverage
from client.session.errors import ClientErrorCode, EngineError
from common.input_events import Key, MouseButton, MouseMove
from common.permissions import ConsentChoice
from devtools.headless import HeadlessApp

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"

# CONTRACT.md's commands with the fields it names, as scripts send them.
CONTRACT_HELPER = [
    {"cmd": "mouse_move", "x": 0.5, "y": 0.25},
    {"cmd": "mouse_button", "button": "left", "down": True},
    {"cmd": "click", "button": "right"},
    {"cmd": "scroll", "dx": 0, "dy": -3},
    {"cmd": "key", "key": "enter", "down": False},
    {"cmd": "type", "text": "hello"},
    {"cmd": "request_control"},
    {"cmd": "chat", "text": "hi"},
    {"cmd": "clipboard", "text": "copied"},
    {"cmd": "switch_monitor", "index": 2},
    {"cmd": "end"},
]
CONTRACT_SHARER = [
    {"cmd": "consent", "level": "view"},
    {"cmd": "consent", "level": "control", "allow": ["clipboard"], "monitors": "all"},
    {"cmd": "consent", "level": "decline", "monitors": [1, 2]},
    {"cmd": "grant_control"},
    {"cmd": "revoke_control"},
    {"cmd": "chat", "text": "hi"},
    {"cmd": "clipboard", "text": "copied"},
    {"cmd": "end"},
]


@pytest.mark.parametrize("data", CONTRACT_HELPER, ids=lambda d: d["cmd"])
def test_every_helper_command_of_the_contract_is_taken(data):
    assert isinstance(c.HELPER.parse(json.dumps(data)), c.Command)


@pytest.mark.parametrize("data", CONTRACT_SHARER, ids=lambda d: d["cmd"])
def test_every_sharer_command_of_the_contract_is_taken(data):
    assert isinstance(c.SHARER.parse(json.dumps(data)), c.Command)


def test_a_command_comes_out_as_its_model_with_typed_fields():
    assert c.HELPER.parse('{"cmd": "chat", "text": "hi"}') == c.SendChat(text="hi")
    assert c.SHARER.parse('{"cmd": "consent", "level": "view"}') == c.GiveConsent(
        level=ConsentChoice.VIEW
    )
    moved = c.HELPER.parse('{"cmd": "mouse_move", "x": 0.5, "y": 0.25}')
    assert moved == c.SendInput(event=MouseMove(x=0.5, y=0.25))
    key = c.HELPER.parse('{"cmd": "key", "key": "ENTER", "down": true}')
    assert key == c.SendInput(event=Key(key="enter", down=True))
    assert c.HELPER.parse('{"cmd": "snapshot"}') == c.SaveSnapshot(path="helper-snapshot.png")
    assert c.AGENT.parse('{"cmd": "postpone"}') == c.PostponeRestart()
    clicked = c.HELPER.parse('{"cmd": "click"}')
    assert isinstance(clicked, c.SendInput) and clicked.event.button is MouseButton.LEFT


@pytest.mark.parametrize(
    "line",
    [
        "[" * 30_000,  # deeper than the JSON decoder goes: it used to escape as RecursionError
        "not json",
        "[1, 2]",
        '{"text": "no cmd"}',
        '{"cmd": 7}',
        '{"cmd": "' + "x" * MAX_COMMAND_BYTES + '"}',
    ],
)
def test_a_line_that_is_no_command_is_an_invalid_command(line):
    with pytest.raises(EngineError) as refused:
        c.HELPER.parse(line)
    assert refused.value.code is ClientErrorCode.INVALID_COMMAND


@pytest.mark.parametrize(
    ("catalogue", "line"),
    [
        (c.HELPER, '{"cmd": "warp_drive"}'),
        (c.HELPER, '{"cmd": "consent", "level": "view"}'),  # the sharer's, not the helper's
        (c.SHARER, '{"cmd": "mouse_move", "x": 0.5, "y": 0.5}'),  # the helper's
        (c.AGENT, '{"cmd": "chat", "text": "hi"}'),
    ],
)
def test_a_command_the_app_does_not_take_is_unknown(catalogue, line):
    with pytest.raises(EngineError) as refused:
        catalogue.parse(line)
    assert refused.value.code is ClientErrorCode.UNKNOWN_COMMAND


@pytest.mark.parametrize(
    ("catalogue", "line", "named"),
    [
        (c.HELPER, '{"cmd": "chat", "text": 5}', "text"),
        (c.HELPER, '{"cmd": "chat"}', "text"),
        (c.HELPER, '{"cmd": "switch_monitor", "index": "two"}', "index"),
        (c.HELPER, '{"cmd": "switch_monitor", "index": true}', "index"),
        (c.HELPER, '{"cmd": "end", "reason": "bored"}', "reason"),
        (c.SHARER, '{"cmd": "consent", "level": "maybe"}', "level"),
        (c.SHARER, '{"cmd": "consent", "level": "view", "allow": "clipboard"}', "allow"),
        (c.SHARER, '{"cmd": "monitors", "monitors": "some"}', "monitors"),
        (c.SHARER, '{"cmd": "code", "code": 12345678}', "code"),
    ],
)
def test_a_field_of_the_wrong_type_is_an_invalid_command_that_names_it(catalogue, line, named):
    with pytest.raises(EngineError) as refused:
        catalogue.parse(line)
    assert refused.value.code is ClientErrorCode.INVALID_COMMAND
    assert named in refused.value.message


def test_bad_input_fields_are_invalid_input_as_on_the_data_channel():
    with pytest.raises(EngineError) as refused:
        c.HELPER.parse('{"cmd": "mouse_move", "x": 2, "y": 0.5}')
    assert refused.value.code is ClientErrorCode.INVALID_INPUT


def test_each_app_handles_exactly_the_commands_of_its_catalogue():
    from helper_app.headless import handlers_for as helper_handlers
    from sharer_app.headless import handlers_for as sharer_handlers

    # The tables only close over the engine; none is called here.
    check_coverage(c.HELPER, helper_handlers(cast(Any, None)))
    check_coverage(c.SHARER, sharer_handlers(cast(Any, None)))
    with pytest.raises(ValueError, match="SendChat"):
        check_coverage(c.SHARER, {c.EndSession: helper_handlers(cast(Any, None))[c.EndSession]})


# ---- the real apps -------------------------------------------------------------------


def _no_traceback(app: HeadlessApp) -> None:
    stderr = "".join(app.stderr)
    assert "Traceback" not in stderr, stderr


def _refused(app: HeadlessApp, line: str) -> dict[str, Any]:
    app.send_raw(line)
    return app.wait_for("error")


def test_the_helper_app_answers_bad_commands_with_errors_and_goes_on(signaling_server):
    helper = HeadlessApp("helper_app", "--server", signaling_server.url, "--user", HELPER)
    first = helper.wait_for("code")["code"]
    assert _refused(helper, "{not json")["code"] == "invalid_command"
    assert _refused(helper, '{"cmd": "warp_drive"}')["code"] == "unknown_command"
    wrong = _refused(helper, '{"cmd": "switch_monitor", "index": "two"}')
    assert wrong["code"] == "invalid_command" and "index" in wrong["message"]
    assert _refused(helper, '{"cmd": "chat", "text": ["hi"]}')["code"] == "invalid_command"
    helper.send("new_code")  # still obeying: a fresh code comes
    assert helper.wait_for("code")["code"] != first
    helper.close()
    _no_traceback(helper)


def test_the_sharer_app_answers_bad_commands_with_errors_and_goes_on(
    signaling_server, xvfb_display
):
    sharer = HeadlessApp("sharer_app", "--server", signaling_server.url, "--user", SHARER)
    sharer.wait_for("signed_in")
    assert _refused(sharer, "[1, 2]")["code"] == "invalid_command"
    assert _refused(sharer, '{"cmd": "request_control"}')["code"] == "unknown_command"
    wrong = _refused(sharer, '{"cmd": "consent", "level": "maybe"}')
    assert wrong["code"] == "invalid_command" and "level" in wrong["message"]
    assert _refused(sharer, '{"cmd": "code", "code": 12345678}')["code"] == "invalid_command"
    sharer.send("code", code="ABCD-EFGH")  # still obeying: the server checks this one
    assert sharer.wait_for("error")["code"] == "invalid_code"
    sharer.close()
    _no_traceback(sharer)
