"""A whole session across two replicas (Redis and PostgreSQL): the headless helper on one,
the headless sharer on the other, through to a streaming picture, ended, audited once, and
the chain intact."""

from __future__ import annotations

import json

import pytest

from devtools.headless import HeadlessApp
from tests.session.test_headless_session import FULL_SIZE, HELPER, SHARER

pytestmark = pytest.mark.display


def test_helper_on_one_replica_streams_from_a_sharer_on_the_other(replicas, private_display):
    first, second = replicas
    helper = HeadlessApp("helper_app", "--server", first.url, "--user", HELPER)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app",
            *("--server", second.url, "--user", SHARER, "--code", code, "--consent", "view"),
            # The organisation's key, as IT pins it: a first-use key is never shown verified.
            *("--server-key", second.key_fingerprint()),
            env={**FULL_SIZE, "DISPLAY": private_display},
        )
        assert sharer.wait_for("helper_identity")["verified"] is True
        assert helper.wait_for("consent")["level"] == "view"
        helper.wait_for("connected")
        sharer.wait_for("connected")
        stats = helper.wait_for("stats")
        while stats["frames"] == 0:
            stats = helper.wait_for("stats")
        assert (stats["width"], stats["height"]) == (1280, 800)
        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.close() == 0
        assert sharer.close() == 0
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()
    [record] = [json.loads(line) for line in first.command("audit", "list").stdout.splitlines()]
    assert (record["outcome"], record["end_reason"]) == ("accepted", "helper_ended")
    verify = first.command("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
