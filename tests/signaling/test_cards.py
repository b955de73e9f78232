"""Identity cards the server signs: what they say, that every field is under the signature,
and that the verifier refuses old ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.identity_card import CardSigner, CardVerificationError, IdentityCard, verify_card
from signaling.identity.cards import card_for
from signaling.identity.directory import Directory
from signaling.identity.rbac import account_for
from signaling.identity.tokens import Principal
from tests.rogue_server import CHANGED_FIELDS, changed_after_signing

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


def test_every_field_of_the_card_is_listed_for_the_signature_tests():
    assert set(CHANGED_FIELDS) == set(IdentityCard.model_fields)


@pytest.mark.parametrize("field", sorted(CHANGED_FIELDS))
def test_every_field_is_under_the_signature(field):
    """The verifier both apps use (the sharer's engine, headless and in the window) refuses a
    genuine signature over a card with any one field changed: the card-media binding
    (``dtls_fingerprint``) and the time it was issued as much as the name."""
    signer = CardSigner(Ed25519PrivateKey.generate())
    card = _card()
    assert verify_card(signer.sign(card), signer.public_key_b64) == card
    forged = changed_after_signing(field)(signer, card)
    assert getattr(forged.card, field) != getattr(card, field)
    with pytest.raises(CardVerificationError):
        verify_card(forged, signer.public_key_b64)
    # Also as it arrives: JSON off the wire, with the field changed in the text.
    wire = forged.model_dump(mode="json")
    with pytest.raises(CardVerificationError):
        verify_card(wire, signer.public_key_b64)
