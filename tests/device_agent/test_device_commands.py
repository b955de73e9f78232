"""The device commands' own checks: usage errors, an unenrolled agent, an unreachable server.
One line on standard error each, with the documented status, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.device_agent.conftest import run_app

UNREACHABLE = "http://127.0.0.1:9"


def test_a_rename_without_a_name_is_a_usage_error() -> None:
    done = run_app("helper_app", "action", "PC-1", "rename", "--server", UNREACHABLE, "--json")
    assert done.status == 2 and "rename needs new_name" in done.err
    assert "Traceback" not in done.err


def test_an_unknown_action_is_a_usage_error() -> None:
    done = run_app("helper_app", "action", "PC-1", "explode", "--server", UNREACHABLE)
    assert done.status == 2 and "invalid choice: 'explode'" in done.err


def test_an_option_for_another_action_is_a_usage_error() -> None:
    done = run_app("helper_app", "action", "PC-1", "lock", "--keep-user-data")
    assert done.status == 2 and "lock takes no keep_user_data" in done.err


def test_the_agent_of_an_unenrolled_device_says_so(tmp_path: Path) -> None:
    done = run_app("sharer_app", "agent", "--data-dir", str(tmp_path / "none"))
    assert done.status == 1
    assert (
        done.err
        == f"helpline-sharer agent: this device is not enrolled (nothing in {tmp_path / 'none'})\n"
    )


def test_an_unreachable_server_is_one_line() -> None:
    done = run_app(
        "helper_app", "devices", "--server", UNREACHABLE, "--user", "a@b.example", "--json"
    )
    assert done.status == 1 and done.out == ""
    assert done.err.count("\n") == 1 and "cannot reach the server" in done.err


def test_every_device_command_answers_version() -> None:
    for module, command in (("helper_app", "devices"), ("sharer_app", "enroll")):
        done = run_app(module, command, "--version")
        assert done.status == 0 and done.out.startswith("helpline-")
