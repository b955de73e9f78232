"""A headless command line goes through the same first decoding step as every network frame."""

from __future__ import annotations

import pytest

from client.headless_io import MAX_COMMAND_BYTES, parse_command
from client.session.errors import ClientErrorCode, EngineError


def test_a_command_is_a_json_object_with_a_cmd():
    assert parse_command('{"cmd": "chat", "text": "hi"}') == {"cmd": "chat", "text": "hi"}


@pytest.mark.parametrize(
    "line",
    [
        "[" * 30_000,  # deeper than the JSON decoder goes: it used to escape as RecursionError
        "not json",
        "[1, 2]",
        '{"text": "no cmd"}',
        '{"cmd": "' + "x" * MAX_COMMAND_BYTES + '"}',
    ],
)
def test_a_bad_line_is_an_invalid_command_not_a_crash(line):
    with pytest.raises(EngineError) as refused:
        parse_command(line)
    assert refused.value.code is ClientErrorCode.INVALID_COMMAND
