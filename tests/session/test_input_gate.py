"""The sharer's input gate: nothing is injected without full control, and nothing stays held."""

import json

from client.rate_limit import RateLimiter
from client.session.input_gate import InputGate
from common.input_events import Key, MouseMove


class RecordingInjector:
    """Stands in for pynput here only; the real injector is tested on Xvfb."""

    def __init__(self):
        self.injected = []
        self.releases = 0

    def inject(self, event):
        self.injected.append(event)

    def release_all(self):
        self.releases += 1

    def close(self):
        self.release_all()
        self.closed = True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def make_gate(rate=500):
    clock = Clock()
    reports = []
    injector = RecordingInjector()
    gate = InputGate(
        injector,
        RateLimiter(rate, burst=rate, clock=clock),
        lambda reason, count: reports.append((reason, count)),
        clock=clock,
    )
    return gate, injector, reports, clock


MOVE = json.dumps({"type": "mouse_move", "x": 0.25, "y": 0.75})


def test_view_only_blocks_and_reports():
    gate, injector, reports, _ = make_gate()
    assert not gate.handle(MOVE)
    assert injector.injected == []
    assert reports == [("view_only", 1)]


def test_granted_injects_and_revoking_stops_at_once_and_releases():
    gate, injector, _reports, _ = make_gate()
    gate.set_granted(True)
    assert gate.handle(json.dumps({"type": "key", "key": "shift", "down": True}))
    assert gate.handle(MOVE)
    assert injector.injected == [Key(key="shift", down=True), MouseMove(x=0.25, y=0.75)]
    gate.set_granted(False)
    assert injector.releases == 1
    assert not gate.handle(MOVE)
    assert len(injector.injected) == 2


def test_pause_blocks_even_with_control():
    gate, injector, reports, _ = make_gate()
    gate.set_granted(True)
    gate.set_paused(True)
    assert injector.releases == 1, "keys held when the sharer paused are let go"
    assert not gate.handle(MOVE)
    assert reports == [("paused", 1)]
    gate.set_paused(False)
    assert gate.handle(MOVE)


def test_invalid_events_are_refused_whatever_the_grant():
    gate, injector, reports, clock = make_gate()
    gate.set_granted(True)
    bad = [
        "not json",
        "[]",
        json.dumps({"type": "mouse_move", "x": 1.5, "y": 0}),
        json.dumps({"type": "mouse_move", "x": float("nan"), "y": 0}),
        json.dumps({"type": "key", "key": "launch_rockets", "down": True}),
        json.dumps({"type": "key", "key": "\x07", "down": True}),
        json.dumps({"type": "mouse_button", "button": "fourth", "down": True}),
        json.dumps({"type": "scroll", "dx": 0, "dy": 10_000}),
        json.dumps({"type": "format_disk"}),
        "x" * 10_000,
    ]
    for raw in bad:
        clock.now += 2  # each gets its own report
        assert not gate.handle(raw)
    assert injector.injected == []
    assert all(reason.startswith("invalid") for reason, _ in reports)
    assert len(reports) == len(bad)


def test_a_flood_is_rate_limited_and_reported_in_batches():
    gate, injector, reports, clock = make_gate(rate=500)
    gate.set_granted(True)
    results = [gate.handle(MOVE) for _ in range(2000)]
    assert sum(results) == 500
    assert len(injector.injected) == 500
    # One report at once, the rest batched until the next interval.
    assert reports == [("rate_limited", 1)]
    clock.now += 1.5
    gate.flush()
    assert reports == [("rate_limited", 1), ("rate_limited", 1499)]
    # Tokens come back with time.
    assert gate.handle(MOVE)


def test_stop_releases_and_closes_the_gate():
    gate, injector, _, _ = make_gate()
    gate.set_granted(True)
    gate.stop()
    assert injector.releases == 1 and injector.closed
    assert not gate.handle(MOVE)
