"""Console sessions end when idle too long, when too old, and when ended; the anonymous ones
that carry a sign-in form's token last only minutes."""

from signaling.console import session_store
from signaling.console.session_store import ANONYMOUS_SECONDS, ConsoleSessions
from signaling.identity.rbac import Account
from signaling.identity.tokens import Principal

ACCOUNT = Account(Principal("t", "oid", "dana@contoso.example", "Dana"), None, frozenset())


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sessions(clock: Clock) -> ConsoleSessions:
    return ConsoleSessions(idle_seconds=60, absolute_seconds=300, clock=clock)


def test_a_session_lasts_while_used_and_ends_when_idle():
    clock = Clock()
    store = sessions(clock)
    session = store.start(ACCOUNT)
    for _ in range(3):
        clock.now += 59
        assert store.get(session.id) is session  # each request keeps it alive
    clock.now += 61
    assert store.get(session.id) is None


def test_a_session_ends_at_its_absolute_lifetime_however_busy():
    clock = Clock()
    store = sessions(clock)
    session = store.start(ACCOUNT)
    while clock.now < 1000 + 300:
        assert store.get(session.id) is session
        clock.now += 30
    clock.now += 1  # past 300 s since it started, though used 1 s ago
    assert store.get(session.id) is None


def test_ending_a_session_and_unknown_ids():
    clock = Clock()
    store = sessions(clock)
    session = store.start(ACCOUNT)
    store.end(session.id)
    assert store.get(session.id) is None
    assert store.get("") is None and store.get("made-up") is None


def test_anonymous_sessions_are_short_and_ids_and_tokens_differ():
    clock = Clock()
    store = sessions(clock)
    first, second = store.start(), store.start()
    assert len({first.id, second.id, first.csrf, second.csrf}) == 4
    clock.now += ANONYMOUS_SECONDS + 1
    assert store.get(first.id) is None


def test_a_flood_of_sign_in_pages_pushes_out_no_signed_in_session(monkeypatch):
    monkeypatch.setattr(session_store, "MAX_SESSIONS", 5)
    store = sessions(Clock())
    signed = [store.start(ACCOUNT) for _ in range(2)]
    for _ in range(50):
        store.start()
    assert all(store.get(s.id) is s for s in signed)
