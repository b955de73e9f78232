"""Names from the other side: never a folder, never a device, never hidden, never a clash."""

from __future__ import annotations

import os

import pytest

from client.session.file_names import (
    FALLBACK_NAME,
    MAX_NAME_BYTES,
    keep_under_unique_name,
    safe_name,
)


@pytest.mark.parametrize(
    ("offered", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/cron.d/job", "job"),
        ("..\\..\\Windows\\System32\\drivers\\etc\\hosts", "hosts"),
        ("C:\\Users\\bob\\evil.bat", "evil.bat"),
        ("C:evil.bat", "C_evil.bat"),
        ("\\\\server\\share\\x.txt", "x.txt"),
        ("..", FALLBACK_NAME),
        ("../", FALLBACK_NAME),
        ("...", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        (".bashrc", "bashrc"),
        ("name. . .", "name"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT9.log", "_LPT9.log"),
        ("COM¹", "_COM¹"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("nul\x00.txt", "_nul.txt"),
        ("a\x00b\x1f\x7fc.txt", "abc.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("two\u2028lines.txt", "twolines.txt"),
        ('what?<>|"*.txt', "what______.txt"),
        ("café.txt", "café.txt"),
        ("cafe\u0301.txt", "café.txt"),
    ],
)
def test_hostile_names_become_plain_names(offered, safe):
    assert safe_name(offered) == safe


def test_long_names_are_cut_keeping_the_suffix():
    name = safe_name("é" * 300 + ".tar.gz")
    assert len(name.encode()) <= MAX_NAME_BYTES and name.endswith(".gz")
    assert "/" not in safe_name("a/" * 600 + "b")


def test_a_taken_name_gets_a_number_and_nothing_is_replaced(tmp_path):
    (tmp_path / "log.txt").write_text("mine")
    (tmp_path / "log (2).txt").mkdir()
    os.symlink("/etc/passwd", tmp_path / "log (3).txt")
    partial = tmp_path / ".helpline-x.part"
    partial.write_text("theirs")
    final = keep_under_unique_name(partial, tmp_path, "log.txt")
    assert final == tmp_path / "log (4).txt"
    assert final.read_text() == "theirs" and not partial.exists()
    assert (tmp_path / "log.txt").read_text() == "mine"
