import json

import pytest

from common.identity_card import CardSigner, CardVerificationError, IdentityCard, verify_card
from common.protocol import (
    MAX_MESSAGE_BYTES,
    ErrorCode,
    Hello,
    ProtocolError,
    RedeemCode,
    encode_message,
    error_message,
    parse_message,
)
from common.security_code import ALPHABET, codes_equal, generate_code, normalise_code


def test_messages_round_trip():
    hello = Hello(token="t", role="helper", device_name="PC-1")
    assert parse_message(encode_message(hello)) == hello


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{", ErrorCode.MALFORMED),
        ("[1, 2]", ErrorCode.MALFORMED),
        ('{"v": 2, "type": "hello"}', ErrorCode.UNSUPPORTED_VERSION),
        ('{"v": 1, "type": "launch_missiles"}', ErrorCode.UNKNOWN_TYPE),
        ('{"v": 1, "type": "hello", "token": "x", "role": "admin"}', ErrorCode.INVALID),
        ('{"v": 1, "type": "redeem_code", "code": "x", "extra": 1}', ErrorCode.INVALID),
        ('{"v": 1, "type": "consent", "level": "everything"}', ErrorCode.INVALID),
    ],
)
def test_bad_messages_are_refused_with_a_reason(raw, code):
    with pytest.raises(ProtocolError) as info:
        parse_message(raw)
    assert info.value.code is code
    assert error_message(info.value).code is code


def test_oversized_message_is_refused_before_parsing():
    raw = json.dumps({"v": 1, "type": "redeem_code", "code": "x" * MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolError) as info:
        parse_message(raw)
    assert info.value.code is ErrorCode.TOO_LARGE


def test_control_characters_in_display_text_are_refused():
    with pytest.raises(ProtocolError):
        parse_message(json.dumps({"v": 1, "type": "hello", "token": "t", "role": "sharer",
                                  "device_name": "PC\x1b[31m"}))  # fmt: skip


def test_generated_codes_use_the_alphabet_and_format():
    for _ in range(200):
        code = generate_code()
        assert len(code) == 9 and code[4] == "-"
        assert all(ch in ALPHABET for ch in code.replace("-", ""))
    assert not set("01OILU") & set(ALPHABET)


@pytest.mark.parametrize(
    "typed", ["abcd-efgh", " ABCD EFGH ", "abcdefgh", "AbCd_eFgH", "ab.cd-ef gh"]
)
def test_normalise_is_forgiving_of_case_and_separators(typed):
    assert normalise_code(typed) == "ABCDEFGH"


@pytest.mark.parametrize("typed", ["ABCD-EFG", "ABCD-EFGHJ", "ABCD-EFG0", "ABCD-EFGI", "", "é" * 8])
def test_normalise_refuses_what_cannot_be_a_code(typed):
    assert normalise_code(typed) is None


def test_codes_equal():
    assert codes_equal("ABCDEFGH", "ABCDEFGH")
    assert not codes_equal("ABCDEFGH", "ABCDEFGJ")
    # The message type carries the normalised code only.
    assert RedeemCode(code="ABCDEFGH").code == "ABCDEFGH"


def _card(**changes):
    from datetime import UTC, datetime

    fields = {
        "name": "Alice", "upn": "alice@contoso.example", "company": "Contoso",
        "verified_domain": "contoso.example", "job_title": "Support",
        "tenant": "contoso.example", "session_id": "s1",
        "dtls_fingerprint": "sha-256 AA:BB", "issued_at": datetime.now(UTC),
    }  # fmt: skip
    fields.update(changes)
    return IdentityCard(**fields)


def test_card_signature_verifies_and_tampering_is_caught():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signer = CardSigner(Ed25519PrivateKey.generate())
    signed = signer.sign(_card())
    assert verify_card(signed, signer.public_key_b64).name == "Alice"

    tampered = signed.model_dump(mode="json")
    tampered["card"]["job_title"] = "Chief Executive"
    with pytest.raises(CardVerificationError):
        verify_card(tampered, signer.public_key_b64)

    other = CardSigner(Ed25519PrivateKey.generate())
    with pytest.raises(CardVerificationError):
        verify_card(signed, other.public_key_b64)
    with pytest.raises(CardVerificationError):
        verify_card(signed, "not base64!")
