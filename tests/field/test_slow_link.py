"""A real session over an emulated home uplink: 5 Mbit/s, 20 ms each way, 0.5 % loss.

At a fixed 30 Mbit/s pace this link never showed a picture and the session ended by itself
after 21 s (``peer_timeout``): a sharp 1080p text frame overflowed the bottleneck's queue,
and so did its retransmissions and the heartbeat. Here the sharer runs in a network
namespace behind the link emulator; the helper must get the picture and the session must
outlive its worst moments, ending only when the helper ends it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.certificates import issue_server_certificate, make_authority
from devtools.display import xvfb
from devtools.headless import HeadlessApp
from devtools.link_emulator import LinkProfile, start_link
from devtools.server import start_server
from tests.display_tools import TextPage

pytestmark = [
    pytest.mark.display,
    pytest.mark.skipif(
        os.geteuid() != 0 or not Path("/dev/net/tun").exists(),
        reason="the link emulator needs root and /dev/net/tun (network namespaces, TUN devices)",
    ),
]

HOME_UPLINK = LinkProfile("5 Mbit/s, 20 ms, 0.5 %", rate_mbit=5, delay_ms=20, loss_pct=0.5)
# Stats come about once a second: this many is well past the 21 s the old sender lasted.
STATS_TO_OUTLIVE = 40


def test_a_home_uplink_carries_the_picture_and_the_session_stays_up(tmp_path, dev_identity_file):
    with (
        xvfb(1920, 1080) as display,
        TextPage(display, x=0, y=0, width=1920, height=1080),
        start_link(HOME_UPLINK, seed=25, log=tmp_path / "relay.log") as link,
    ):
        ca = make_authority(tmp_path / "pki", "Slow Link Test CA")
        chain, key = issue_server_certificate(ca, tmp_path / "pki", (link.outside_address,))
        server = start_server(
            dev_identity_file,
            tmp_path / "server-data",
            host=link.outside_address,
            ca_file=ca.cert_file,
            args=["--tls-cert", str(chain), "--tls-key", str(key)],
        )
        apps: list[HeadlessApp] = []
        try:
            common = ("--server", server.url, "--ca-file", str(ca.cert_file))
            helper = HeadlessApp("helper_app", *common, "--user", "alice@contoso.example")
            apps.append(helper)
            code = helper.wait_for("code")["code"]
            sharer = HeadlessApp(
                "sharer_app",
                *common,
                *("--user", "bob@contoso.example", "--code", code, "--consent", "view"),
                env={"DISPLAY": display},
                prefix=link.wrap([]),
            )
            apps.append(sharer)
            helper.wait_for("connected", timeout=60)
            first = helper.wait_until(
                lambda events: any(e.get("frames", 0) > 0 for e in events), timeout=60
            )
            assert first, "a first picture"
            helper.wait_until(
                lambda events: sum(e["event"] == "stats" for e in events) >= STATS_TO_OUTLIVE,
                timeout=STATS_TO_OUTLIVE * 3,
            )
            for app in (helper, sharer):
                assert not [e for e in app.events if e["event"] == "ended"], app.events[-5:]
            frames = max(e["frames"] for e in helper.events if e["event"] == "stats")
            assert frames > 1, "the rough picture was refined"
            assert link.stats()["up"]["delivered"] > 0, "through the link, not around it"
            helper.send("end")
            assert helper.wait_for("ended")["reason"] != "peer_timeout"
            assert sharer.wait_for("ended")["reason"] != "peer_timeout"
        finally:
            for app in apps:
                app.close()
            server.stop()
