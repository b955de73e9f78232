"""Identity cards the server signs: what they say, and that the verifier refuses old ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.identity_card import CardSigner, CardVerificationError, verify_card
from signaling.cards import card_for
from signaling.directory import Directory
from signaling.rbac import account_for
from signaling.tokens import Principal

DIRECTORY = Directory.model_validate(
    {
        "tenant": "contoso.example",
        "verified_domains": ["contoso.example"],
        "roles": {"operator": {"permissions": ["view"], "scopes": ["finance"]}},
        "users": [
            {
                "upn": "alice@contoso.example",
                "name": "Alice Example",
                "company": "Contoso",
                "job_title": "Support Engineer",
                "roles": ["operator"],
            }
        ],
    }
)


def _card():
    user = DIRECTORY.users[0]
    principal = Principal(
        tenant="contoso.example", oid=DIRECTORY.oid_of(user), upn=user.upn, name="token name"
    )
    return card_for(
        account_for(principal, DIRECTORY),
        session_id="s1",
        dtls_fingerprint="sha-256 AA:BB",
        directory=DIRECTORY,
    )


def test_the_card_says_what_the_directory_says():
    card = _card()
    assert (card.name, card.company, card.job_title, card.verified_domain, card.tenant) == (
        "Alice Example", "Contoso", "Support Engineer", "contoso.example", "contoso.example",
    )  # fmt: skip
    assert card.issued_at.tzinfo is not None


def test_a_card_older_than_a_few_minutes_is_refused():
    signer = CardSigner(Ed25519PrivateKey.generate())
    signed = signer.sign(_card())
    issued = signed.card.issued_at
    assert verify_card(signed, signer.public_key_b64, now=issued + timedelta(minutes=4))
    with pytest.raises(CardVerificationError):
        verify_card(signed, signer.public_key_b64, now=issued + timedelta(minutes=6))
    with pytest.raises(CardVerificationError):
        verify_card(signed, signer.public_key_b64, now=issued - timedelta(minutes=2))
    # The default clock is now: a card signed now verifies without arguments.
    assert verify_card(signed, signer.public_key_b64).upn == "alice@contoso.example"
