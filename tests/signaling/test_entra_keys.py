"""The Entra path against a local issuer whose JWKS holds two keys and rotates."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from common.protocol import Hello
from devtools.server import start_server
from signaling.identity.jwks import JwksCache, JwksError
from tests.signaling.wsclient import WsClient

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://helpline"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LocalIssuer:
    """Serves ``/{tenant}/discovery/v2.0/keys`` with the keys it holds now; counts fetches."""

    url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    fetches: int = 0
    down: bool = False  # answers 503, as a provider that is unreachable would fail

    def jwks(self) -> dict[str, object]:
        return {
            "keys": [
                {**jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key(), as_dict=True), "kid": kid}
                for kid, k in self.keys.items()
            ]
        }

    @property
    def keys_url(self) -> str:
        return f"{self.url}/{TENANT}/discovery/v2.0/keys"

    def token(self, kid: str, key: rsa.RSAPrivateKey | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": f"{self.url}/{TENANT}/v2.0",
            "aud": AUDIENCE,
            "tid": TENANT,
            "oid": "oid-of-eve",
            "preferred_username": "eve@fabrikam.example",
            "name": "Eve",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def issuer() -> Iterator[LocalIssuer]:
    state = LocalIssuer(keys={"k1": _key(), "k2": _key()})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.fetches += 1
            if state.down:
                self.send_error(503)
                return
            body = json.dumps(state.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


async def _found(cache: JwksCache, kid: str) -> bool:
    """Whether the cache has a key for ``kid`` (a refusal is an answer, not a crash)."""
    try:
        return await cache.key_for(kid) is not None
    except JwksError:
        return False


async def test_both_keys_verify_and_a_rotated_key_is_fetched_once(issuer):
    now = [0.0]
    cache = JwksCache(issuer.keys_url, min_refresh_seconds=60, clock=lambda: now[0])
    assert await _found(cache, "k1")
    assert await _found(cache, "k2")
    assert issuer.fetches == 1
    issuer.keys["k3"] = _key()  # the provider rotates in a new key
    # Within the refresh window an unknown kid is refused without asking again...
    with pytest.raises(JwksError):
        await cache.key_for("k3")
    assert issuer.fetches == 1
    now[0] = 61.0
    # ...after it, one unknown kid means one fetch, and the new key is there.
    assert await _found(cache, "k3")
    assert issuer.fetches == 2
    # Forged kids cannot make us hammer the provider: refused, nothing fetched.
    for n in range(20):
        with pytest.raises(JwksError):
            await cache.key_for(f"forged-{n}")
    assert issuer.fetches == 2


async def test_a_key_set_older_than_its_maximum_age_is_fetched_again(issuer):
    """A key the provider withdrew stops verifying once the set is older than its maximum
    age, even though its kid is still in the cache."""
    now = [0.0]
    cache = JwksCache(
        issuer.keys_url, min_refresh_seconds=60, max_age_seconds=600, clock=lambda: now[0]
    )
    assert await _found(cache, "k1")
    issuer.keys.pop("k1")  # withdrawn by the provider
    now[0] = 599.0
    assert await _found(cache, "k1"), "younger than its maximum age: kept"
    assert issuer.fetches == 1
    now[0] = 601.0
    with pytest.raises(JwksError):
        await cache.key_for("k1")
    assert issuer.fetches == 2
    assert await _found(cache, "k2")  # from the new set: no further fetch
    assert issuer.fetches == 2


async def test_a_key_set_too_old_to_refresh_is_not_used(issuer):
    """When the provider cannot be reached the old set is not trusted past its maximum age."""
    now = [0.0]
    cache = JwksCache(
        issuer.keys_url, min_refresh_seconds=60, max_age_seconds=600, clock=lambda: now[0]
    )
    assert await _found(cache, "k1")
    issuer.down = True
    now[0] = 601.0
    with pytest.raises(JwksError):
        await cache.key_for("k1")
    assert issuer.fetches == 2
    issuer.down = False
    now[0] = 662.0
    assert await _found(cache, "k1")


async def test_the_entra_configuration_accepts_tokens_from_the_rotated_issuer(tmp_path, issuer):
    env = {
        "HELPLINE_ENTRA_TENANT_ID": TENANT,
        "HELPLINE_ENTRA_AUDIENCE": AUDIENCE,
        "HELPLINE_ENTRA_AUTHORITY": issuer.url,
        "HELPLINE_JWKS_MIN_REFRESH_SECONDS": "0",
    }
    server = start_server(None, tmp_path / "data", env=env)
    try:

        async def hello(token: str) -> str:
            client = await WsClient.open(server)
            await client.send(Hello(token=token, role="sharer"))
            reply = await client.recv()
            await client.close()
            return reply.type if reply.type == "welcome" else reply.code.value

        assert await hello(issuer.token("k1")) == "welcome"
        assert await hello(issuer.token("k2")) == "welcome"
        retired = issuer.keys.pop("k1")
        issuer.keys["k3"] = _key()
        assert await hello(issuer.token("k3")) == "welcome"
        # The refetch replaced the key set: the retired key no longer signs anything.
        assert await hello(issuer.token("k1", retired)) == "invalid_token"
        assert await hello(issuer.token("k2", _key())) == "invalid_token"
    finally:
        server.stop()
