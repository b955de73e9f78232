"""Only the organisation's own server key makes a card verified; a changed key is refused.

Real server processes, real headless apps: the run's shared server as the organisation's,
and servers of a test's own where another key is the point. Each test's apps have their own
configuration and data folders (the suite's ``app_folders``), so nothing pinned carries over.
"""

from __future__ import annotations

import pytest

from devtools.headless import HeadlessApp
from devtools.server import start_server

pytestmark = pytest.mark.display

HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"


def _card_as_seen_by_sharer(server, *sharer_args: str) -> tuple[dict, dict]:
    """The sharer's signed_in and helper_identity events for a code from a fresh helper."""
    helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app",
            *("--server", server.url, "--user", SHARER, "--code", code, *sharer_args),
        )
        return sharer.wait_for("signed_in"), sharer.wait_for("helper_identity")
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()


def test_the_configured_key_makes_the_card_verified(shared_server, xvfb_display):
    fingerprint = shared_server.key_fingerprint()
    signed_in, card = _card_as_seen_by_sharer(shared_server, "--server-key", fingerprint)
    assert signed_in["server_trust"] == "configured"
    assert card["verified"] is True and card["reason"] == ""


def test_a_card_signed_by_another_key_is_not_verified_and_says_why(
    tmp_path, dev_identity_file, shared_server, app_folders, xvfb_display
):
    """IT's helpline.toml names the real server; a look-alike signs its own cards."""
    config = app_folders / "site-config" / "helpline" / "helpline.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'server_key = "{shared_server.key_fingerprint()}"\n')
    look_alike = start_server(dev_identity_file, tmp_path / "look-alike")
    try:
        signed_in, card = _card_as_seen_by_sharer(look_alike)
    finally:
        look_alike.stop()
    assert signed_in["server_trust"] == "mismatch"
    assert card["verified"] is False
    assert "not your organisation's server key" in card["reason"]
    assert card["upn"] == HELPER

    _, real_card = _card_as_seen_by_sharer(shared_server)
    assert real_card["verified"] is True


def test_the_next_key_in_the_configuration_is_accepted_for_rotation(
    shared_server, app_folders, xvfb_display
):
    config = app_folders / "config" / "helpline" / "helpline.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'server_key = "SHA256:retiredretiredretiredretiredretiredretired00"\n'
        f'next_server_key = "{shared_server.key_fingerprint()}"\n'
    )
    _, card = _card_as_seen_by_sharer(shared_server)
    assert card["verified"] is True


def test_first_key_is_pinned_and_a_changed_key_is_refused(
    tmp_path, dev_identity_file, xvfb_display
):
    first = start_server(dev_identity_file, tmp_path / "first")
    port = int(first.url.rsplit(":", 1)[1])
    try:
        helper = HeadlessApp("helper_app", "--server", first.url, "--user", HELPER)
        assert helper.wait_for("signed_in")["server_trust"] == "first_use"
        helper.close()
        signed_in, card = _card_as_seen_by_sharer(first)
        assert signed_in["server_trust"] == "pinned" and card["verified"] is True
    finally:
        first.stop()

    # Same address, another server with another key (a fresh data folder).
    replaced = start_server(dev_identity_file, tmp_path / "replaced", port=port)
    try:
        sharer = HeadlessApp("sharer_app", "--server", replaced.url, "--user", SHARER)
        error = sharer.wait_for("error")
        assert sharer.close() != 0
    finally:
        replaced.stop()
    assert error["code"] == "server_key_changed"
    assert "now signs identity cards with another key" in error["message"]
    assert "Traceback" not in "".join(sharer.stderr)
