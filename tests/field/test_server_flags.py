"""The field flags of ``helpline-signaling``: wrong ones end in one line, right ones work."""

from __future__ import annotations

import httpx

from common.key_fingerprint import key_fingerprint
from devtools.certificates import issue_server_certificate, make_authority
from tests.signaling.test_cli import _one_line_error, _run


def _with_identity(tmp_path, dev_identity_file, *args: str):
    return _run(
        "--data-dir", str(tmp_path / "data"), "--dev-identity", str(dev_identity_file), *args
    )


def test_tls_flags_that_cannot_work(tmp_path, dev_identity_file):
    ca = make_authority(tmp_path / "pki", "CA")
    chain, _ = issue_server_certificate(ca, tmp_path / "pki")
    line = _one_line_error(_with_identity(tmp_path, dev_identity_file, "--tls-cert", str(chain)))
    assert "--tls-cert and --tls-key go together" in line
    line = _one_line_error(
        _with_identity(tmp_path, dev_identity_file, "--tls-cert", str(chain), "--tls-key", "/nope")
    )
    assert "cannot read /nope" in line
    issue_server_certificate(ca, tmp_path)  # writes another key beside it
    other_key = tmp_path / "server-key.pem"
    line = _one_line_error(
        _with_identity(
            tmp_path, dev_identity_file, "--tls-cert", str(chain), "--tls-key", str(other_key)
        )
    )
    assert f"cannot use {chain}" in line


def test_turn_flags_that_cannot_work(tmp_path, dev_identity_file):
    line = _one_line_error(
        _with_identity(tmp_path, dev_identity_file, "--turn-url", "turn:turn.example:3478")
    )
    assert "needs --turn-secret-file" in line
    line = _one_line_error(_with_identity(tmp_path, dev_identity_file, "--turn-url", "http://x"))
    assert "not a stun:, turn: or turns: URL" in line
    empty = tmp_path / "empty"
    empty.write_text("\n")
    line = _one_line_error(
        _with_identity(
            tmp_path,
            dev_identity_file,
            *("--turn-url", "turn:turn.example:3478", "--turn-secret-file", str(empty)),
        )
    )
    assert "is empty" in line


def test_server_key_prints_the_fingerprint_the_server_serves(shared_server):
    result = _run("server-key", "--data-dir", str(shared_server.data_dir))
    assert result.returncode == 0, result.stderr
    served = httpx.get(shared_server.url + "/v1/server-key", timeout=10).json()["public_key"]
    assert result.stdout.strip() == key_fingerprint(served)


def test_server_key_without_a_key_says_so(tmp_path):
    line = _one_line_error(_run("server-key", "--data-dir", str(tmp_path)))
    assert "no card-signing key" in line
    assert not any(tmp_path.iterdir())
