"""The device agent's websocket, ``/v1/agent`` (protocol in ``common.devices.agent_protocol``).

Every frame is a signed envelope, checked (signature, age, nonce) before its body is read.
A frame that fails the check closes the link: whoever sent it is not the device. Anything
else that is wrong costs one ``error`` and the link goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from common.devices.agent_protocol import (
    AGENT_PATH,
    ActionUpdate,
    AgentError,
    CheckIn,
    ToAgent,
    agent_body,
    encode,
    parse_envelope,
)
from common.devices.records import DeviceStatus
from common.logging_setup import bind_log_context
from common.protocol import ErrorCode, ProtocolError
from signaling.admission import POLICY_VIOLATION, SocketRules, admitted
from signaling.devices.rules import Refused
from signaling.devices.service import (
    NORMAL_CLOSE,
    DeviceRefused,
    DeviceService,
    DevicesUnavailable,
)

log = logging.getLogger(__name__)
RETIRE_REASONS: dict[DeviceStatus, Literal["deleted", "retired"]] = {
    DeviceStatus.DELETED: "deleted",
    DeviceStatus.RETIRED: "retired",
}


class _Closed(Exception):
    """The agent went away."""


class _Link:
    """One agent's websocket, as the service pushes to it."""

    def __init__(self, ws: WebSocket) -> None:
        self._ws = ws

    async def send(self, message: ToAgent) -> None:
        if self._ws.application_state is not WebSocketState.CONNECTED:
            return
        try:
            await self._ws.send_text(encode(message))
        except (RuntimeError, OSError):
            log.info("send to a closed agent link dropped")

    async def close(self, code: int) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            await self._ws.close(code=code)


async def _frame(ws: WebSocket) -> str:
    frame = await ws.receive()
    if frame["type"] == "websocket.disconnect":
        raise _Closed
    text = frame.get("text")
    if not isinstance(text, str):
        raise ProtocolError(ErrorCode.MALFORMED, "frames must be text (JSON)")
    return text


def agent_router(service: DeviceService, rules: SocketRules) -> APIRouter:
    router = APIRouter()

    @router.websocket(AGENT_PATH)
    async def endpoint(ws: WebSocket) -> None:
        async with admitted(ws, rules) as address:
            if address is not None:
                with contextlib.suppress(_Closed, WebSocketDisconnect, RuntimeError):
                    await _serve(_Link(ws), ws)

    async def _signed(link: _Link, raw: str) -> tuple[str, CheckIn | ActionUpdate] | None:
        """The device id and body if the device signed this, now, once (None: answered);
        a signature that fails closes the link, whoever sent it is not the device."""
        try:
            envelope = parse_envelope(raw)
            stored = await service.authenticate(envelope)
            body = agent_body(envelope)
        except ProtocolError as exc:
            await link.send(AgentError(code=exc.code, message=exc.message))
            return None
        except DeviceRefused as exc:
            await link.send(AgentError(code=ErrorCode.DEVICE_REFUSED, message=str(exc)))
            await link.close(POLICY_VIOLATION)
            raise _Closed from exc
        if stored.record.status is not DeviceStatus.ENROLLED:
            reason = RETIRE_REASONS[stored.record.status]
            await link.send(service.retire_message(stored.record.id, reason))
            await link.close(NORMAL_CLOSE)
            raise _Closed
        return stored.record.id, body

    async def _serve(link: _Link, ws: WebSocket) -> None:
        try:
            first = await asyncio.wait_for(_frame(ws), rules.hello_timeout_seconds)
        except (TimeoutError, ProtocolError):
            await link.close(POLICY_VIOLATION)
            return
        signed = await _signed(link, first)
        if signed is None or not isinstance(signed[1], CheckIn):
            await link.send(AgentError(code=ErrorCode.UNAUTHENTICATED, message="check in first"))
            await link.close(POLICY_VIOLATION)
            return
        device_id, body = signed
        bind_log_context(device=device_id)
        await service.connected(device_id, link)
        log.info("agent connected")
        try:
            while await _answer(link, device_id, body):
                signed = None
                while signed is None:
                    try:
                        signed = await _signed(link, await _frame(ws))
                    except ProtocolError as exc:
                        await link.send(AgentError(code=exc.code, message=exc.message))
                if signed[0] != device_id:
                    await link.send(
                        AgentError(code=ErrorCode.DEVICE_REFUSED, message="one device per link")
                    )
                    await link.close(POLICY_VIOLATION)
                    return
                body = signed[1]
        finally:
            service.disconnected(device_id, link)
            log.info("agent disconnected")

    async def _answer(link: _Link, device_id: str, body: CheckIn | ActionUpdate) -> bool:
        """Act on one verified body; False once the link is to end (the device retired)."""
        try:
            if isinstance(body, CheckIn):
                checked, deliver = await service.check_in(device_id, body)
                await link.send(checked)
                await link.send(deliver)
                return True
            ack, retired = await service.update(device_id, body)
            await link.send(ack)
        except Refused as exc:
            await link.send(AgentError(code=ErrorCode.INVALID, message=exc.message))
            return True
        except DevicesUnavailable:
            await link.send(
                AgentError(code=ErrorCode.INTERNAL, message="the server cannot record this now")
            )
            return True
        except Exception:  # a bug must cost one message, not the link or the server
            log.exception("agent message handling failed")
            await link.send(AgentError(code=ErrorCode.INTERNAL, message="internal error"))
            return True
        if retired:
            await link.send(service.retire_message(device_id, "retired"))
            await link.close(NORMAL_CLOSE)
            return False
        return True

    return router
