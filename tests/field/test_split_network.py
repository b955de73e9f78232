"""Two apps in network namespaces that can reach each other only through the TURN server."""

from __future__ import annotations

import socket

import pytest

from devtools.certificates import issue_server_certificate, make_authority
from devtools.headless import HeadlessApp
from devtools.server import start_server
from devtools.turn_server import start_turn_server
from tests.field.namespaces import (
    BENCHMARKING,
    can_connect,
    listener,
    namespaces_available,
    split_network,
)

pytestmark = pytest.mark.display

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


def test_a_session_between_namespaces_that_only_the_turn_server_joins(
    tmp_path, dev_identity_file, xvfb_display
):
    why_not = namespaces_available()
    if why_not:
        pytest.skip(why_not)
    with split_network() as net:
        # Both apps reach the service address; the sharer cannot reach the helper directly.
        with socket.create_server((net.service_address, 0)) as probe:
            port = probe.getsockname()[1]
            assert can_connect(net.prefix(net.helper_ns), net.service_address, port)
            assert can_connect(net.prefix(net.sharer_ns), net.service_address, port)
        with listener(net.prefix(net.helper_ns), net.helper_address, 9999):
            assert can_connect(net.prefix(net.helper_ns), net.helper_address, 9999)
            assert not can_connect(net.prefix(net.sharer_ns), net.helper_address, 9999)

        # The namespaces' benchmarking addresses are refused by the template: allowed here only.
        turn = start_turn_server(
            tmp_path / "turn", address=net.service_address, allowed_peers=[BENCHMARKING]
        )
        ca = make_authority(tmp_path / "pki", "Split Test CA")
        chain, key = issue_server_certificate(ca, tmp_path / "pki", (net.service_address,))
        server = start_server(
            dev_identity_file,
            tmp_path / "server-data",
            host=net.service_address,
            ca_file=ca.cert_file,
            args=[
                *("--tls-cert", str(chain), "--tls-key", str(key)),
                *("--turn-url", turn.url, "--turn-secret-file", str(turn.secret_file)),
            ],
        )
        apps: list[HeadlessApp] = []
        try:
            common = ("--server", server.url, "--ca-file", str(ca.cert_file))
            helper = HeadlessApp(
                "helper_app", *common, "--user", HELPER, prefix=net.prefix(net.helper_ns)
            )
            apps.append(helper)
            code = helper.wait_for("code")["code"]
            sharer = HeadlessApp(
                "sharer_app",
                *common,
                *("--user", SHARER, "--code", code, "--consent", "view"),
                prefix=net.prefix(net.sharer_ns),
            )
            apps.append(sharer)
            # ICE policy "all": the apps would take a direct path if there were one.
            assert helper.wait_for("connected", timeout=60)["relayed"] is True
            assert sharer.wait_for("connected")["relayed"] is True
            stats = helper.wait_for("stats", timeout=60)
            while stats["frames"] == 0:
                stats = helper.wait_for("stats")
        finally:
            for app in apps:
                app.close()
            server.stop()
            turn.stop()
