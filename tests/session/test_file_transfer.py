"""File transfer between the real headless apps, a real server and real WebRTC: both ways
with their SHA-256, declined, cancelled, revoked mid-transfer, cut by the end of the session,
too large, without the permission (a rogue helper's raw messages refused by the sharer's
gate), and hostile names from a rogue helper; and the audit rows, which hold names and sizes
but never content.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path

import pytest

from common.peer_messages import FileAccept, FileDone
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, start_server
from tests.audit_records import audit_record
from tests.rogue_helper import RogueHelper
from tests.session.headless_pair import HELPER, SHARER, pair

pytestmark = pytest.mark.display

MB = 1024 * 1024
# Bytes nobody would write by chance: they must reach the other side and no log or database.
MARKER = b"file-content-5e1f0c77-never-in-the-audit"
# Big enough that a transfer is still running when the test acts on it (loopback moves a
# MB or two a second through aiortc's SCTP; see docs/benchmarks.md).
LONG = 64 * MB


def _file(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.write(MARKER)
        left = size - len(MARKER)
        while left > 0:
            block = os.urandom(min(left, 4 * MB))
            out.write(block)
            left -= len(block)
    return path


@pytest.fixture
def big(tmp_path):
    """A file that takes a while to cross, removed afterwards (it is large)."""
    path = _file(tmp_path / "big.bin", LONG)
    yield path
    path.unlink()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _connected(helper: HeadlessApp, sharer: HeadlessApp) -> None:
    helper.wait_for("connected")
    sharer.wait_for("connected")


def _send(sender: HeadlessApp, receiver: HeadlessApp, path: Path, folder: Path) -> str:
    """Offer ``path``, accept it into ``folder``; the transfer's id."""
    sender.send("send_file", path=str(path))
    offered = receiver.wait_for("file_offered")
    assert offered["size"] == path.stat().st_size
    assert offered["sha256"] == _sha256(path)
    assert sender.wait_for("file_sending")["id"] == offered["id"]
    receiver.send("accept_file", id=offered["id"], dir=str(folder))
    return str(offered["id"])


def _nothing_left(folder: Path) -> None:
    assert list(folder.iterdir()) == [], "no partial file, no file under the final name"


def test_files_go_both_ways_checked_and_audited_without_content(tmp_path, private_display):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(server, private_display, "--consent", "view", "--allow", "files")
    to_sharer, to_helper = tmp_path / "sharer-downloads", tmp_path / "helper-downloads"
    to_sharer.mkdir()
    to_helper.mkdir()
    log_file = _file(tmp_path / "helpline.log", 3 * MB + 17)
    report = _file(tmp_path / "diagnostics.zip", 2 * MB + 5)
    (to_sharer / "helpline.log").write_bytes(b"the sharer's own file, never replaced")
    try:
        assert sharer.wait_for("helper_identity")["choices"] == ["clipboard", "elevate", "files"]
        assert helper.wait_for("consent")["allow"] == ["files"]
        _connected(helper, sharer)

        transfer = _send(helper, sharer, log_file, to_sharer)
        received = sharer.wait_for("file_received", id=transfer)
        helper.wait_for("file_sent", id=transfer)
        # Taken: the file already there stays as it was, the new one gets a name of its own.
        assert received["path"] == str(to_sharer / "helpline (2).log")
        assert Path(received["path"]).read_bytes() == log_file.read_bytes()
        assert received["sha256"] == _sha256(log_file)
        assert (to_sharer / "helpline.log").read_bytes() == b"the sharer's own file, never replaced"
        last = [e for e in sharer.events if e["event"] == "file_progress" and e["id"] == transfer]
        assert last and last[-1]["bytes"] == log_file.stat().st_size

        transfer = _send(sharer, helper, report, to_helper)
        received = helper.wait_for("file_received", id=transfer)
        sharer.wait_for("file_sent", id=transfer)
        assert Path(received["path"]).read_bytes() == report.read_bytes()
        assert sorted(p.name for p in to_helper.iterdir()) == ["diagnostics.zip"]

        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.close() == 0 and sharer.close() == 0
    finally:
        helper.close()
        sharer.close()
        server.stop()
    record = audit_record(server.data_dir)
    assert "files" in record["features_used"]
    assert [(f["name"], f["size"], f["sha256"], f["direction"], f["outcome"])
            for f in record["files"]] == [
        ("helpline.log", log_file.stat().st_size, _sha256(log_file), "to_sharer", "completed"),
        ("diagnostics.zip", report.stat().st_size, _sha256(report), "to_helper", "completed"),
    ]  # fmt: skip
    for path in (tmp_path / "server-data").rglob("*"):
        if path.is_file():
            assert MARKER not in path.read_bytes(), path
    for app in (helper, sharer):
        assert MARKER.decode() not in "".join(app.stderr)


