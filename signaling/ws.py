"""The websocket endpoint: origin check, sign-in, then every frame through parse_message.

Nothing a client sends can raise out of here: bad frames get an ``error`` and the loop goes
on; only a failed sign-in closes the connection.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from common.protocol import (
    Error,
    ErrorCode,
    Hello,
    ProtocolError,
    Welcome,
    encode_message,
    parse_message,
)
from signaling.connection import Connection
from signaling.hub import Hub
from signaling.rbac import account_for
from signaling.tokens import TokenError, TokenValidator
from signaling.turn import IceServerIssuer

log = logging.getLogger(__name__)

HELLO_TIMEOUT_SECONDS = 15
POLICY_VIOLATION = 1008


def websocket_router(
    hub: Hub, validator: TokenValidator, allowed_origins: list[str], ice: IceServerIssuer
) -> APIRouter:
    router = APIRouter()

    @router.websocket("/v1/ws")
    async def endpoint(ws: WebSocket) -> None:
        origin = ws.headers.get("origin")
        if origin is not None and origin not in allowed_origins:
            # Browsers always send Origin; desktop apps don't. Refuse cross-site pages.
            log.warning("websocket from a foreign origin refused")
            await ws.close(code=POLICY_VIOLATION)
            return
        await ws.accept()
        address = ws.client.host if ws.client else ""
        conn = await _sign_in(ws, validator, hub, address, ice)
        if conn is None:
            await ws.close(code=POLICY_VIOLATION)
            return
        try:
            while True:
                raw = await ws.receive_text()
                try:
                    message = parse_message(raw)
                except ProtocolError as exc:
                    await conn.send(exc.to_message())
                    continue
                if isinstance(message, Hello):
                    await conn.send(Error(code=ErrorCode.WRONG_STATE, message="already signed in"))
                    continue
                try:
                    await hub.handle(conn, message)
                except Exception:  # a bug must cost one message, not the server
                    log.exception("message handling failed")
                    await conn.send(Error(code=ErrorCode.INTERNAL, message="internal error"))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await hub.disconnected(conn)

    return router


async def _send(ws: WebSocket, message: Error | Welcome) -> None:
    await ws.send_text(encode_message(message))


async def _sign_in(
    ws: WebSocket, validator: TokenValidator, hub: Hub, address: str, ice: IceServerIssuer
) -> Connection | None:
    """Read until a valid hello; anything else first is answered and refused."""
    try:
        raw = await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT_SECONDS)
    except (TimeoutError, WebSocketDisconnect, RuntimeError):
        return None
    try:
        message = parse_message(raw)
    except ProtocolError as exc:
        await _send(ws, exc.to_message())
        return None
    if not isinstance(message, Hello):
        await _send(ws, Error(code=ErrorCode.UNAUTHENTICATED, message="sign in first (hello)"))
        return None
    try:
        principal = await validator.validate(message.token)
    except TokenError as exc:
        await _send(ws, Error(code=exc.code, message=exc.message))
        return None
    account = account_for(principal, hub.directory)
    conn = Connection(
        ws=ws, role=message.role, account=account, address=address, device_name=message.device_name
    )
    await _send(
        ws,
        Welcome(
            user=account.upn,
            name=account.name,
            permissions=sorted(account.permissions),
            server_key=hub.signer.public_key_b64,
            ice_servers=ice.for_user(principal.oid),
        ),
    )
    log.info("signed in role=%s user=%s", message.role.value, account.upn)
    return conn
