"""The rules behind pinning and TURN credentials, where a process adds nothing."""

from __future__ import annotations

import base64

import pytest

from client.settings import AppSettings
from client.trust import (
    FIRST_USE_REASON,
    KnownServers,
    PinOverridden,
    ServerKeyChanged,
    check_pin_override,
    check_server_key,
    configured_keys,
)
from common.key_fingerprint import key_fingerprint, normalise_fingerprint
from signaling.turn import IceServerIssuer, TurnConfigError

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


def test_a_pasted_fingerprint_is_accepted_with_or_without_label_and_spaces():
    fingerprint = key_fingerprint(KEY_A)
    assert fingerprint.startswith("SHA256:") and "=" not in fingerprint
    body = fingerprint.removeprefix("SHA256:")
    assert normalise_fingerprint(f"  {body}= \n") == fingerprint
    assert normalise_fingerprint(f"sha256:{body}") == fingerprint


def test_one_pin_per_server_whatever_way_its_url_is_written(tmp_path):
    known = KnownServers(tmp_path / "known.json")
    first = AppSettings(server="https://Helpline.Example.org/")
    assert check_server_key(first, KEY_A, known).how == "first_use"
    same = AppSettings(server="https://helpline.example.org:443")
    assert check_server_key(same, KEY_A, known).how == "pinned"
    with pytest.raises(ServerKeyChanged, match="another key"):
        check_server_key(same, KEY_B, known)
    other = AppSettings(server="https://helpline.example.org:8443")
    assert check_server_key(other, KEY_B, known).how == "first_use"


def test_a_damaged_pin_file_starts_afresh_instead_of_failing(tmp_path):
    path = tmp_path / "known.json"
    path.write_text("{not json")
    known = KnownServers(path)
    trust = check_server_key(AppSettings(server="https://h.example"), KEY_A, known)
    assert trust.how == "first_use"
    assert known.get("https://h.example") == key_fingerprint(KEY_A)


def test_a_first_use_key_is_not_verified_and_a_known_one_is(tmp_path):
    known = KnownServers(tmp_path / "known.json")
    settings = AppSettings(server="https://h.example")
    first = check_server_key(settings, KEY_A, known)
    assert (first.verified, first.how, first.reason) == (False, "first_use", FIRST_USE_REASON)
    again = check_server_key(settings, KEY_A, known)
    assert (again.verified, again.how) == (True, "pinned")


def test_the_organisations_pin_wins_over_a_flag(tmp_path, app_folders):
    site = app_folders / "site-config" / "helpline" / "helpline.toml"
    site.parent.mkdir(parents=True)
    site.write_text(f'server_key = "{key_fingerprint(KEY_A)}"\n')
    dictated = AppSettings(server="https://h.example", server_key=key_fingerprint(KEY_B))
    assert configured_keys(dictated) == [key_fingerprint(KEY_A)]
    with pytest.raises(PinOverridden, match="pin wins"):
        check_pin_override(dictated)
    same = AppSettings(server="https://h.example", server_key=key_fingerprint(KEY_A))
    check_pin_override(same)
    assert check_server_key(dictated, KEY_B).how == "mismatch"


def test_a_configured_key_overrides_first_use(tmp_path):
    known = KnownServers(tmp_path / "known.json")
    settings = AppSettings(server="https://h.example", server_key=key_fingerprint(KEY_A))
    trust = check_server_key(settings, KEY_B, known)
    assert (trust.verified, trust.how) == (False, "mismatch")
    assert not (tmp_path / "known.json").exists()


def test_turn_credentials_expire_after_the_lifetime_and_stun_gets_none():
    issuer = IceServerIssuer(
        ["stun:t.example:3478", "turn:t.example:3478?transport=udp"],
        b"secret",
        lifetime_seconds=600,
        clock=lambda: 1_000_000.0,
    )
    stun, turn = issuer.for_user("a:b")
    assert stun.urls == ["stun:t.example:3478"] and stun.username is None
    assert turn.username == "1000600:a_b"
    assert turn.credential and turn.credential != issuer.for_user("c")[1].credential


def test_turn_urls_without_a_secret_are_refused():
    with pytest.raises(TurnConfigError, match="needs --turn-secret-file"):
        IceServerIssuer(["turn:t.example"], None, 600)
    assert IceServerIssuer(["stun:t.example"], None, 600).for_user("x")[0].username is None
