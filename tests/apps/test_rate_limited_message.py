"""When redeeming is locked, the sharer is told why and until when, not just "try later"."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from client.session.sharer_engine import rate_limited_text
from tests.headless_driver import HeadlessApp


def test_the_text_says_why_and_when():
    now = datetime(2026, 11, 29, 14, 2, 30)
    text = rate_limited_text(300, now)
    assert "Too many wrong codes" in text and "guessed" in text
    assert "about 5 minutes" in text and "(at 14:07)" in text
    assert "in 45 seconds (at 14:03)" in rate_limited_text(45, now)


@pytest.mark.display
def test_a_locked_sharer_reads_when_to_retry(signaling_server, xvfb_display):
    sharer = HeadlessApp(
        "sharer_app", "--server", signaling_server.url, "--user", "bob@contoso.example"
    )
    sharer.wait_for("signed_in")
    for _ in range(20):  # the server's limit is 5 failures; the loop only bounds a bug
        sharer.send("code", code="ABCD-EFGH")
        error = sharer.wait_for("error")
        if error["code"] != "invalid_code":
            break
    assert error["code"] == "rate_limited"
    assert re.search(r"Try again in .+ \(at \d\d:\d\d\)\.$", error["message"]), error
    assert "your account or your network" in error["message"]
    sharer.close()
