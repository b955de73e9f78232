"""The server's command line fails in one line, never with a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", *args], capture_output=True, text=True, timeout=timeout
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_flag(tmp_path):
    assert "unrecognized" in _one_line_error(_run("--frobnicate"))
    assert "invalid int" in _one_line_error(_run("--port", "eighty"))


def test_missing_and_invalid_identity_files(tmp_path):
    line = _one_line_error(_run("--data-dir", str(tmp_path), "--dev-identity", "/nope.toml"))
    assert "cannot read identity file" in line
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("tenant = [unclosed")
    assert "not valid TOML" in _one_line_error(
        _run("--data-dir", str(tmp_path), "--dev-identity", str(bad_toml))
    )
    bad_role = tmp_path / "role.toml"
    bad_role.write_text('tenant = "t"\n[[users]]\nupn = "a@t"\nname = "A"\nroles = ["ghost"]\n')
    assert "unknown role" in _one_line_error(
        _run("--data-dir", str(tmp_path), "--dev-identity", str(bad_role))
    )


def test_port_in_use(tmp_path, dev_identity_file):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _one_line_error(
            _run(
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
                "--dev-identity",
                str(dev_identity_file),
            )
        )
    assert f"cannot listen on 127.0.0.1:{port}" in line


def test_no_identity_provider_at_all(tmp_path):
    assert "no identity provider" in _one_line_error(_run("--data-dir", str(tmp_path)))


def test_version_and_help():
    version = _run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("helpline-signaling 0.") and "protocol 1" in version.stdout
    shown = _run("--help")
    assert shown.returncode == 0
    for flag in ("--host", "--port", "--data-dir", "--dev-identity", "--log-format"):
        assert flag in shown.stdout
    # Every flag says its default, and the audit subcommand is mentioned.
    assert shown.stdout.count("default:") >= 9
    assert "helpline-signaling audit list" in shown.stdout
    audit = _run("audit", "list", "--help")
    assert audit.returncode == 0 and "--outcome" in audit.stdout and "invalid_code" in audit.stdout


def test_an_ipv6_address_gives_a_usable_url():
    from signaling.settings import ServerSettings

    assert ServerSettings(host="::1", port=8765).base_url == "http://[::1]:8765"
    assert ServerSettings(host="127.0.0.1", port=8765).base_url == "http://127.0.0.1:8765"