def test_a_declined_or_cancelled_file_leaves_nothing(tmp_path, private_display, big):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(server, private_display, "--consent", "view", "--allow", "files")
    folder = tmp_path / "downloads"
    folder.mkdir()
    try:
        _connected(helper, sharer)
        helper.send("send_file", path=str(big))
        offered = sharer.wait_for("file_offered")
        assert helper.wait_for("file_sending")["id"] == offered["id"]
        sharer.send("decline_file", id=offered["id"])
        assert helper.wait_for("file_failed", id=offered["id"])["reason"] == "declined"
        sharer.wait_for("file_failed", id=offered["id"], reason="declined")

        transfer = _send(helper, sharer, big, folder)
        sharer.wait_for("file_progress", id=transfer)
        helper.send("cancel_file", id=transfer)
        assert sharer.wait_for("file_failed", id=transfer)["reason"] == "cancelled"
        helper.wait_for("file_failed", id=transfer, reason="cancelled")
        _nothing_left(folder)
        sharer.send("accept_file", id=transfer, dir=str(folder))
        assert sharer.wait_for("error")["code"] == "wrong_state"
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
        server.stop()
    outcomes = [f["outcome"] for f in audit_record(server.data_dir)["files"]]
    assert outcomes == ["declined", "failed"]


def test_revoking_files_mid_transfer_stops_it_on_both_sides(tmp_path, private_display, big):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(server, private_display, "--consent", "view", "--allow", "files")
    folder = tmp_path / "downloads"
    folder.mkdir()
    try:
        _connected(helper, sharer)
        transfer = _send(helper, sharer, big, folder)
        sharer.wait_for("file_progress", id=transfer)
        sharer.send("allow", allow=[])
        assert sharer.wait_for("file_failed", id=transfer)["reason"] == "revoked"
        assert helper.wait_for("file_failed", id=transfer)["reason"] == "revoked"
        _nothing_left(folder)
        helper.wait_for("allowed", allow=[])
        helper.send("send_file", path=str(big))
        assert helper.wait_for("error")["code"] == "forbidden"
        # The session goes on without files.
        helper.send("chat", text="files are off now")
        assert sharer.wait_for("chat")["text"] == "files are off now"
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
        server.stop()
    [record] = audit_record(server.data_dir)["files"]
    assert (record["name"], record["outcome"]) == ("big.bin", "failed")


def test_the_end_of_the_session_removes_the_partial_file(tmp_path, private_display, big):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(server, private_display, "--consent", "view", "--allow", "files")
    folder = tmp_path / "downloads"
    folder.mkdir()
    try:
        _connected(helper, sharer)
        transfer = _send(sharer, helper, big, folder)
        helper.wait_for("file_progress", id=transfer)
        sharer.send("end")
        assert sharer.wait_for("file_failed", id=transfer)["reason"] == "session_ended"
        helper.wait_for("ended")
        assert helper.close() == 0
        _nothing_left(folder)
    finally:
        helper.close()
        sharer.close()
        server.stop()


