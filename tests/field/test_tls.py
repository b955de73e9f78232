"""Signaling over TLS with the organisation's CA, and no token where it could be read."""

from __future__ import annotations

import socket
import threading

import pytest

from client.transport_security import InsecureServerError, require_safe_for_token
from devtools.certificates import make_authority
from devtools.headless import HeadlessApp

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


def _first_error(app: HeadlessApp) -> dict:
    error = app.wait_for("error")
    assert app.close() != 0
    assert "Traceback" not in "".join(app.stderr)
    return error


@pytest.mark.display
def test_a_whole_session_runs_over_tls_with_the_organisations_ca(tls_server, xvfb_display):
    assert tls_server.url.startswith("https://")
    trust = ("--ca-file", str(tls_server.ca_file))
    helper = HeadlessApp("helper_app", "--server", tls_server.url, "--user", HELPER, *trust)
    code = helper.wait_for("code")["code"]
    sharer = HeadlessApp(
        "sharer_app",
        *("--server", tls_server.url, "--user", SHARER, "--code", code, "--consent", "view"),
        *trust,
    )
    try:
        assert sharer.wait_for("helper_identity")["verified"] is True
        helper.wait_for("connected")
        sharer.wait_for("connected")
        stats = helper.wait_for("stats", timeout=60)
        while stats["frames"] == 0:
            stats = helper.wait_for("stats")
        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.wait_for("ended")["reason"] == "helper_ended"
    finally:
        assert helper.close() == 0
        sharer.close()


def test_a_certificate_from_another_ca_is_refused_clearly(tls_server, tmp_path):
    stranger = make_authority(tmp_path / "other", "Someone Else CA")
    app = HeadlessApp(
        "helper_app",
        *("--server", tls_server.url, "--user", HELPER, "--ca-file", str(stranger.cert_file)),
    )
    error = _first_error(app)
    assert error["code"] == "sign_in_failed"
    assert "certificate is not trusted" in error["message"]
    assert "--ca-file" in error["message"]


def test_without_the_organisations_ca_the_system_store_does_not_trust_it(tls_server):
    app = HeadlessApp("helper_app", "--server", tls_server.url, "--user", HELPER)
    assert "certificate is not trusted" in _first_error(app)["message"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://localhost:8765", "ws://[::1]:1/v1/ws", "https://x.example"],
)
def test_plain_http_is_allowed_only_to_loopback(url):
    require_safe_for_token(url)


@pytest.mark.parametrize(
    "url", ["http://helpline.example.org", "ws://10.1.2.3/v1/ws", "http://127.0.0.1.evil.example"]
)
def test_plain_http_elsewhere_is_refused(url):
    with pytest.raises(InsecureServerError, match="refusing to send a sign-in token"):
        require_safe_for_token(url)


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def test_a_token_is_never_sent_to_a_plain_http_address_off_this_machine():
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to listen on")
    listener = socket.create_server((address, 0))
    port = listener.getsockname()[1]
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        app = HeadlessApp("helper_app", "--server", f"http://{address}:{port}", "--user", HELPER)
        error = _first_error(app)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert error["code"] == "sign_in_failed"
    assert "refusing to send a sign-in token" in error["message"]
    assert accepted == []


def test_a_missing_ca_file_is_said_before_anything_is_sent(tls_server, tmp_path):
    missing = tmp_path / "no-such-ca.pem"
    app = HeadlessApp(
        "helper_app", "--server", tls_server.url, "--user", HELPER, "--ca-file", str(missing)
    )
    error = _first_error(app)
    assert error["code"] == "sign_in_failed"
    assert f"cannot use the CA file {missing}" in error["message"]
