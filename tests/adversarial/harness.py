"""What every fuzz test shares: its size, the count of cases it ran, and the live session
beside it that must not notice anything.

Size. ``HELPLINE_FUZZ_EXAMPLES`` sets how many cases each fuzz test runs. Unset (the suite,
CI), each test runs its own modest default with a fixed seed, so the suite is the same on
every run and takes tens of seconds per test. Set (the long mode, ``scripts/security_figures.py``
or by hand), cases are drawn afresh each run: thousands of them find what a fixed few miss.

Figures. Each test counts the cases Hypothesis actually ran (every example, shrinking
included) and records them (tests/figures.py), so the figures in docs/security.md come from
runs, not from settings.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiortc import RTCDataChannel
from aiortc.rtcsctptransport import WEBRTC_STRING
from hypothesis import HealthCheck, settings

from devtools.headless import HeadlessApp
from tests.adversarial.strategies import TextBytes
from tests.figures import record

T = TypeVar("T")
# Bounds a failing run only; a passing one returns as soon as the result is there.
RESULT_TIMEOUT = 120.0
LONG_MODE = "HELPLINE_FUZZ_EXAMPLES" in os.environ


def fuzz_settings(default_examples: int) -> settings:
    """Hypothesis settings for a test against real processes: no per-case deadline (a busy
    machine is slow, not wrong), no database (the cases depend on a live server's state)."""
    examples = int(os.environ.get("HELPLINE_FUZZ_EXAMPLES", default_examples))
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not LONG_MODE,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
        print_blob=True,
    )


@dataclass
class CaseCount:
    """Cases run and what they were, reported once the test is done."""

    test: str
    cases: int = 0
    messages: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def case(self) -> None:
        self.cases += 1

    def sent(self, kind: str) -> None:
        self.messages += 1
        self.kinds[kind] += 1

    def report(self) -> None:
        record(self.test, cases=self.cases, messages=self.messages, kinds=dict(self.kinds))


class LoopThread:
    """An asyncio loop in a thread of its own, for aiortc peers driven by Hypothesis, whose
    test functions are plain functions: coroutines are run there and waited on here."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> LoopThread:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(RESULT_TIMEOUT)

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn`` on the loop (aiortc objects are not thread-safe), in order."""
        self.loop.call_soon_threadsafe(fn, *args)


async def send_frame(channel: RTCDataChannel, frame: str | bytes | TextBytes) -> None:
    """Send on a data channel, on its loop; ``TextBytes`` go out as a *text* message of
    whatever bytes they hold, past aiortc's own encoding, as a peer of another make could."""
    if not isinstance(frame, TextBytes):
        channel.send(frame)
        return
    transport = channel.transport
    transport._data_channel_queue.append((channel, WEBRTC_STRING, frame.data))
    await transport._data_channel_flush()


class ScreenAnimator:
    """Repaints the root window of a display in turn, so the sharer keeps sending frames.

    A still screen produces no frames at all; a live session that must be seen to carry on
    needs a screen that changes. The pace only keeps the picture moving; no assertion
    depends on it.
    """

    def __init__(self, display: str) -> None:
        from Xlib import display as xdisplay

        self._conn = xdisplay.Display(display)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ScreenAnimator:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()

    def _run(self) -> None:
        root = self._conn.screen().root
        colours = (0x204080, 0x802040, 0x408020, 0xC0C0C0)
        turn = 0
        while not self._stop.is_set():
            root.change_attributes(background_pixel=colours[turn % len(colours)])
            root.clear_area(0, 0, 0, 0)
            self._conn.sync()
            turn += 1
            self._stop.wait(0.25)


def _frames(events: list[dict]) -> int:
    return max((e["frames"] for e in events if e.get("event") == "stats"), default=0)


class LiveSession:
    """A real helper watching a real sharer's changing screen, while others attack.

    ``check`` is the property that matters to the people in the session: frames still
    arrive, chat still goes through, and neither app reported an error or an end.
    """

    def __init__(self, server_url: str, display: str, consent: str = "view") -> None:
        self.display = display
        self.helper = HeadlessApp(
            "helper_app", "--server", server_url, "--user", "alice@contoso.example"
        )
        code = self.helper.wait_for("code")["code"]
        self.sharer = HeadlessApp(
            "sharer_app", "--server", server_url, "--user", "bob@contoso.example",
            "--code", code, "--consent", consent, env={"DISPLAY": display},
        )  # fmt: skip
        self.helper.wait_for("connected")
        self.sharer.wait_for("connected")
        self.frames = self.wait_frames_beyond(0)
        self._chats = 0

    def wait_frames_beyond(self, seen: int) -> int:
        """The helper's decoded frame count, once it is past ``seen``."""
        events = self.helper.wait_until(lambda events: _frames(events) > seen)
        return _frames(events)

    def check(self) -> None:
        self.frames = self.wait_frames_beyond(self.frames)
        self._chats += 1
        text = f"still there? {self._chats}"
        self.helper.send("chat", text=text)
        assert self.sharer.wait_for("chat", text=text)["from"] == "helper"
        for app in (self.helper, self.sharer):
            trouble = [e for e in app.events if e.get("event") in ("ended", "error")]
            assert not trouble, trouble
            assert app.proc.poll() is None
            assert not any("Traceback" in line for line in app.stderr), "".join(app.stderr)

    def close(self) -> None:
        self.helper.send("end")
        self.helper.wait_for("ended")
        self.sharer.wait_for("ended")
        assert self.helper.close() == 0
        assert self.sharer.close() == 0
