"""A bare signaling client for attackers: it sends anything, and checks every answer.

Every frame the server sends must be a valid protocol message and never an ``internal``
error. A second ``hello`` is always answered ``wrong_state`` ("already signed in") and
changes nothing, so it serves as a probe: its answer marks the end of the replies to
whatever was sent before it, and proves the connection still works.
"""

from __future__ import annotations

from typing import Any

from websockets.sync.client import ClientConnection, connect

from common.protocol import (
    Ended,
    EndReason,
    Error,
    ErrorCode,
    Hello,
    Message,
    ResumeToken,
    encode_message,
    parse_message,
)

PROBE = encode_message(Hello(token="probe", role="helper"))
ALREADY = "already signed in"
REPLY_TIMEOUT = 30


def checked(raw: Any) -> Message:
    """A frame from the server: always a valid protocol message, never an internal error."""
    assert isinstance(raw, str), "the server sends text frames only"
    message = parse_message(raw)
    assert not (isinstance(message, Error) and message.code is ErrorCode.INTERNAL), raw
    return message


class Attacker:
    """A signed-in connection that sends anything, then checks it still answers."""

    def __init__(self, server: Any, upn: str, role: str, address: str) -> None:
        self.ws: ClientConnection = connect(
            server.ws_url,
            additional_headers={"X-Forwarded-For": address},
            max_size=2**22,
            # No keepalive pings: their payloads come from the random module, on a thread of
            # their own, while Hypothesis draws a case; these connections live seconds.
            ping_interval=None,
            legacy=True,
        )
        self.ws.send(encode_message(Hello(token=server.token_for(upn), role=role)))
        assert checked(self.ws.recv(REPLY_TIMEOUT)).type == "welcome"

    def exchange(self, frame: str | bytes, probes: int = 1) -> list[Message]:
        """Send ``frame`` and a probe; the replies up to the probe's answer (kept out)."""
        self.ws.send(frame)
        return self.drain(probes)

    def drain(self, probes: int = 1) -> list[Message]:
        """Everything received before the answers to ``probes`` hellos, one sent now."""
        self.ws.send(PROBE)
        replies: list[Message] = []
        while probes:
            message = checked(self.ws.recv(REPLY_TIMEOUT))
            if isinstance(message, Error) and message.message == ALREADY:
                probes -= 1
            elif not (
                (isinstance(message, Ended) and message.reason is EndReason.CODE_EXPIRED)
                or isinstance(message, ResumeToken)
            ):
                # A code asked for earlier may expire at any moment, and an active session is
                # handed a fresh resume token unasked: neither answers this frame.
                replies.append(message)
        return replies

    def close(self) -> None:
        self.ws.close()
