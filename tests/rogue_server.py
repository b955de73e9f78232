"""A signaling server that lies to the sharer: it hands over an identity card that is forged.

It speaks the real protocol (typed messages, the development sign-in route) in this test's
own event loop, so a real sharer process can sign in, redeem a code and be shown the card;
everything the sharer sends back is recorded, so a test can tell whether it ever consented.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from common.identity_card import CardSigner, IdentityCard, SignedCard
from common.permissions import ConsentLevel
from common.protocol import (
    HelperIdentity,
    Message,
    RedeemCode,
    Welcome,
    encode_message,
    parse_message,
)

CardForger = Callable[[CardSigner, IdentityCard], SignedCard]


def genuine_card() -> IdentityCard:
    return IdentityCard(
        name="Alice Example",
        upn="alice@contoso.example",
        company="Contoso",
        verified_domain="contoso.example",
        job_title="Support engineer",
        tenant="contoso",
        session_id="rogue-session",
        issued_at=datetime.now(UTC),
    )


class RogueServer:
    """Welcomes the sharer with its key, then answers the code with ``forge``'s card, offering
    ``offered``; it refuses nothing the sharer sends afterwards, it only records it."""

    def __init__(self, forge: CardForger, offered: list[str] | None = None) -> None:
        self.signer = CardSigner(Ed25519PrivateKey.generate())
        self.forge = forge
        self.offered = [ConsentLevel(level) for level in offered or ["view", "control"]]
        self.received: list[Message] = []
        self.url = ""
        app = FastAPI()
        app.post("/dev-idp/token")(self._token)
        app.websocket("/v1/ws")(self._session)
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        )

    async def _token(self) -> dict[str, str]:
        return {"access_token": "not-checked-by-a-rogue", "token_type": "Bearer"}

    async def _session(self, ws: WebSocket) -> None:
        await ws.accept()
        with contextlib.suppress(WebSocketDisconnect):
            self.received.append(parse_message(await ws.receive_text()))  # hello
            welcome = Welcome(
                user="bob@contoso.example",
                name="Bob Example",
                permissions=[],
                server_key=self.signer.public_key_b64,
            )
            await ws.send_text(encode_message(welcome))
            while True:
                message = parse_message(await ws.receive_text())
                self.received.append(message)
                if isinstance(message, RedeemCode):
                    identity = HelperIdentity(
                        signed_card=self.forge(self.signer, genuine_card()),
                        offered_levels=self.offered,
                    )
                    await ws.send_text(encode_message(identity))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RogueServer]:
        task = asyncio.ensure_future(self._server.serve())
        try:
            while not self._server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
            port = self._server.servers[0].sockets[0].getsockname()[1]
            self.url = f"http://127.0.0.1:{port}"
            yield self
        finally:
            self._server.should_exit = True
            await task


def signed_genuinely(signer: CardSigner, card: IdentityCard) -> SignedCard:
    """The card as the server would sign it: the attack is elsewhere."""
    return signer.sign(card)


def signed_by_another_key(_: CardSigner, card: IdentityCard) -> SignedCard:
    """A well-formed card signed by a key that is not the server's."""
    return CardSigner(Ed25519PrivateKey.generate()).sign(card)


# Another valid value for every field of a card: each one, changed after signing, must be
# refused. A field added to the card without a line here fails the tests that use this.
CHANGED_FIELDS: dict[str, Any] = {
    "name": "Contoso IT Security",
    "upn": "mallory@contoso.example",
    "company": "Fabrikam",
    "verified_domain": "fabrikam.example",
    "job_title": "Chief Security Officer",
    "tenant": "fabrikam",
    "session_id": "another-session",
    "dtls_fingerprint": "sha-256 AA:BB:CC",
    "issued_at": timedelta(seconds=1),  # added to the signed time
}


def changed_after_signing(field: str) -> CardForger:
    """The server's genuine signature over a card with ``field`` changed afterwards."""

    def forge(signer: CardSigner, card: IdentityCard) -> SignedCard:
        signed = signer.sign(card)
        value = CHANGED_FIELDS[field]
        if isinstance(value, timedelta):
            value = getattr(card, field) + value
        assert value != getattr(card, field), f"{field} would not change"
        return SignedCard(card=card.model_copy(update={field: value}), signature=signed.signature)

    forge.__name__ = f"{field}_changed_after_signing"
    return forge
