"""The deployment templates in ``packaging/`` run a session: TLS, relayed media, pinned key.

The server takes its settings from the systemd environment template and coturn runs from
its template (both without systemd); only what must differ on a loopback test machine is
replaced: addresses, ports, paths, the certificate and the TURN secret. The apps get
``helpline.toml`` from its template with the server's URL, CA and real fingerprint filled in,
and are started without `--server` or `--ca-file`: the organisation's file names them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.certificates import issue_server_certificate, make_authority
from devtools.headless import HeadlessApp
from devtools.server import start_server

pytestmark = pytest.mark.display

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


def _env_template() -> dict[str, str]:
    values = {}
    for line in (PACKAGING / "systemd" / "helpline-signaling.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_a_session_through_the_deployment_templates(
    tmp_path, dev_identity_file, turn_server, app_folders, xvfb_display
):
    env = _env_template()
    ca = make_authority(tmp_path / "pki", "Contoso Test CA")
    chain, key = issue_server_certificate(ca, tmp_path / "pki")
    turn_urls = json.loads(env["HELPLINE_TURN_URLS"])
    assert any(u.startswith("turns:") and ":443" in u for u in turn_urls)
    env.update(
        HELPLINE_HOST="127.0.0.1",
        HELPLINE_DATA_DIR=str(tmp_path / "server-data"),
        HELPLINE_TLS_CERT=str(chain),
        HELPLINE_TLS_KEY=str(key),
        HELPLINE_TURN_URLS=json.dumps([turn_server.url]),
        HELPLINE_TURN_SECRET_FILE=str(turn_server.secret_file),
    )
    del env["HELPLINE_PUBLIC_URL"], env["HELPLINE_PORT"]
    server = start_server(
        dev_identity_file, tmp_path / "server-data", env=env, ca_file=ca.cert_file
    )
    apps: list[HeadlessApp] = []
    try:
        fingerprint = subprocess.run(
            [sys.executable, "-m", "signaling", "server-key", "--data-dir", str(server.data_dir)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        config = app_folders / "site-config" / "helpline" / "helpline.toml"
        config.parent.mkdir(parents=True)
        template = (PACKAGING / "helpline.toml").read_text()
        shutil.copy(ca.cert_file, config.parent / "helpline-ca.pem")
        config.write_text(
            template.replace(
                "SHA256:CHANGE-to-the-output-of-helpline-signaling-server-key", fingerprint
            )
            .replace("https://CHANGE-helpline.example.org", server.url)
            .replace('# ca_file = "helpline-ca.pem"', 'ca_file = "helpline-ca.pem"')
        )

        # No --server, no --ca-file: the organisation's file names both.
        common: tuple[str, ...] = ()
        relay = {"HELPLINE_ICE_POLICY": "relay"}
        helper = HeadlessApp("helper_app", *common, "--user", HELPER, env=relay)
        apps.append(helper)
        assert helper.wait_for("signed_in")["server_trust"] == "configured"
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app", *common, "--user", SHARER, "--code", code, "--consent", "view", env=relay
        )
        apps.append(sharer)
        assert sharer.wait_for("helper_identity")["verified"] is True
        assert helper.wait_for("connected")["relayed"] is True
        assert sharer.wait_for("connected")["relayed"] is True
        stats = helper.wait_for("stats", timeout=60)
        while stats["frames"] == 0:
            stats = helper.wait_for("stats")
        assert stats["relayed"] is True
    finally:
        for app in apps:
            app.close()
        server.stop()
