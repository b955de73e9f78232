"""What the helper may do, enforced by the sharer: chat without ``chat``, a grant that outlives
a role cut at a server restart, and control over a view-only offer with a server that does not
refuse it.

Real server processes (or a rogue one), real headless apps, real WebRTC; the sharer injects on
a display of its own, so the pointer it reads back moved only by this test's helper.
"""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest

from common.protocol import Consent, Control
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server
from devtools.waiting import wait_until
from tests.audit_records import audit_record
from tests.display_tools import xdotool_mouse_location
from tests.rogue_helper import RogueHelper
from tests.rogue_server import RogueServer, signed_genuinely

pytestmark = pytest.mark.display

HELPER, VIEWER, SHARER = (f"{n}@contoso.example" for n in ("alice", "victor", "bob"))
FAST_RETRY = {"HELPLINE_RECONNECT_MAX_SECONDS": "1"}
PHISHING = "Your account is locked: read me the code in the text message"


def _directory(path: Path, role: str, permissions: list[str]) -> Path:
    """The demo's directory with ``role`` granting only ``permissions``."""
    lines = DEV_DIRECTORY.read_text().splitlines()
    start = lines.index(f"[roles.{role}]")
    line = next(i for i in range(start, len(lines)) if lines[i].startswith("permissions"))
    lines[line] = f"permissions = {json.dumps(permissions)}"
    path.write_text("\n".join(lines) + "\n")
    return path


def _no_chat(app: HeadlessApp) -> None:
    assert not [e for e in app.events if e["event"] == "chat"], app.events


@pytest.fixture
def chatless_server(tmp_path):
    """Victor's role lets him view, not chat."""
    identity = _directory(tmp_path / "identity.toml", "helpdesk-viewer", ["view"])
    server = start_server(identity, tmp_path / "server-data")
    yield server
    server.stop()


def _sharer(server: ServerProcess, code: str, consent: str, display: str, **env: str):
    return HeadlessApp(
        "sharer_app", "--server", server.url, "--user", SHARER, "--code", code,
        "--consent", consent, env={**env, "DISPLAY": display},
    )  # fmt: skip


def test_the_real_helper_app_cannot_chat_without_the_permission(chatless_server, private_display):
    helper = HeadlessApp("helper_app", "--server", chatless_server.url, "--user", VIEWER)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = _sharer(chatless_server, code, "view", private_display)
        assert "chat" not in sharer.wait_for("helper_identity")["permissions"]
        assert "chat" not in helper.wait_for("sharer_joined")["permissions"]
        helper.wait_for("connected")
        sharer.wait_for("connected")

        helper.send("chat", text=PHISHING)
        assert helper.wait_for("error")["code"] == "forbidden"
        # Refused, and that is all: the session goes on and ends as any other.
        helper.send("end")
        assert helper.wait_for("ended")["reason"] == "helper_ended"
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
        assert helper.close() == 0 and sharer.close() == 0
        _no_chat(sharer)
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()


async def test_chat_straight_over_the_data_channel_is_refused_and_audited(
    chatless_server, private_display
):
    rogue = RogueHelper(chatless_server.url, chatless_server.ws_url, upn=VIEWER)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(chatless_server, code, "view", private_display)
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")

        for _ in range(3):
            rogue.control.send(json.dumps({"type": "chat", "text": PHISHING}))
        refused = await asyncio.to_thread(
            sharer.wait_until,
            lambda events: sum(e["count"] for e in events if e["event"] == "feature_refused") == 3,
        )
        assert {e["feature"] for e in refused if e["event"] == "feature_refused"} == {"chat"}
        sharer.send("end")
        assert (await asyncio.to_thread(sharer.wait_for, "ended"))["reason"] == "sharer_ended"
        assert await asyncio.to_thread(sharer.close) == 0
        _no_chat(sharer)
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()
    chatless_server.stop()
    record = audit_record(chatless_server.data_dir)
    assert record["features_used"] == ["view"]
    assert record["features_refused"] == ["chat"]


def _pointer_moves(helper: HeadlessApp, display: str, x: float, y: float, at: tuple[int, int]):
    helper.send("mouse_move", x=x, y=y)
    wait_until(lambda: xdotool_mouse_location(display) == at, f"pointer at {at}")


