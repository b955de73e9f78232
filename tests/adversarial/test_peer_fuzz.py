"""Hostile data-channel messages from a rogue peer against a real sharer and a real helper.

The rogue is a genuine WebRTC peer (aiortc) that got into the session the proper way, then
sends batches drawn from every control message and input event model, with hostile values,
and garbage, on both channels. After each batch a chat line on the same ordered channel must
still arrive, so the receiving loop has read everything before it and survived it.

Against a sharer that granted view only, every input event, valid or not, is counted as
blocked, down to the exact number, and the pointer of its display never moves; against one
that granted full control, so do the events its gate must refuse whatever the grant.
Against the helper, which takes no input, nothing it shows changes but the chat. Neither
app reports an error or an end, or writes a traceback; a goodbye, sent last with a hostile
reason, ends the session cleanly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.input_events import InputError, parse_input
from common.peer_messages import Bye, encode_peer_message
from devtools.headless import HeadlessApp
from tests.adversarial.harness import CaseCount, LoopThread, fuzz_settings, send_frame
from tests.adversarial.strategies import CONTROL_FRAMES, INPUT_FRAMES, TextBytes
from tests.display_tools import xdotool_mouse_location
from tests.rogue_helper import RogueHelper
from tests.rogue_sharer import RogueSharer

pytestmark = [
    pytest.mark.display,
    # aiortc draws from the random module on its own loop thread while Hypothesis draws a
    # case: the peer's doing, not the strategies'; the cases do not depend on it.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]


def _refused_by_the_gate(frame: str | bytes | TextBytes) -> bool:
    if isinstance(frame, TextBytes):
        return True
    try:
        parse_input(frame)
    except InputError:
        return True
    return False


def _batches(input_frames: st.SearchStrategy[Any]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    return st.lists(
        st.one_of(
            st.tuples(st.just("input"), input_frames),
            st.tuples(st.just("control"), CONTROL_FRAMES),
        ),
        min_size=1,
        max_size=8,
    )


# With full control, valid events are meant to move the pointer; the invalid ones, never.
BATCHES = {
    "view": _batches(INPUT_FRAMES),
    "control": _batches(INPUT_FRAMES.filter(_refused_by_the_gate)),
}
# A goodbye is a valid message whatever reason it gives: the session ends, the reason is
# not believed (the app says who ended it), and nothing of it reaches a screen or a log.
HOSTILE_BYE = encode_peer_message(Bye(reason="\u202e\x00'; DROP TABLE audit;--"))


def _blocked(events: list[dict[str, Any]]) -> int:
    return sum(e["count"] for e in events if e.get("event") == "input_blocked")


def _assert_untroubled(app: HeadlessApp) -> None:
    trouble = [e for e in app.events if e.get("event") in ("ended", "error")]
    assert not trouble, trouble
    assert app.proc.poll() is None
    assert not any("Traceback" in line for line in app.stderr), "".join(app.stderr)


def _end_with_a_hostile_goodbye(
    loops: LoopThread, channel: Any, app: HeadlessApp, reason: str
) -> None:
    loops.call(channel.send, HOSTILE_BYE)
    assert app.wait_for("ended")["reason"] == reason
    assert app.close() == 0, "the other side ended it: a normal end (README: exit status)"
    assert not any("Traceback" in line for line in app.stderr), "".join(app.stderr)


@pytest.mark.parametrize("consent", ["view", "control"])
def test_hostile_messages_to_the_sharer_inject_nothing(signaling_server, private_display, consent):
    """View only: nothing is injected. Full control: nothing invalid is injected."""
    count = CaseCount(f"data channel, to the sharer ({consent})")
    with LoopThread() as loops:
        rogue = loops.run(_rogue_helper(signaling_server))
        code = loops.run(rogue.sign_in_and_get_code())
        sharer = HeadlessApp(
            "sharer_app", "--server", signaling_server.url, "--user", "bob@contoso.example",
            "--code", code, "--consent", consent, env={"DISPLAY": private_display},
        )  # fmt: skip
        try:
            loops.run(rogue.wait_consent_and_offer())
            loops.run(rogue.complete())
            sharer.wait_for("connected")
            pointer = xdotool_mouse_location(private_display)
            channels = {"input": rogue.input, "control": rogue.control}
            sent_input = 0

            @fuzz_settings(default_examples=40)
            @given(batch=BATCHES[consent])
            def attack(batch: list[tuple[str, str | bytes | TextBytes]]) -> None:
                nonlocal sent_input
                count.case()
                for channel, frame in batch:
                    loops.run(send_frame(channels[channel], frame))
                    count.sent(channel)
                sent_input += sum(channel == "input" for channel, _ in batch)
                marker = f"marker {count.cases}"
                loops.call(rogue.control.send, json.dumps({"type": "chat", "text": marker}))
                assert sharer.wait_for("chat", text=marker)["from"] == "helper"
                # Every input event is refused and counted, none lost, none let through.
                sharer.wait_until(lambda events: _blocked(events) >= sent_input)
                assert _blocked(sharer.events) == sent_input

            try:
                attack()
            finally:
                count.report()
            assert xdotool_mouse_location(private_display) == pointer
            reasons = {e["reason"] for e in sharer.events if e.get("event") == "input_blocked"}
            invalid = {r for r in reasons if r.startswith("invalid")}
            assert reasons - invalid == ({"view_only"} if consent == "view" else set())
            _assert_untroubled(sharer)
            _end_with_a_hostile_goodbye(loops, rogue.control, sharer, "helper_ended")
        finally:
            sharer.close()
            loops.run(rogue.close())


def test_hostile_messages_to_the_helper_change_nothing_but_chat(signaling_server):
    count = CaseCount("data channel, to the helper")
    helper = HeadlessApp(
        "helper_app", "--server", signaling_server.url, "--user", "alice@contoso.example"
    )
    with LoopThread() as loops:
        rogue = loops.run(_rogue_sharer(signaling_server))
        try:
            loops.run(rogue.join(helper.wait_for("code")["code"]))
            helper.wait_for("connected")

            @fuzz_settings(default_examples=40)
            @given(batch=BATCHES["view"])
            def attack(batch: list[tuple[str, str | bytes | TextBytes]]) -> None:
                count.case()
                for channel, frame in batch:
                    loops.run(send_frame(rogue.channels[channel], frame))
                    count.sent(channel)
                marker = f"marker {count.cases}"
                loops.call(
                    rogue.channels["control"].send, json.dumps({"type": "chat", "text": marker})
                )
                assert helper.wait_for("chat", text=marker)["from"] == "sharer"

            try:
                attack()
            finally:
                count.report()
            _assert_untroubled(helper)
            _end_with_a_hostile_goodbye(loops, rogue.channels["control"], helper, "sharer_ended")
        finally:
            helper.close()
            loops.run(rogue.close())


async def _rogue_helper(server: Any) -> RogueHelper:
    """Made on the loop thread: aiortc objects belong to the loop that runs them."""
    return RogueHelper(server.url, server.ws_url)


async def _rogue_sharer(server: Any) -> RogueSharer:
    return RogueSharer(server.url, server.ws_url)
