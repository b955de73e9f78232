"""What each action does on this machine, with the Linux adapter in dry-run mode."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from client.devices.home import DeviceHome
from client.devices.journal import ActionJournal
from client.devices.keys import create_key
from client.devices.platforms.linux import LinuxAdapter
from client.devices.runner import ActionRunner
from client.session.events import EngineEvent
from common.devices.actions import ActionKind, ActionParameters, ActionRecord, ActionState


def _record(kind: ActionKind, **params: object) -> ActionRecord:
    return ActionRecord(
        id=f"a-{kind.value}",
        device="d1",
        action=kind,
        state=ActionState.DELIVERED,
        parameters=ActionParameters.model_validate(params),
        requested_by="alice@contoso.example",
        requested_at=datetime.now(UTC),
    )


def _runner(tmp_path: Path, events: list[EngineEvent], *, dry_run: bool = True) -> ActionRunner:
    return ActionRunner(
        DeviceHome(tmp_path / "device"),
        LinuxAdapter(),
        dry_run=dry_run,
        postpone_seconds=600,
        emit=events.append,
    )


async def _no_progress(line: str) -> None:
    pass


async def test_dry_run_records_the_exact_linux_commands(tmp_path: Path) -> None:
    runner = _runner(tmp_path, [])
    expected = {
        ActionKind.LOCK: ({}, "loginctl lock-sessions"),
        ActionKind.RENAME: ({"new_name": "FIN-7"}, "hostnamectl set-hostname FIN-7"),
        ActionKind.RESTART: ({"countdown_seconds": 0}, "systemctl reboot"),
    }
    for kind, (params, command) in expected.items():
        outcome = await runner.run(_record(kind, **params), _no_progress)
        assert (outcome.state, outcome.platform_command) == (ActionState.SUCCEEDED, command)
        assert "dry run" in outcome.result


async def test_what_linux_cannot_do_fails_with_the_reason(tmp_path: Path) -> None:
    runner = _runner(tmp_path, [])
    wipe = await runner.run(_record(ActionKind.WIPE, keep_user_data=True), _no_progress)
    assert wipe.state is ActionState.FAILED and "no factory reset" in wipe.result
    fresh = await runner.run(_record(ActionKind.FRESH_START, keep_user_data=False), _no_progress)
    assert fresh.state is ActionState.FAILED and "Windows feature" in fresh.result


async def test_a_failing_command_fails_the_action_with_its_output(tmp_path: Path) -> None:
    runner = _runner(tmp_path, [], dry_run=False)
    runner.adapter.lock = lambda: [["sh", "-c", "echo no session to lock >&2; exit 3"]]  # type: ignore[method-assign]
    outcome = await runner.run(_record(ActionKind.LOCK), _no_progress)
    assert outcome.state is ActionState.FAILED
    assert outcome.result == "sh exited with status 3: no session to lock"
    runner.adapter.lock = lambda: [["no-such-command-here"]]  # type: ignore[method-assign]
    missing = await runner.run(_record(ActionKind.LOCK), _no_progress)
    assert (
        missing.state is ActionState.FAILED and "cannot run no-such-command-here" in missing.result
    )


async def test_the_restart_countdown_is_shown_and_reported(tmp_path: Path) -> None:
    events: list[EngineEvent] = []
    progress: list[str] = []

    async def record_progress(line: str) -> None:
        progress.append(line)

    outcome = await _runner(tmp_path, events).run(
        _record(ActionKind.RESTART, countdown_seconds=0), record_progress
    )
    assert outcome.state is ActionState.SUCCEEDED
    assert [e.to_json_dict() for e in events] == [
        {"event": "restart_countdown", "id": "a-restart", "seconds": 0, "can_postpone": True}
    ]
    assert progress == ["restart in 0 s"]


async def test_retire_removes_the_key_and_says_what_went(tmp_path: Path) -> None:
    runner = _runner(tmp_path, [])
    create_key(runner.home.key_file)
    outcome = await runner.run(_record(ActionKind.RETIRE), _no_progress)
    assert outcome.retired and outcome.state is ActionState.SUCCEEDED
    assert outcome.removed == ["device-key.pem"] and not runner.home.key_file.exists()


def test_the_journal_claims_an_action_once(tmp_path: Path) -> None:
    journal = ActionJournal(DeviceHome(tmp_path))
    assert journal.begin("a1", "lock", "alice@contoso.example") is True
    assert journal.begin("a1", "lock", "alice@contoso.example") is False
    journal.finish("a1", "succeeded", {"result": "done"})
    [entry] = ActionJournal(DeviceHome(tmp_path)).entries()
    assert (entry.id, entry.state, entry.result) == ("a1", "succeeded", {"result": "done"})
    assert entry.started_at and entry.finished_at
