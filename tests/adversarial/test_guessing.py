"""Guessing codes against a real server: every guess refused, the audit summarised, and the
person the code was meant for still gets in.

The guessers are thirty accounts behind one address (an office behind a NAT, or one
attacker with many accounts), taking turns at random codes from the code alphabet while a
real code is live. Each account is locked after 5 wrong codes, the address after 100 over
all its accounts; from then on every guess is ``rate_limited`` and never compared with a
code at all. The audit holds one summary row per outcome, account and
address with the count of attempts, not a row per guess. ``HELPLINE_GUESSES`` sets how many
guesses (the long mode of scripts/security_figures.py tries thousands).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter

import pytest

from common.protocol import Error, ErrorCode, RedeemCode, RequestCode, encode_message
from common.security_code import ALPHABET
from devtools.server import DEV_DIRECTORY, start_server
from tests.adversarial.attacker import Attacker
from tests.figures import record

GUESSES = int(os.environ.get("HELPLINE_GUESSES", "300"))
GUESSERS = [f"guesser-{n}@contoso.example" for n in range(30)]
GUESSING_ADDRESS = "10.66.0.1"


@pytest.fixture
def server_with_guessers(tmp_path):
    """The development directory with thirty more users, behind a trusted "proxy"."""
    directory = tmp_path / "directory.toml"
    users = "".join(
        f'\n[[users]]\nupn = "{upn}"\nname = "Guesser"\ngroups = ["finance"]\n' for upn in GUESSERS
    )
    directory.write_text(DEV_DIRECTORY.read_text() + users)
    server = start_server(
        directory, tmp_path / "data", env={"HELPLINE_TRUSTED_PROXIES": '["127.0.0.1"]'}
    )
    yield server
    server.stop()


def _audit_rows(data_dir) -> list[dict]:
    listing = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "list", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in listing.stdout.splitlines()]


def test_guessed_codes_are_all_refused_and_summarised(server_with_guessers):
    server = server_with_guessers
    helper = Attacker(server, "alice@contoso.example", "helper", "10.1.0.1")
    (issued,) = helper.exchange(encode_message(RequestCode()))
    real = issued.code.replace("-", "")  # type: ignore[union-attr]
    guessers = [Attacker(server, upn, "sharer", GUESSING_ADDRESS) for upn in GUESSERS]
    chance = random.Random()
    answers: Counter[str] = Counter()
    for n in range(GUESSES):
        guess = "".join(chance.choice(ALPHABET) for _ in range(8))
        if guess == real:
            continue  # 1 in 30^8: not a guess worth counting
        (reply,) = guessers[n % len(guessers)].exchange(encode_message(RedeemCode(code=guess)))
        assert isinstance(reply, Error), reply
        assert reply.code in (ErrorCode.INVALID_CODE, ErrorCode.RATE_LIMITED), reply
        answers[reply.code.value] += 1
    tried = sum(answers.values())
    assert answers["invalid_code"] <= 100, "the address is locked after 100 wrong codes"

    # The person the code was read to, on another address, is not locked out by them.
    bob = Attacker(server, "bob@contoso.example", "sharer", "10.1.0.2")
    (card,) = bob.exchange(encode_message(RedeemCode(code=issued.code)))  # type: ignore[union-attr]
    assert card.type == "helper_identity"
    for client in (helper, bob, *guessers):
        client.close()
    server.stop()

    rows = _audit_rows(server.data_dir)
    refused = [r for r in rows if r["outcome"] in ("invalid_code", "rate_limited")]
    attempts = Counter()
    for row in refused:
        attempts[row["outcome"]] += row["attempts"]
    assert attempts == answers, "every refused guess is counted in the audit"
    assert len(refused) <= 2 * len(GUESSERS), "summary rows, not a row per guess"
    record(
        "guessing",
        guesses=tried,
        refused=tried,
        accepted=0,
        invalid_code=answers["invalid_code"],
        rate_limited=answers["rate_limited"],
        audit_rows=len(refused),
        audited_attempts=sum(attempts.values()),
    )
