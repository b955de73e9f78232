"""A small OpenID Connect provider shaped like Entra ID, on a loopback port, for the console's
sign-in tests: an authorize endpoint that signs in one chosen user at once, a token endpoint
that insists on PKCE (S256), and the JWKS. Entra itself cannot be reached from here."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-idp-1"


class TestIdentityProvider:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, tenant: str, audience: str) -> None:
        self.tenant = tenant
        self.audience = audience
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.user: dict[str, str] = {}  # oid, upn, name of whoever signs in next
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": f"{self.url}/{self.tenant}/v2.0", "aud": self.audience, "tid": self.tenant,
            "oid": self.user["oid"], "preferred_username": self.user["upn"],
            "name": self.user["name"], "iat": now, "nbf": now, "exp": now + 600,
        }  # fmt: skip
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None, location: str = "") -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == f"/{idp.tenant}/discovery/v2.0/keys":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(idp.key.public_key(), as_dict=True)
                    self._send(200, {"keys": [{**jwk, "kid": KID, "use": "sig"}]})
                elif parts.path == f"/{idp.tenant}/oauth2/v2.0/authorize":
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = query
                    back = urlencode({"code": code, "state": query.get("state", "")})
                    self._send(302, location=f"{query['redirect_uri']}?{back}")
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                idp.token_requests.append(form)
                asked = idp.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if (asked is None or asked.get("code_challenge_method") != "S256"
                        or asked.get("code_challenge") != challenge
                        or asked.get("client_id") != form.get("client_id")
                        or asked.get("redirect_uri") != form.get("redirect_uri")):  # fmt: skip
                    self._send(400, {"error": "invalid_grant"})
                    return
                self._send(200, {"access_token": idp._token(), "token_type": "Bearer"})

        return Handler
