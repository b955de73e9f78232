"""A real server process on PostgreSQL: it makes its schema, pairs, audits, and the audit
commands read and verify what it wrote, and its log names the database without the password."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from common.protocol import Consent, End
from devtools.server import start_server
from tests.signaling.test_pairing import _pair


def _audit(action: str, data_dir, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", action, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HELPLINE_DATABASE_URL": url},
    )


async def test_a_session_on_postgresql_is_audited_and_verifies(
    tmp_path, dev_identity_file, postgres, postgres_url
):
    data_dir = tmp_path / "data"
    server = start_server(dev_identity_file, data_dir, env={"HELPLINE_DATABASE_URL": postgres_url})
    try:
        helper, sharer, _ = await _pair(server)
        await sharer.recv()  # the helper's card
        assert (await helper.recv()).device_name == "BOB-LAPTOP"  # the sharer joined
        await sharer.send(Consent(level="view"))
        assert (await helper.recv()).level.value == "view"
        await sharer.send(End())
        await helper.recv()  # ended
    finally:
        server.stop()
    assert server.proc.returncode == 0
    listed = _audit("list", data_dir, postgres_url)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["helper_upn"], r["sharer_upn"], r["outcome"], r["end_reason"]) for r in rows] == [
        ("alice@contoso.example", "bob@contoso.example", "accepted", "sharer_ended")
    ], listed.stderr
    verified = _audit("verify", data_dir, postgres_url)
    assert verified.returncode == 0 and verified.stdout.startswith("audit ok:"), verified.stderr
    assert not (data_dir / "helpline.db").exists()
    log = server.log_path.read_text()
    assert "database upgraded from=empty" in log and "helpline:***@127.0.0.1" in log
    assert postgres.password not in log
