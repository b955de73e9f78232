"""SIGKILL under load: every record the server acknowledged survives, and the chain verifies.

``HELPLINE_KILLS`` sets how many kills (the long mode of scripts/security_figures.py runs
more); the figures go to tests/figures.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

from common.protocol import Consent, RedeemCode, RequestCode
from devtools.server import start_server
from tests.figures import record
from tests.signaling.test_pairing import ALICE, BOB, CAROL
from tests.signaling.wsclient import WsClient

KILLS = int(os.environ.get("HELPLINE_KILLS", "3"))
SESSIONS_PER_RUN = 4


def _audit(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )


async def _load(server) -> int:
    """Sessions consented to, and refusals answered: each acknowledged to a client."""
    acknowledged = 0
    for _ in range(SESSIONS_PER_RUN):
        helper = await WsClient.signed_in(server, ALICE, "helper")
        await helper.send(RequestCode())
        code = await helper.recv()
        sharer = await WsClient.signed_in(server, BOB, "sharer")
        await sharer.send(RedeemCode(code=code.code))
        await sharer.recv()
        await helper.recv()
        await sharer.send(Consent(level="view"))
        assert (await helper.recv()).type == "consent_result"
        acknowledged += 1
    guesser = await WsClient.signed_in(server, CAROL, "sharer")
    await guesser.send(RedeemCode(code="ABCD-EFGH"))
    assert (await guesser.recv()).code.value == "invalid_code"
    return acknowledged + 1


def test_records_survive_sigkill_and_the_chain_verifies(tmp_path, dev_identity_file):
    data_dir = tmp_path / "data"
    acknowledged = 0
    for _ in range(KILLS):
        server = start_server(dev_identity_file, data_dir)
        acknowledged += asyncio.run(_load(server))
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
    server = start_server(dev_identity_file, data_dir)  # closes what the kills left open
    server.stop()
    rows = [json.loads(line) for line in _audit(data_dir, "list").stdout.splitlines()]
    accepted = [r for r in rows if r["outcome"] == "accepted"]
    assert len(accepted) == KILLS * SESSIONS_PER_RUN
    assert sum(r["attempts"] for r in rows if r["outcome"] == "invalid_code") == KILLS
    assert len(accepted) + KILLS == acknowledged
    assert {r["end_reason"] for r in accepted} == {"server_restart"}
    verdict = _audit(data_dir, "verify")
    assert verdict.returncode == 0, verdict.stderr
    record(
        "kills",
        kills=KILLS,
        acknowledged=acknowledged,
        found=len(accepted) + KILLS,
        lost=acknowledged - len(accepted) - KILLS,
        chain_verified=True,
    )
