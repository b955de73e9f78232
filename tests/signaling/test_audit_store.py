"""The audit's writer: concurrent updates, retention, leftovers of a killed server."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from common.permissions import ConsentLevel, Feature
from common.protocol import EndReason
from signaling.audit.models import GRANTED_COLUMNS, USED_COLUMNS, Outcome
from signaling.audit.recorder import AuditRecorder
from signaling.audit.retention import purge_periodically
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database.schema import open_database
from tests.signaling.inprocess import in_process_server


@pytest.fixture
def store(database_url):
    """A store on each database: SQLite, and PostgreSQL."""
    store = AuditStore(open_database(database_url))
    yield store
    store.engine.dispose()


class _SignallingLock:
    """The store's write lock, telling the test when a second writer has to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contended = threading.Event()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            self.contended.set()
            self._lock.acquire()

    def __exit__(self, *_exc) -> None:
        self._lock.release()


HOLD_SECONDS = 5.0  # bounds a hold nothing can end; never a measure of speed


def _overlap_two_writers(store: AuditStore, monkeypatch) -> None:
    """Hold the first writer right after its first statement (a read, in a read-modify-write
    store; its update, in ours) until the second writer has either run a statement of its own
    or is waiting for the store's lock: the worst overlap two writers can have. Where no
    second writer can run meanwhile (the recorder's calls queue for the store's one thread),
    the hold ends after a while: there is no overlap to wait for."""
    lock = _SignallingLock()
    monkeypatch.setattr(store, "_write_lock", lock)
    first: list[threading.Thread] = []
    second_ran = threading.Event()

    @event.listens_for(store.engine, "after_cursor_execute")
    def _hold(*_args):
        me = threading.current_thread()
        if me is threading.main_thread():
            return
        if not first:
            first.append(me)
            hold_until = time.monotonic() + HOLD_SECONDS
            while not (second_ran.is_set() or lock.contended.is_set()):
                if time.monotonic() > hold_until:
                    break
                second_ran.wait(0.01)
        elif me is not first[0]:
            second_ran.set()


def test_a_feature_report_and_a_control_grant_at_once_both_survive(store, monkeypatch):
    """The lost update of issue 14: two writers to one record, overlapping on purpose."""
    record = store.open(outcome=Outcome.ACCEPTED)
    store.flag(record, GRANTED_COLUMNS[ConsentLevel.VIEW], USED_COLUMNS[Feature.VIEW])
    _overlap_two_writers(store, monkeypatch)
    chat = threading.Thread(target=store.flag, args=(record, USED_COLUMNS[Feature.CHAT]))
    grant = threading.Thread(
        target=store.flag,
        args=(record, GRANTED_COLUMNS[ConsentLevel.CONTROL], USED_COLUMNS[Feature.CONTROL]),
    )
    chat.start()
    grant.start()
    chat.join()
    grant.join()
    [row] = store.query(AuditFilter())
    assert row["features_used"] == ["view", "control", "chat"]
    assert row["levels_granted"] == ["view", "control"]
    assert store.verify(None).ok


def test_the_recorder_under_concurrent_events_keeps_every_fact(store, monkeypatch):
    record = store.open(outcome=Outcome.PENDING)
    recorder = AuditRecorder(store)
    _overlap_two_writers(store, monkeypatch)

    async def together():
        await asyncio.gather(
            recorder.consented(record, ConsentLevel.VIEW),
            recorder.feature_used(record, Feature.CHAT),
            recorder.control_granted(record),
        )

    asyncio.run(together())
    [row] = store.query(AuditFilter())
    assert row["outcome"] == "accepted" and row["consent_at"] is not None
    assert row["features_used"] == ["view", "control", "chat"]
    assert row["levels_granted"] == ["view", "control"]


class _Doomed(Exception):
    pass


async def test_calls_queued_together_share_one_commit_and_one_that_fails_changes_nothing(store):
    commits = []
    event.listen(store.engine, "commit", lambda _conn: commits.append(1))
    gate = threading.Event()

    def doomed(db, note):
        note("doomed", {"why": "this change must not stay"})
        raise _Doomed

    busy = asyncio.ensure_future(store.run(gate.wait, HOLD_SECONDS))  # the store's thread
    await asyncio.sleep(0.05)
    opened = [
        asyncio.ensure_future(store.run(store.open, outcome=Outcome.PENDING)) for _ in range(20)
    ]
    failing = asyncio.ensure_future(store.run(store.transact, doomed))
    await asyncio.sleep(0)  # every call queued behind the busy one
    before = len(commits)
    gate.set()
    await busy
    records = await asyncio.gather(*opened)
    with pytest.raises(_Doomed):
        await failing
    assert len(commits) - before == 1  # one commit for the 21 calls
    assert len(set(records)) == 20 and len(store.query(AuditFilter())) == 20
    assert store.verify(None).ok  # the chain has the 20 openings and nothing of the doomed one
    with store.engine.connect() as db:
        kinds = {row[0] for row in db.exec_driver_sql("SELECT kind FROM audit_events")}
    assert "doomed" not in kinds


