"""Both engines in one process against the real server, joined by fake peer links; and one
engine against scripted signaling where the order of events must be exact."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from client.session import server_link
from client.session.engine_base import EngineParts
from client.session.events import (
    AdminPromptShown,
    CodeIssued,
    Connected,
    Ended,
    EngineEvent,
    ErrorReported,
    HelperIdentityShown,
    LinkSlowChanged,
    PauseChanged,
)
from client.session.helper_engine import HelperEngine, HelperState
from client.session.outcome import ExitStatus
from client.session.sharer_engine import SharerEngine
from client.settings import AppSettings
from common.permissions import ConsentChoice
from common.protocol import CodeIssued as CodeMessage
from common.protocol import End, Error, ErrorCode, Hello, RequestCode, Welcome
from tests.engines.fakes import (
    FakeNetwork,
    RecordingInjector,
    RecordingTrack,
    ScriptedSignaling,
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[EngineEvent] = []
        self.arrived = asyncio.Event()

    def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    async def next(self, kind: type[EngineEvent], timeout: float = 30) -> EngineEvent:
        async def wait() -> EngineEvent:
            while True:
                for event in self.events:
                    if isinstance(event, kind):
                        self.events.remove(event)
                        return event
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), timeout)


async def _pair(server_url: str, network: FakeNetwork, admin_prompts=None):
    parts = EngineParts(link_factory=network.link)
    helper = HelperEngine(AppSettings(server=server_url, user="alice@contoso.example"), parts)
    track = RecordingTrack()
    injector = RecordingInjector()
    sharer = SharerEngine(
        AppSettings(server=server_url, user="bob@contoso.example"),
        injector=injector,
        track_factory=lambda: track,
        parts=parts,
        admin_prompts=admin_prompts,
    )
    seen_by_helper, seen_by_sharer = Recorder(), Recorder()
    helper.subscribe(seen_by_helper)
    sharer.subscribe(seen_by_sharer)
    await helper.sign_in()
    await helper.request_code()
    code = await seen_by_helper.next(CodeIssued)
    await sharer.sign_in()
    await sharer.redeem(code.code)
    return helper, sharer, seen_by_helper, seen_by_sharer, track


async def test_a_pause_reaches_the_helper_as_a_session_event(signaling_server):
    helper, sharer, seen_by_helper, seen_by_sharer, track = await _pair(
        signaling_server.url, FakeNetwork()
    )
    try:
        await seen_by_sharer.next(HelperIdentityShown)
        await sharer.consent(ConsentChoice.CONTROL)
        await seen_by_helper.next(Connected)
        await seen_by_sharer.next(Connected)

        sharer.set_paused(True)
        assert track.paused == [True], "the picture goes grey on the sharer first"
        assert await seen_by_helper.next(PauseChanged) == PauseChanged(paused=True)
        await helper.send_input({"type": "mouse_move", "x": 0.5, "y": 0.5})
        sharer.set_paused(False)
        assert await seen_by_helper.next(PauseChanged) == PauseChanged(paused=False)
        assert sharer.gate.blocked == 1 and sharer.gate.injected == 0, "paused: not injected"
    finally:
        await helper.end()
        await sharer.end()


async def test_a_link_too_slow_for_the_picture_is_told_on_both_sides_and_the_session_goes_on(
    signaling_server,
):
    helper, sharer, seen_by_helper, seen_by_sharer, track = await _pair(
        signaling_server.url, FakeNetwork()
    )
    try:
        await seen_by_sharer.next(HelperIdentityShown)
        await sharer.consent(ConsentChoice.VIEW)
        await seen_by_helper.next(Connected)
        track.too_slow = True
        slow = LinkSlowChanged.now(True)
        assert "too slow for the picture; trying at a lower quality" in slow.message
        assert await seen_by_sharer.next(LinkSlowChanged) == slow
        assert await seen_by_helper.next(LinkSlowChanged) == slow
        track.too_slow = False
        assert await seen_by_sharer.next(LinkSlowChanged) == LinkSlowChanged.now(False)
        assert await seen_by_helper.next(LinkSlowChanged) == LinkSlowChanged.now(False)
        assert helper.state is HelperState.ACTIVE
        assert not [e for e in seen_by_helper.events if isinstance(e, Ended)]
    finally:
        await helper.end()
        await sharer.end()


async def test_a_pause_while_connecting_is_told_once_connected(signaling_server):
    helper, sharer, seen_by_helper, seen_by_sharer, track = await _pair(
        signaling_server.url, FakeNetwork()
    )
    try:
        await seen_by_sharer.next(HelperIdentityShown)
        await sharer.consent(ConsentChoice.VIEW)
        sharer.set_paused(True)  # before the helper's offer can have arrived
        await seen_by_helper.next(Connected)
        assert await seen_by_helper.next(PauseChanged) == PauseChanged(paused=True)
        assert track.paused == [True], "the track, made after the pause, starts paused"
    finally:
        await helper.end()
        await sharer.end()


async def test_an_offer_from_another_certificate_is_refused(signaling_server):
    helper, sharer, seen_by_helper, seen_by_sharer, track = await _pair(
        signaling_server.url, FakeNetwork(forge_offers=True)
    )
    await seen_by_sharer.next(HelperIdentityShown)
    await sharer.consent(ConsentChoice.VIEW)
    error = await seen_by_sharer.next(ErrorReported)
    assert error.code == "identity_mismatch"
    assert (await seen_by_sharer.next(Ended)).reason == "identity_mismatch"
    assert track.paused == [] and sharer.exit_status is ExitStatus.REFUSED
    await seen_by_helper.next(Ended)
    await helper.end()


@pytest.fixture
def scripted(monkeypatch):
    """A helper engine whose server is a script (and whose sign-in needs no server)."""

    async def token(*_args, **_kwargs) -> str:
        return "token"

    monkeypatch.setattr(server_link, "sign_in", token)
    signaling = ScriptedSignaling()
    signaling.incoming.put_nowait(
        Welcome(user="alice@contoso.example", name="Alice", permissions=[], server_key="k")
    )
    engine = HelperEngine(
        AppSettings(user="alice@contoso.example"),
        EngineParts(signaling=signaling, link_factory=FakeNetwork().link),
    )
    seen = Recorder()
    engine.subscribe(seen)
    return engine, signaling, seen


async def test_a_reply_arriving_after_the_end_changes_nothing(scripted, caplog):
    """Standard input closed while the code was on its way: no illegal transition."""
    engine, signaling, seen = scripted
    await engine.sign_in()
    await engine.request_code()
    expires = datetime.now(UTC) + timedelta(minutes=10)
    signaling.incoming.put_nowait(CodeMessage(code="ABCD-EFGH", expires_at=expires, session_id="s"))
    with caplog.at_level(logging.WARNING):
        await engine.end()  # before the loop could hand the code to the engine
        await asyncio.sleep(0)
    assert engine.state is HelperState.ENDED
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert [type(e) for e in seen.events][-1] is Ended
    assert not any(isinstance(e, CodeIssued) for e in seen.events)
    assert [type(m) for m in signaling.sent] == [Hello, RequestCode], "no end without a session"
    assert engine.exit_status is ExitStatus.ENDED


async def test_a_helper_forbidden_to_help_stops_refused(scripted):
    engine, signaling, seen = scripted
    await engine.sign_in()
    await engine.request_code()
    signaling.incoming.put_nowait(Error(code=ErrorCode.FORBIDDEN, message="helps nobody"))
    await asyncio.wait_for(engine.finished.wait(), 10)
    assert engine.exit_status is ExitStatus.REFUSED
    assert (await seen.next(ErrorReported)).code == "forbidden"
    assert not any(isinstance(e, Ended) for e in seen.events), "refused, not a session that ended"
    assert not any(isinstance(m, End) for m in signaling.sent)


class PromptOnScreen:
    """Stands in for Windows' input desktop (client.media.admin_prompt), which this Linux
    machine has not got: the test puts the secure desktop up and takes it down."""

    def __init__(self) -> None:
        self.up = False

    def showing(self) -> bool:
        return self.up


async def test_the_helper_is_told_of_an_administrator_prompt_it_cannot_see(signaling_server):
    prompt = PromptOnScreen()
    helper, sharer, seen_by_helper, seen_by_sharer, _ = await _pair(
        signaling_server.url, FakeNetwork(), admin_prompts=prompt
    )
    try:
        await seen_by_sharer.next(HelperIdentityShown)
        await sharer.consent(ConsentChoice.VIEW)
        await seen_by_helper.next(Connected)
        prompt.up = True
        shown = await seen_by_helper.next(AdminPromptShown)
        assert shown.showing and "administrator prompt you cannot see" in shown.message
        prompt.up = False
        assert not (await seen_by_helper.next(AdminPromptShown)).showing
    finally:
        await helper.end()
        await sharer.end()
