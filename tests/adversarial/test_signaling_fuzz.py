"""Hostile signaling frames against a real server, beside a real session that must not notice.

Attackers sign in as the very accounts of the live session (alice helps, bob shares), as
other users, or not at all, and send frames drawn from every message model in
``common/protocol.py`` with hostile values, plus garbage. The oracle is ``parse_message``
itself, run here on the same bytes: a frame it refuses must come back as exactly that
error; a frame it accepts gets whatever the hub decides, which must be a valid protocol
message and never ``internal``. After every frame a second ``hello`` (always answered
``wrong_state``) proves the connection still works.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from common.protocol import (
    Consent,
    Error,
    ErrorCode,
    Hello,
    Message,
    ProtocolError,
    RedeemCode,
    RequestCode,
    encode_message,
    parse_message,
)
from devtools.display import xvfb
from tests.adversarial.attacker import ALREADY, PROBE, REPLY_TIMEOUT, Attacker, checked
from tests.adversarial.harness import CaseCount, LiveSession, ScreenAnimator, fuzz_settings
from tests.adversarial.strategies import SIGNALING_FRAMES, TextBytes
from tests.fixtures_display import SCREEN

pytestmark = pytest.mark.display

# Forwarded headers from a trusted proxy are believed only when they hold an address.
FORWARDED = ["10.9.8.7", "", "not-an-address", "1.2.3.4, 5.6.7.8", "::1", "999.1.1.1", "x" * 900]


def _local_verdict(frame: str | bytes) -> Message | ErrorCode:
    """What the protocol says of this frame: the message, or the error it must get."""
    if isinstance(frame, bytes):
        return ErrorCode.MALFORMED  # binary frames are answered, never parsed
    try:
        return parse_message(frame)
    except ProtocolError as exc:
        return exc.code


class Attackers:
    """Unpaired attackers and a pair of attackers in a session of their own (re-paired when
    a frame ends it), each behind its own forwarded address so that the limits one of them
    earns do not fall on the others."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.helper = Attacker(server, "alice@contoso.example", "helper", "10.0.0.1")
        self.sharer = Attacker(server, "carol@contoso.example", "sharer", "10.0.0.2")
        self.pair: tuple[Attacker, Attacker] | None = None

    def paired(self) -> tuple[Attacker, Attacker]:
        if self.pair is None:
            helper = Attacker(self.server, "victor@contoso.example", "helper", "10.0.0.3")
            sharer = Attacker(self.server, "bob@contoso.example", "sharer", "10.0.0.4")
            (code,) = helper.exchange(encode_message(RequestCode()))
            (card,) = sharer.exchange(encode_message(RedeemCode(code=code.code)))  # type: ignore[union-attr]
            assert card.type == "helper_identity"
            sharer.exchange(encode_message(Consent(level="view")))
            assert [m.type for m in helper.drain()] == ["sharer_joined", "consent_result"]
            self.pair = (helper, sharer)
        return self.pair

    def unpair(self) -> None:
        if self.pair is not None:
            for attacker in self.pair:
                attacker.close()
            self.pair = None

    def close(self) -> None:
        self.unpair()
        self.helper.close()
        self.sharer.close()


def _assert_answered(frame: str | bytes, replies: list[Message]) -> None:
    verdict = _local_verdict(frame)
    if isinstance(verdict, ErrorCode):
        assert [(r.type, getattr(r, "code", None)) for r in replies] == [("error", verdict)]


def _unauthenticated(server: Any, frame: str | bytes, forwarded: str, real_token: bool) -> str:
    """A fresh connection whose first frame is this one: a hello with a real token signs in;
    anything else is answered once and the connection closed with 1008."""
    verdict = _local_verdict(frame)
    if real_token and isinstance(verdict, Hello):
        frame = encode_message(
            verdict.model_copy(update={"token": server.token_for("bob@contoso.example")})
        )
        verdict = _local_verdict(frame)
    with connect(
        server.ws_url, additional_headers={"X-Forwarded-For": forwarded}, ping_interval=None
    ) as ws:
        ws.send(frame)
        reply = checked(ws.recv(REPLY_TIMEOUT))
        if isinstance(verdict, Hello) and real_token:
            assert reply.type == "welcome", reply
            ws.send(PROBE)
            assert checked(ws.recv(REPLY_TIMEOUT)).message == ALREADY  # type: ignore[union-attr]
            return "signed in"
        assert isinstance(reply, Error), reply
        if isinstance(verdict, ErrorCode):
            assert reply.code is verdict, (frame, reply)
        elif isinstance(verdict, Hello):
            assert reply.code in (ErrorCode.INVALID_TOKEN, ErrorCode.TOKEN_EXPIRED), reply
        else:
            assert reply.code is ErrorCode.UNAUTHENTICATED, reply
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(REPLY_TIMEOUT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        return reply.code.value


def _not_utf8(server: Any, frame: TextBytes, signed_in: bool) -> str:
    """A text frame that is not UTF-8 breaks the WebSocket protocol: that connection (a
    fresh one, so the standing attackers stay) is closed with 1007 and nothing else."""
    attacker = (
        Attacker(server, "carol@contoso.example", "sharer", "10.0.0.5") if signed_in else None
    )
    ws = attacker.ws if attacker else connect(server.ws_url, ping_interval=None, legacy=True)
    ws.send(frame.data, text=True)
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(REPLY_TIMEOUT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    return "closed 1007"


TARGETS = ["unauthenticated", "helper", "sharer", "paired helper", "paired sharer"]


def _signed_in(attackers: Attackers, target: str, frame: str | bytes) -> str:
    """Send one frame from a standing attacker; return what it was answered (for the count)."""
    probes = 1 + isinstance(_local_verdict(frame), Hello)
    if target.startswith("paired"):
        helper, sharer = attackers.paired()
        sender, other = (helper, sharer) if target == "paired helper" else (sharer, helper)
        replies = sender.exchange(frame, probes)
        relayed = other.drain()
        if any(m.type == "ended" for m in replies + relayed):
            attackers.unpair()
    else:
        sender = attackers.helper if target == "helper" else attackers.sharer
        replies = sender.exchange(frame, probes)
    _assert_answered(frame, replies)
    first = replies[0] if replies else None
    return first.code.value if isinstance(first, Error) else "answered"


def test_hostile_frames_are_answered_and_the_live_session_goes_on(proxied_server):
    count = CaseCount("signaling")
    with xvfb(*SCREEN) as display, ScreenAnimator(display):
        live = LiveSession(proxied_server.url, display)
        attackers = Attackers(proxied_server)
        health = httpx.Client(base_url=proxied_server.url, timeout=REPLY_TIMEOUT)

        @fuzz_settings(default_examples=200)
        @given(
            target=st.sampled_from(TARGETS),
            frame=SIGNALING_FRAMES,
            forwarded=st.sampled_from(FORWARDED),
            real_token=st.booleans(),
        )
        def attack(
            target: str, frame: str | bytes | TextBytes, forwarded: str, real_token: bool
        ) -> None:
            count.case()
            if isinstance(frame, TextBytes):
                answer = _not_utf8(proxied_server, frame, signed_in=target != "unauthenticated")
            elif target == "unauthenticated":
                answer = _unauthenticated(proxied_server, frame, forwarded, real_token)
            else:
                answer = _signed_in(attackers, target, frame)
            count.sent(f"{target}: {answer}")
            assert health.get("/healthz").status_code == 200

        try:
            attack()
            live.check()
        finally:
            count.report()
            attackers.close()
            health.close()
        live.close()
    log = proxied_server.log_path.read_text()
    assert "Traceback" not in log, log[-5000:]
