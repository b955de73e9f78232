"""The sharer engine's own checks, against a scripted server that lets everything through:
the card's signature over every field, the levels offered with it, and the permissions a
resume brings back. The engine is what both the headless sharer and the sharer's window run,
so these are the apps' checks, without a network or a display (the real processes face a
rogue server in ``tests/session/test_rogue_peer.py`` and ``tests/adversarial``)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from client.session import server_link
from client.session.engine_base import EngineParts
from client.session.errors import EngineError
from client.session.events import (
    ControlChanged,
    Ended,
    ErrorReported,
    HelperIdentityShown,
    PermissionsChanged,
)
from client.session.sharer_engine import SharerEngine, SharerState
from client.settings import AppSettings
from common.identity_card import CardSigner
from common.key_fingerprint import key_fingerprint
from common.permissions import ConsentChoice, ConsentLevel, Permission
from common.protocol import Consent, Control, HelperIdentity, Resumed, Welcome
from tests.engines.fakes import FakeNetwork, RecordingInjector, RecordingTrack, ScriptedSignaling
from tests.engines.test_in_process import Recorder
from tests.rogue_server import CHANGED_FIELDS, changed_after_signing, genuine_card

SIGNER = CardSigner(Ed25519PrivateKey.generate())


async def _sharer_shown(
    monkeypatch, signed_card, offered: list[ConsentLevel], permissions: list[Permission]
) -> tuple[SharerEngine, ScriptedSignaling, Recorder]:
    """A signed-in sharer engine, pinned to ``SIGNER``'s key, that redeemed a code and was
    answered with ``signed_card``."""

    async def token(*_args, **_kwargs) -> str:
        return "token"

    monkeypatch.setattr(server_link, "sign_in", token)
    signaling = ScriptedSignaling()
    signaling.incoming.put_nowait(
        Welcome(
            user="bob@contoso.example",
            name="Bob",
            permissions=[],
            server_key=SIGNER.public_key_b64,
        )
    )
    settings = AppSettings(
        user="bob@contoso.example", server_key=key_fingerprint(SIGNER.public_key_b64)
    )
    sharer = SharerEngine(
        settings,
        injector=RecordingInjector(),
        track_factory=RecordingTrack,
        parts=EngineParts(signaling=signaling, link_factory=FakeNetwork().link),
    )
    seen = Recorder()
    sharer.subscribe(seen)
    await sharer.sign_in()
    await sharer.redeem("K7QM3XHP")
    signaling.incoming.put_nowait(
        HelperIdentity(signed_card=signed_card, offered_levels=offered, permissions=permissions)
    )
    return sharer, signaling, seen


@pytest.mark.parametrize("field", sorted(CHANGED_FIELDS))
async def test_a_card_with_any_field_changed_after_signing_is_refused(monkeypatch, field):
    forged = changed_after_signing(field)(SIGNER, genuine_card())
    sharer, signaling, seen = await _sharer_shown(
        monkeypatch, forged, [ConsentLevel.VIEW], [Permission.VIEW]
    )
    try:
        # The first of the two: a card shown instead of refused fails here, without a wait.
        answer = await seen.next(ErrorReported | HelperIdentityShown)  # type: ignore[arg-type]
        assert isinstance(answer, ErrorReported), f"shown although {field} was changed"
        assert answer.code == "identity_unverified"
        await seen.next(Ended)
        assert sharer.card is None
        assert not any(isinstance(e, HelperIdentityShown) for e in seen.events)
        assert not any(isinstance(m, Consent) for m in signaling.sent)
    finally:
        await sharer.end()


async def test_the_genuine_card_is_shown(monkeypatch):
    sharer, _, seen = await _sharer_shown(
        monkeypatch, SIGNER.sign(genuine_card()), [ConsentLevel.VIEW], [Permission.VIEW]
    )
    try:
        shown = await seen.next(HelperIdentityShown)
        assert (shown.name, shown.upn) == ("Alice Example", "alice@contoso.example")
        assert sharer.state is SharerState.AWAITING_CONSENT
    finally:
        await sharer.end()


async def test_control_not_offered_is_neither_consented_nor_granted(monkeypatch):
    """The server offered view only and would let anything through: the engine refuses."""
    sharer, signaling, seen = await _sharer_shown(
        monkeypatch, SIGNER.sign(genuine_card()), [ConsentLevel.VIEW], [Permission.VIEW]
    )
    try:
        await seen.next(HelperIdentityShown)
        with pytest.raises(EngineError) as consent:
            await sharer.consent(ConsentChoice.CONTROL)
        assert consent.value.code == "not_offered"
        await sharer.consent(ConsentChoice.VIEW)
        with pytest.raises(EngineError) as grant:
            await sharer.grant_control()
        assert grant.value.code == "not_offered"
        assert not sharer.gate.granted
        assert [m.level.value for m in signaling.sent if isinstance(m, Consent)] == ["view"]
        assert not any(isinstance(m, Control) for m in signaling.sent)
    finally:
        await sharer.end()


async def test_a_resume_without_control_takes_the_grant_away(monkeypatch):
    sharer, _, seen = await _sharer_shown(
        monkeypatch,
        SIGNER.sign(genuine_card()),
        [ConsentLevel.VIEW, ConsentLevel.CONTROL],
        [Permission.VIEW, Permission.CONTROL, Permission.CHAT],
    )
    try:
        await seen.next(HelperIdentityShown)
        await sharer.consent(ConsentChoice.CONTROL)
        assert sharer.gate.granted
        await sharer.on_resumed(Resumed(session_id="s", permissions=[Permission.VIEW]))
        assert not sharer.gate.granted
        assert await seen.next(ControlChanged) == ControlChanged(granted=False)
        changed = await seen.next(PermissionsChanged)
        assert changed.dropped == ["chat", "control"]
        with pytest.raises(EngineError) as grant:
            await sharer.grant_control()
        assert grant.value.code == "not_offered"
    finally:
        await sharer.end()
