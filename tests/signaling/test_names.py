"""Names shown to people carry no control, format or line-breaking characters."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from common.protocol import Hello
from signaling.identity.directory import DirectoryError, load_directory
from signaling.identity.jwks import JwksError
from signaling.identity.tokens import TokenValidator
from tests.signaling.inprocess import in_process_server

HOSTILE = ["Alice\nVerified organisation", "Alice\u202eelpmaxE", "Al\u200bice", "Alice\u2028Bob"]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_directory_refuses_them_with_a_clear_line(tmp_path, name):
    path = tmp_path / "directory.toml"
    escaped = name.encode("unicode_escape").decode()
    path.write_text(f'tenant = "t"\n[[users]]\nupn = "a@t.example"\nname = "{escaped}"\n')
    with pytest.raises(DirectoryError, match=r"users\.0\.name: .*not allowed"):
        load_directory(path)


@pytest.mark.parametrize("device", HOSTILE)
def test_a_device_name_with_them_is_refused_at_sign_in(tmp_path, device):
    with in_process_server(tmp_path) as server:
        peer = server.connect()
        peer.send_raw(
            Hello(token=server.token_for("bob@contoso.example"), role="sharer").model_dump(
                mode="json"
            )
            | {"device_name": device}
        )
        reply = peer.recv()
        assert (reply.type, reply.code.value) == ("error", "invalid")


class _OneKey:
    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._public = key.public_key()

    async def key_for(self, kid: str):
        if kid != "k":
            raise JwksError("unknown")
        return self._public


@pytest.mark.parametrize("name", HOSTILE)
async def test_an_identity_providers_name_claim_is_stripped_of_them(name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "https://issuer.example/v2.0",
        "aud": "api://helpline",
        "tid": "t",
        "oid": "o",
        "preferred_username": "alice\u200b@t.example",
        "name": name,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k"})
    validator = TokenValidator(
        issuer=claims["iss"], audience=claims["aud"], tenant="t", jwks=_OneKey(key)
    )
    principal = await validator.validate(token)
    assert principal.upn == "alice@t.example"
    assert all(ch.isprintable() for ch in principal.name)
    assert "\u202e" not in principal.name and "\n" not in principal.name
