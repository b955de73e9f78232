"""The helper's identity card, signed by the server and verified by the sharer.

The card binds who the helper is (from a verified sign-in token) to the DTLS certificate
fingerprint of the helper's WebRTC peer, so a captured card cannot be replayed by another
peer: the sharer compares the fingerprint in the offer with the one in the card.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.text_fields import DisplayText, ShortText

# Cards are read seconds after they are issued; allow for clocks that disagree a little.
CARD_MAX_AGE = timedelta(minutes=5)
CARD_CLOCK_SKEW = timedelta(minutes=1)


class CardVerificationError(Exception):
    """The card's signature does not verify: show nothing as verified."""


class IdentityCard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: DisplayText
    upn: ShortText
    company: DisplayText = ""
    verified_domain: ShortText = ""
    job_title: DisplayText = ""
    tenant: ShortText
    session_id: ShortText
    # Every fingerprint of the helper's DTLS certificate: "alg HEX,alg HEX" (session.fingerprint).
    dtls_fingerprint: str = Field(default="", max_length=1000, pattern=r"^[A-Za-z0-9:, \-]*$")
    issued_at: datetime

    def canonical_bytes(self) -> bytes:
        """One byte string per card, whatever the JSON key order on the wire."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":")
        ).encode("utf-8")


class SignedCard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    card: IdentityCard
    signature: str = Field(max_length=200)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CardSigner:
    """Holds the server's Ed25519 key; only the server has one."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @property
    def public_key_b64(self) -> str:
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return _b64(raw)

    def sign(self, card: IdentityCard) -> SignedCard:
        return SignedCard(card=card, signature=_b64(self._key.sign(card.canonical_bytes())))


def verify_card(
    signed: SignedCard | dict[str, object],
    public_key_b64: str,
    *,
    now: datetime | None = None,
    max_age: timedelta = CARD_MAX_AGE,
) -> IdentityCard:
    """Return the card only if the server's key signed exactly these fields, lately.

    A card is issued the moment a code is redeemed and read at once; an old one is a replay.
    """
    try:
        if not isinstance(signed, SignedCard):
            signed = SignedCard.model_validate(signed)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signed.signature, validate=True), signed.card.canonical_bytes())
    except (InvalidSignature, ValueError, ValidationError) as exc:
        raise CardVerificationError("the identity card's signature does not verify") from exc
    issued = signed.card.issued_at
    if issued.tzinfo is None:
        raise CardVerificationError("the identity card has no time zone on its issue time")
    current = now or datetime.now(UTC)
    if not current - max_age <= issued <= current + CARD_CLOCK_SKEW:
        raise CardVerificationError("the identity card is out of date")
    return signed.card