def test_files_larger_than_the_limit_are_refused_by_either_side(tmp_path, private_display):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(
        server, private_display, "--consent", "view", "--allow", "files",
        sharer_env={"HELPLINE_MAX_FILE_MB": "1"},
    )  # fmt: skip
    folder = tmp_path / "downloads"
    folder.mkdir()
    two = _file(tmp_path / "two.bin", 2 * MB)
    try:
        _connected(helper, sharer)
        # The receiver's limit: refused before any byte, and the sender is told why.
        helper.send("send_file", path=str(two))
        transfer = helper.wait_for("file_sending")["id"]
        assert helper.wait_for("file_failed", id=transfer)["reason"] == "too_large"
        sharer.wait_for("file_failed", id=transfer, reason="too_large")
        assert not [e for e in sharer.events if e["event"] == "file_offered"]
        # The sender's own limit: not even offered.
        sharer.send("send_file", path=str(two))
        error = sharer.wait_for("error")
        assert error["code"] == "invalid" and "1 MB" in error["message"]
        helper.send("send_file", path=str(tmp_path / "missing.bin"))
        assert helper.wait_for("error")["code"] == "invalid"
        helper.send("end")
        sharer.wait_for("ended")
        _nothing_left(folder)
    finally:
        helper.close()
        sharer.close()
        server.stop()


def test_the_files_of_a_session_together_stay_within_the_session_limit(tmp_path, private_display):
    """The limit counts what either side accepted this session, both ways: a file that would
    go over it is refused by the receiver before any byte, and the sender's own side does not
    even offer one."""
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(
        server, private_display, "--consent", "view", "--allow", "files",
        sharer_env={"HELPLINE_MAX_SESSION_FILES_MB": "3"},
    )  # fmt: skip
    folder = tmp_path / "downloads"
    folder.mkdir()
    first, second = _file(tmp_path / "first.bin", 2 * MB), _file(tmp_path / "second.bin", 2 * MB)
    try:
        _connected(helper, sharer)
        transfer = _send(helper, sharer, first, folder)
        sharer.wait_for("file_received", id=transfer)
        helper.wait_for("file_sent", id=transfer)
        # 2 MB taken, 1 MB left: the next 2 MB are refused by the sharer, the receiver here.
        helper.send("send_file", path=str(second))
        transfer = helper.wait_for("file_sending")["id"]
        assert helper.wait_for("file_failed", id=transfer)["reason"] == "too_large"
        assert not [
            e for e in sharer.events if e["event"] == "file_offered" and e["id"] == transfer
        ]
        # The other way counts too: the sharer, the sender now, does not offer it.
        sharer.send("send_file", path=str(second))
        error = sharer.wait_for("error")
        assert error["code"] == "invalid" and "3 MB" in error["message"], error
        assert sorted(p.name for p in folder.iterdir()) == ["first.bin"]
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
        server.stop()
    outcomes = [(f["name"], f["outcome"]) for f in audit_record(server.data_dir)["files"]]
    assert outcomes == [("first.bin", "completed"), ("second.bin", "failed")], outcomes


def test_without_files_allowed_neither_side_sends(tmp_path, private_display):
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    helper, sharer = pair(server, private_display, "--consent", "view", "--allow", "clipboard")
    small = _file(tmp_path / "small.txt", 1000)
    try:
        _connected(helper, sharer)
        helper.send("send_file", path=str(small))
        assert helper.wait_for("error")["code"] == "forbidden"
        sharer.send("send_file", path=str(small))
        assert sharer.wait_for("error")["code"] == "forbidden"
        helper.send("end")
        sharer.wait_for("ended")
    finally:
        helper.close()
        sharer.close()
        server.stop()


def _sharer(server, code: str, display: str, *args: str) -> HeadlessApp:
    return HeadlessApp(
        "sharer_app", "--server", server.url, "--user", SHARER, "--code", code,
        "--consent", "view", *args, env={"DISPLAY": display},
    )  # fmt: skip