def test_refusal_summaries_start_a_new_row_each_window(store):
    now = [0.0]
    recorder = AuditRecorder(store, summary_window_seconds=60, clock=lambda: now[0])

    principal = SimpleNamespace(tenant="t", oid="bob")
    account = SimpleNamespace(upn="bob@contoso.example", principal=principal, groups={"finance"})
    device = SimpleNamespace(name="PC", id="", enrolled=False)
    sharer = SimpleNamespace(
        id="connection-1",
        account=account,
        address="192.0.2.7",
        device_summary=device,
        device_groups={"finance"},
    )

    async def refuse(times):
        for _ in range(times):
            await recorder.refused(Outcome.INVALID_CODE, sharer)

    asyncio.run(refuse(3))
    now[0] = 61.0
    asyncio.run(refuse(2))
    rows = store.query(AuditFilter())
    assert sorted(r["attempts"] for r in rows) == [2, 3]
    assert {r["source_address"] for r in rows} == {"192.0.2.7"}

    # Past the first few of a window, refusals are summed in memory and written as one count.
    now[0] = 200.0
    asyncio.run(refuse(50))
    events_before = store.verify(None).events
    asyncio.run(recorder.flush_summaries())
    rows = store.query(AuditFilter())
    assert sorted(r["attempts"] for r in rows) == [2, 3, 50]
    assert store.verify(None).events == events_before + 1
    asyncio.run(recorder.flush_summaries())  # nothing left to write: no event
    assert store.verify(None).events == events_before + 1
    assert store.verify(None).ok


async def test_purge_runs_again_and_again_not_once(store):
    old = store.open(started_at=datetime.now(UTC) - timedelta(days=40))
    recorder = AuditRecorder(store)
    sleeps: list[float] = []

    async def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            # Between the first and the second purge another record grows old.
            store.open(started_at=datetime.now(UTC) - timedelta(days=31))
        if len(sleeps) > 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await purge_periodically(recorder, timedelta(days=30), 86400, sleep=fake_sleep)
    assert sleeps == [86400] * 4
    assert store.query(AuditFilter()) == []
    assert old


def test_records_a_killed_server_left_open_are_closed_at_start_up(store, database_url, tmp_path):
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="bob@contoso.example")
    store.engine.dispose()
    with in_process_server(tmp_path, database_url=database_url) as server:
        [row] = server.audit()
    assert row["ended_at"] is not None and row["end_reason"] == "server_restart"


async def test_stopping_the_server_closes_running_sessions_as_shutdown(signaling_server):
    from common.protocol import Consent
    from tests.signaling.test_pairing import _pair

    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="view"))
    await helper.recv()
    signaling_server.stop()
    assert signaling_server.proc.returncode == 0
    database = open_database(f"sqlite:///{signaling_server.data_dir / 'helpline.db'}")
    rows = AuditStore(database).query(AuditFilter())
    assert [(r["outcome"], r["end_reason"]) for r in rows] == [
        ("accepted", EndReason.SERVER_SHUTDOWN.value)
    ]


def test_the_same_read_again_is_written_a_few_times_then_counted_once(database_url):
    now = [0.0]
    store = AuditStore(open_database(database_url), clock=lambda: now[0])
    for _ in range(10):
        store.note_access("erin@contoso.example", "devices", {"name": "PC"}, 2)
    store.note_access("erin@contoso.example", "devices", {"name": "other"}, 0)
    assert len(store.reads(100)) == 4, "three of the same read, and another one"
    store.flush_reads()  # its window is still open: nothing yet
    assert len(store.reads(100)) == 4
    now[0] = 61.0
    store.flush_reads()
    newest = store.reads(100)[0]
    assert (newest["filter"], newest["times"]) == ({"name": "PC"}, 7)
    assert sum(r.get("times", 1) for r in store.reads(100)) == 11
    assert store.verify(None).ok
    store.engine.dispose()