def test_a_resume_after_the_role_was_cut_takes_control_away(tmp_path, private_display):
    full = _directory(tmp_path / "full.toml", "helpdesk-operator", ["view", "control", "chat"])
    cut = _directory(tmp_path / "cut.toml", "helpdesk-operator", ["view"])
    data_dir = tmp_path / "server-data"
    server = start_server(full, data_dir)
    helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER, env=FAST_RETRY)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = _sharer(server, code, "control", private_display, **FAST_RETRY)
        helper.wait_for("connected")
        sharer.wait_for("connected")
        assert sharer.wait_for("control")["granted"] is True
        _pointer_moves(helper, private_display, 0.25, 0.25, (320, 200))

        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        helper.wait_for("server_lost")
        sharer.wait_for("server_lost")
        server = start_server(cut, data_dir, port=server.port)
        assert sharer.wait_for("server_back")["resumed"] is True
        assert helper.wait_for("server_back")["resumed"] is True

        for side in (sharer, helper):
            notice = side.wait_for("permissions")
            assert notice["permissions"] == ["view"]
            assert notice["dropped"] == ["chat", "control"]
            assert "control" in notice["message"]
            side.wait_for("control", granted=False)
        helper.send("mouse_move", x=0.75, y=0.75)
        assert sharer.wait_for("input_blocked")["reason"] == "view_only"
        assert xdotool_mouse_location(private_display) == (320, 200)
        sharer.send("grant_control")
        assert sharer.wait_for("error")["code"] == "not_offered"
        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
    finally:
        for app in (helper, sharer):
            if app is not None:
                app.close()
        server.stop()


async def test_the_sharer_refuses_control_over_a_view_only_offer_when_the_server_does_not(
    xvfb_display,
):
    """A server that lets everything through: only the sharer's own check stands."""
    async with RogueServer(signed_genuinely, offered=["view"]).running() as server:
        sharer = HeadlessApp(
            "sharer_app", "--server", server.url, "--user", SHARER, "--code", "K7QM3XHP",
        )  # fmt: skip
        try:
            await asyncio.to_thread(sharer.wait_for, "helper_identity")
            sharer.send("consent", level="control")
            assert (await asyncio.to_thread(sharer.wait_for, "error"))["code"] == "not_offered"
            sharer.send("consent", level="view")
            await asyncio.to_thread(
                lambda: wait_until(
                    lambda: any(isinstance(m, Consent) for m in server.received), "consent"
                )
            )
            sharer.send("grant_control")
            assert (await asyncio.to_thread(sharer.wait_for, "error"))["code"] == "not_offered"
            sharer.send("end")
            await asyncio.to_thread(sharer.wait_for, "ended")
        finally:
            sharer.close()
    assert [m.level.value for m in server.received if isinstance(m, Consent)] == ["view"]
    assert not any(isinstance(m, Control) for m in server.received), "no grant left the sharer"
    assert not [e for e in sharer.events if e["event"] == "control" and e["granted"]]


async def test_clipboard_text_the_sharer_did_not_allow_is_refused_and_audited(
    tmp_path, private_display
):
    """The role grants the clipboard; the sharer did not tick it: the sharer's gate decides."""
    server = start_server(DEV_DIRECTORY, tmp_path / "server-data")
    rogue = RogueHelper(server.url, server.ws_url, upn=HELPER)
    sharer = None
    try:
        code = await rogue.sign_in_and_get_code()
        sharer = _sharer(server, code, "view", private_display)
        await rogue.wait_consent_and_offer()
        await rogue.complete()
        await asyncio.to_thread(sharer.wait_for, "connected")
        for _ in range(2):
            rogue.control.send(json.dumps({"type": "clipboard", "text": PHISHING}))
        refused = await asyncio.to_thread(
            sharer.wait_until,
            lambda events: sum(e["count"] for e in events if e["event"] == "feature_refused") == 2,
        )
        assert {e["feature"] for e in refused if e["event"] == "feature_refused"} == {"clipboard"}
        sharer.send("end")
        await asyncio.to_thread(sharer.wait_for, "ended")
        assert not [e for e in sharer.events if e["event"] == "clipboard"]
    finally:
        await rogue.close()
        if sharer is not None:
            sharer.close()
    server.stop()
    assert audit_record(server.data_dir)["features_refused"] == ["clipboard"]