def _offer(rogue: RogueHelper, transfer_id: str, name: str, content: bytes) -> None:
    rogue.control.send(
        json.dumps(
            {
                "type": "file_offer",
                "id": transfer_id,
                "name": name,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    )


async def test_the_sharers_gate_refuses_raw_file_messages_without_the_permission(
    tmp_path, private_display
):
    """The role grants files; the sharer did not tick it. A rogue helper offers anyway and
    pushes raw chunks down the files channel: nothing is offered, nothing written."""
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    rogue = RogueHelper(server.url, server.ws_url, upn=HELPER)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(server, code, private_display)
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        transfer_id = "00112233aabbccdd"
        _offer(rogue, transfer_id, "payload.exe", MARKER)
        rogue.control.send(json.dumps({"type": "file_done", "id": transfer_id}))
        rogue.files.send(bytes.fromhex(transfer_id) + MARKER)
        refused = await asyncio.to_thread(
            sharer.wait_until,
            lambda events: sum(e["count"] for e in events if e["event"] == "feature_refused") == 3,
        )
        assert {e["feature"] for e in refused if e["event"] == "feature_refused"} == {"files"}
        assert not [e for e in sharer.events if e["event"].startswith("file_")]
        sharer.send("end")
        await asyncio.to_thread(sharer.wait_for, "ended")
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()
    server.stop()
    record = audit_record(server.data_dir)
    assert record["features_refused"] == ["files"] and record["files"] == []
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert MARKER not in path.read_bytes(), path


async def test_hostile_names_never_choose_the_folder_nor_replace_a_file(tmp_path, private_display):
    """A rogue helper the sharer allowed files offers names that climb out of the folder,
    name a device or hide their extension: each lands in the chosen folder under a safe name;
    data it was never asked for, or more than it offered, is not kept."""
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    rogue = RogueHelper(server.url, server.ws_url, upn=HELPER)
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "evil.sh").write_bytes(b"already here")
    sharer = None
    names = {
        "0000000000000001": ("../../../.bashrc", "bashrc"),
        "0000000000000002": ("C:\\Windows\\System32\\..\\evil.sh", "evil (2).sh"),
        "0000000000000003": ("CON.txt", "_CON.txt"),
        "0000000000000004": ("invoice\u202etxt.exe", "invoicetxt.exe"),
    }
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(server, code, private_display, "--allow", "files")
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        # Data before any offer or acceptance is dropped.
        rogue.files.send(bytes.fromhex("0000000000000001") + MARKER)
        for transfer_id, (offered, safe) in names.items():
            content = MARKER + transfer_id.encode()
            _offer(rogue, transfer_id, offered, content)
            shown = await asyncio.to_thread(sharer.wait_for, "file_offered", id=transfer_id)
            assert shown["name"] == safe.replace(" (2)", "")
            sharer.send("accept_file", id=transfer_id, dir=str(folder))
            assert (await rogue.hear(FileAccept)).id == transfer_id
            rogue.files.send(bytes.fromhex(transfer_id) + content)
            received = await asyncio.to_thread(sharer.wait_for, "file_received", id=transfer_id)
            assert received["path"] == str(folder / safe)
            assert (await rogue.hear(FileDone)).id == transfer_id
        # More bytes than offered: failed, and nothing kept.
        _offer(rogue, "0000000000000005", "short.txt", b"four")
        await asyncio.to_thread(sharer.wait_for, "file_offered", id="0000000000000005")
        sharer.send("accept_file", id="0000000000000005", dir=str(folder))
        await rogue.hear(FileAccept)
        rogue.files.send(bytes.fromhex("0000000000000005") + b"four and more")
        failed = await asyncio.to_thread(sharer.wait_for, "file_failed", id="0000000000000005")
        assert failed["reason"] == "too_many_bytes"
        # The right size, other bytes: the SHA-256 does not match, nothing is kept.
        _offer(rogue, "0000000000000006", "damaged.bin", b"good")
        await asyncio.to_thread(sharer.wait_for, "file_offered", id="0000000000000006")
        sharer.send("accept_file", id="0000000000000006", dir=str(folder))
        await rogue.hear(FileAccept)
        rogue.files.send(bytes.fromhex("0000000000000006") + b"evil")
        failed = await asyncio.to_thread(sharer.wait_for, "file_failed", id="0000000000000006")
        assert failed["reason"] == "checksum_mismatch"
        sharer.send("end")
        await asyncio.to_thread(sharer.wait_for, "ended")
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()
    server.stop()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["evil.sh", *(safe for _, safe in names.values())]
    )
    assert (folder / "evil.sh").read_bytes() == b"already here"
    assert not (tmp_path / ".bashrc").exists() and not (tmp_path.parent / ".bashrc").exists()
