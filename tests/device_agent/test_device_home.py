"""The device's key, its diagnostics and retiring it, in a temporary home."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from client.devices.countdown import RestartCountdown
from client.devices.diagnostics import collect
from client.devices.home import DeviceHome
from client.devices.keys import DeviceKeyError, create_key, load_key
from client.devices.retire import retire
from common.devices.signing import public_key_text


def test_the_key_is_private_to_the_device(tmp_path: Path) -> None:
    home = DeviceHome(tmp_path / "device")
    key = create_key(home.key_file)
    assert stat.S_IMODE(home.key_file.stat().st_mode) == 0o600
    assert public_key_text(load_key(home.key_file)) == public_key_text(key)


def test_a_missing_or_foreign_key_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DeviceKeyError, match="not enrolled"):
        load_key(tmp_path / "none.pem")
    (tmp_path / "junk.pem").write_text("hello")
    with pytest.raises(DeviceKeyError, match="not a device key"):
        load_key(tmp_path / "junk.pem")


def _populated_home(tmp_path: Path) -> tuple[DeviceHome, list[Path]]:
    """A home folder with the person's own files and a device folder with managed data."""
    personal_dir = tmp_path / "home" / "Documents"
    personal_dir.mkdir(parents=True)
    personal = [personal_dir / "thesis.odt", tmp_path / "home" / ".bashrc"]
    for path in personal:
        path.write_text("SECRET-PERSONAL-CONTENT")
    home = DeviceHome(tmp_path / "home" / ".local" / "share" / "helpline" / "device")
    create_key(home.key_file)
    home.enrolment_file.write_text(json.dumps({"device_id": "d1"}))
    home.managed_dir.mkdir()
    (home.managed_dir / "report.json").write_text("{}")
    home.logs_dir.mkdir()
    (home.logs_dir / "agent.log").write_text("agent started\nchecked in\n")
    home.journal_file.write_text("")
    # Not Helpline's: the person's file that happens to sit in the folder stays.
    personal.append(home.root / "notes.txt")
    personal[-1].write_text("SECRET-PERSONAL-CONTENT")
    return home, personal


def test_retire_removes_managed_data_and_key_and_keeps_personal_files(tmp_path: Path) -> None:
    home, personal = _populated_home(tmp_path)
    removed = retire(home)
    assert set(removed) == {"device-key.pem", "enrolment.json", "actions.jsonl", "managed", "logs"}
    for path in home.managed_paths():
        assert not path.exists()
    for path in personal:
        assert path.read_text() == "SECRET-PERSONAL-CONTENT"


def test_retire_leaves_no_empty_device_folder(tmp_path: Path) -> None:
    home = DeviceHome(tmp_path / "device")
    create_key(home.key_file)
    retire(home)
    assert not home.root.exists() and tmp_path.exists()


def test_diagnostics_describe_the_machine_and_nothing_personal(tmp_path: Path) -> None:
    home, _ = _populated_home(tmp_path)
    report = collect(home)
    sections = report.sections
    assert sections["os"]["system"] and sections["hardware"]["cpus"] >= 1  # type: ignore[index]
    assert any(disk["mount"] == "/" for disk in sections["disks"])  # type: ignore[attr-defined]
    assert sections["network"]["interfaces"] and sections["uptime_seconds"] > 0  # type: ignore
    assert sections["helpline"]["version"]  # type: ignore[index]
    assert sections["helpline_logs"] == {"agent.log": ["agent started", "checked in"]}
    assert "SECRET-PERSONAL-CONTENT" not in report.model_dump_json()


async def test_the_restart_may_be_postponed_once() -> None:
    countdown = RestartCountdown(seconds=3600, postpone_by=600)
    due = countdown.restart_at
    assert countdown.postpone() is True
    assert countdown.restart_at == due + 600
    assert countdown.postpone() is False
    assert countdown.restart_at == due + 600


async def test_an_elapsed_countdown_returns() -> None:
    countdown = RestartCountdown(seconds=0, postpone_by=600)
    await asyncio.wait_for(countdown.wait(), 30)
    assert countdown.remaining == 0
