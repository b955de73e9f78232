"""Tokens: only those the configured provider signed, for us, now, in our tenant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.protocol import Hello
from signaling.identity.dev_idp import KEY_ID
from signaling.settings import DEV_AUDIENCE
from tests.signaling.wsclient import WsClient


def _server_key(server):
    pem = (server.data_dir / "dev-idp-key.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def _claims(server, **changes):
    now = int(time.time())
    claims = {
        "iss": server.url + "/dev-idp/v2.0",
        "aud": DEV_AUDIENCE,
        "tid": "contoso.example",
        "oid": "00000000-0000-0000-0000-000000000001",
        "preferred_username": "alice@contoso.example",
        "name": "Alice",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims, key, alg="RS256", kid=KEY_ID):
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _hand_signed_hs256(claims, secret: bytes) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KEY_ID}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(mac)}"


async def _hello(server, token):
    client = await WsClient.open(server)
    await client.send(Hello(token=token, role="helper"))
    return await client.recv()


async def test_a_good_token_is_accepted(signaling_server):
    token = _sign(_claims(signaling_server), _server_key(signaling_server))
    assert (await _hello(signaling_server, token)).type == "welcome"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_key", "invalid_token"),
        ("expired", "token_expired"),
        ("not_yet_valid", "invalid_token"),
        ("wrong_audience", "invalid_token"),
        ("wrong_issuer", "invalid_token"),
        ("wrong_tenant", "invalid_token"),
        ("no_oid", "invalid_token"),
        ("unknown_kid", "invalid_token"),
        ("hs256", "invalid_token"),
        ("none", "invalid_token"),
        ("garbage", "invalid_token"),
    ],
)
async def test_bad_tokens_are_refused(signaling_server, case, expected):
    key = _server_key(signaling_server)
    now = int(time.time())
    claims = _claims(signaling_server)
    if case == "wrong_key":
        token = _sign(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    elif case == "expired":
        token = _sign({**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}, key)
    elif case == "not_yet_valid":
        token = _sign({**claims, "nbf": now + 3600}, key)
    elif case == "wrong_audience":
        token = _sign({**claims, "aud": "api://someone-else"}, key)
    elif case == "wrong_issuer":
        token = _sign({**claims, "iss": "https://login.example/v2.0"}, key)
    elif case == "wrong_tenant":
        token = _sign({**claims, "tid": "fabrikam.example"}, key)
    elif case == "no_oid":
        token = _sign(_claims(signaling_server, oid=None), key)
    elif case == "unknown_kid":
        token = _sign(claims, key, kid="another-key")
    elif case == "hs256":
        # The classic confusion: the public key used as an HMAC secret.
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        token = _hand_signed_hs256(claims, public)
    elif case == "none":
        token = jwt.encode(claims, None, algorithm="none", headers={"kid": KEY_ID})
    else:
        token = "not.a.token"
    reply = await _hello(signaling_server, token)
    assert (reply.type, reply.code.value) == ("error", expected)


def test_the_development_provider_answers_only_loopback_host_names(signaling_server):
    port = signaling_server.url.rsplit(":", 1)[1]
    for host in ("127.0.0.1", "localhost"):
        ok = httpx.post(
            signaling_server.url + "/dev-idp/token",
            json={"upn": "alice@contoso.example"},
            headers={"Host": f"{host}:{port}"},
        )
        assert ok.status_code == 200
    # A page on evil.example whose name now resolves to 127.0.0.1 (DNS rebinding).
    rebound = httpx.post(
        signaling_server.url + "/dev-idp/token",
        json={"upn": "alice@contoso.example"},
        headers={"Host": f"evil.example:{port}"},
    )
    assert rebound.status_code == 403 and "access_token" not in rebound.text
