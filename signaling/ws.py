"""The websocket endpoint: origin check, sign-in, then every frame through parse_message.

Nothing a client sends can raise out of here: bad frames get an ``error`` and the loop goes
on; only a failed sign-in closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from common.devices.records import DeviceRecord
from common.logging_setup import bind_log_context
from common.protocol import (
    Error,
    ErrorCode,
    Hello,
    PeerRole,
    ProtocolError,
    Welcome,
    encode_message,
    error_message,
    parse_message,
)
from signaling.admission import (
    POLICY_VIOLATION,
    SERVICE_RESTART,
    SocketRules,
    admitted,
)
from signaling.connection import SocketConnection
from signaling.devices.service import DeviceRefused, DeviceService, DevicesUnavailable
from signaling.identity.auth import Authenticator
from signaling.identity.tokens import TokenError
from signaling.pairing.hub import Hub

log = logging.getLogger(__name__)


def websocket_router(
    hub: Hub, auth: Authenticator, server_key: str, rules: SocketRules, devices: DeviceService
) -> APIRouter:
    router = APIRouter()

    @router.websocket("/v1/ws")
    async def endpoint(ws: WebSocket) -> None:
        async with admitted(ws, rules) as address:
            if address is not None:
                await _serve(ws, address)

    async def _serve(ws: WebSocket, address: str) -> None:
        conn = await _sign_in(ws, auth, server_key, address, rules, devices)
        if conn is None:
            with contextlib.suppress(WebSocketDisconnect):  # it may have left already
                await ws.close(code=POLICY_VIOLATION)
            return
        hub.connected(conn)
        going_away = False
        try:
            while True:
                raw = await _receive(ws)
                if raw is None:
                    await conn.send(
                        Error(code=ErrorCode.MALFORMED, message="frames must be text (JSON)")
                    )
                    continue
                try:
                    message = parse_message(raw)
                except ProtocolError as exc:
                    await conn.send(error_message(exc))
                    continue
                if isinstance(message, Hello):
                    await conn.send(Error(code=ErrorCode.WRONG_STATE, message="already signed in"))
                    continue
                try:
                    await hub.handle(conn, message)
                    bind_log_context(session=conn.session_id)
                except Exception:  # a bug must cost one message, not the server
                    log.exception("message handling failed")
                    await conn.send(Error(code=ErrorCode.INTERNAL, message="internal error"))
        except WebSocketDisconnect as exc:
            # uvicorn closes every websocket with 1012 when the server itself stops.
            going_away = exc.code == SERVICE_RESTART
        except RuntimeError:
            pass
        finally:
            await hub.disconnected(conn, server_going_away=going_away)

    return router


async def _send(ws: WebSocket, message: Error | Welcome) -> None:
    """A client gone while we answer its hello is no error of ours: its disconnect is read
    next (Starlette raises WebSocketDisconnect for the send)."""
    try:
        await ws.send_text(encode_message(message))
    except (RuntimeError, OSError, WebSocketDisconnect):
        log.info("answer to a closed connection dropped")


async def _receive(ws: WebSocket) -> str | None:
    """The next text frame; None for a binary one (answered, not fatal)."""
    frame = await ws.receive()
    if frame["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(frame.get("code", 1000))
    text = frame.get("text")
    return text if isinstance(text, str) else None


async def _proven_device(hello: Hello, devices: DeviceService) -> DeviceRecord:
    """The enrolled device a sharer's hello proves; a proof that fails refuses the sign-in."""
    if hello.role is not PeerRole.SHARER or hello.device_proof is None:
        raise ProtocolError(ErrorCode.INVALID, "only a sharer's app sends a device proof")
    try:
        return await devices.prove(hello.device_proof, hello.token)
    except DeviceRefused as exc:
        raise ProtocolError(ErrorCode.DEVICE_REFUSED, str(exc)) from exc
    except DevicesUnavailable as exc:
        raise ProtocolError(
            ErrorCode.INTERNAL, "the server cannot check devices right now; try again later"
        ) from exc


async def _sign_in(
    ws: WebSocket,
    auth: Authenticator,
    server_key: str,
    address: str,
    rules: SocketRules,
    devices: DeviceService,
) -> SocketConnection | None:
    """Read until a valid hello; anything else first is answered and refused."""
    try:
        raw = await asyncio.wait_for(_receive(ws), rules.hello_timeout_seconds)
    except (TimeoutError, WebSocketDisconnect, RuntimeError):
        return None
    if raw is None:
        await _send(ws, Error(code=ErrorCode.MALFORMED, message="frames must be text (JSON)"))
        return None
    try:
        message = parse_message(raw)
    except ProtocolError as exc:
        await _send(ws, error_message(exc))
        return None
    if not isinstance(message, Hello):
        await _send(ws, Error(code=ErrorCode.UNAUTHENTICATED, message="sign in first (hello)"))
        return None
    try:
        account = await auth.account(message.token)
    except TokenError as exc:
        await _send(ws, Error(code=exc.code, message=exc.message))
        return None
    device = None
    if message.device_proof is not None:
        try:
            device = await _proven_device(message, devices)
        except ProtocolError as exc:
            await _send(ws, error_message(exc))
            return None
    conn = SocketConnection(
        ws=ws,
        role=message.role,
        account=account,
        address=address,
        device_name=message.device_name,
        device=device,
    )
    await _send(
        ws,
        Welcome(
            user=account.upn,
            name=account.name,
            permissions=sorted(account.permissions),
            server_key=server_key,
            ice_servers=rules.ice.for_user(account.principal.oid),
        ),
    )
    bind_log_context(role=message.role.value)
    log.info("signed in")
    return conn
