"""A real signaling server process on a loopback port it chose itself, and its directory.

The server binds port 0 and writes its ready file (URL, port, pid) once start-up, including
the first audit purge, is done; the fixture waits for that file, never for time.

Starting a server takes seconds (imports, migrations, keys), more than most session tests
take otherwise. ``shared_server`` is one server for the whole run, for tests that ask nothing
of a server but to pair: each test's sessions have their own codes and audit records (found
by when the test began, ``tests.audit_records``). A test that restarts, kills, configures or
floods a server, types wrong codes (five lock an account for every later test) or reads
the whole audit, takes ``signaling_server`` or starts its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.redis_server import start_redis
from devtools.server import DEV_DIRECTORY, start_server


@pytest.fixture
def dev_identity_file() -> Path:
    """The development directory the README's demo uses (alice helps bob; carol is in hr)."""
    return DEV_DIRECTORY


@pytest.fixture(scope="session")
def _run_server(tmp_path_factory):
    server = start_server(DEV_DIRECTORY, tmp_path_factory.mktemp("shared-server") / "server-data")
    yield server
    server.stop()


@pytest.fixture
def shared_server(_run_server):
    """The run's one server, still up (a test that stops it fails here, not the next one)."""
    if _run_server.proc.poll() is not None:
        pytest.fail(f"the shared server has exited: {_run_server.log_path.read_text()[-2000:]}")
    yield _run_server
    if _run_server.proc.poll() is not None:
        pytest.fail("this test stopped the shared server: it needs a server of its own")


@pytest.fixture
def signaling_server(tmp_path, dev_identity_file):
    server = start_server(dev_identity_file, tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def app_folders(tmp_path, monkeypatch):
    """Each test's apps get their own config and data folders, never the user's own.

    The apps pin the first server key they see per URL; servers in the suite are made afresh
    with new keys, and a port may come round again, so pins must not outlive a test.
    """
    home = tmp_path / "app-home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "site-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own (Debian's redis-server), nothing kept on disk."""
    server = start_redis(tmp_path / "redis")
    yield server
    server.stop()


# Replicas notice a death within two seconds.
HEARTBEAT = {"HELPLINE_REPLICA_HEARTBEAT_SECONDS": "0.5"}


@pytest.fixture
def resume_wait() -> str:
    """How long an app that is back waits for the other side (a module may wait less)."""
    return "20"


@pytest.fixture
def replica_env(redis_server, postgres_url, resume_wait) -> dict[str, str]:
    """What replicas of one group share, as a deployment runs them: Redis and PostgreSQL."""
    return {
        "HELPLINE_REDIS_URL": redis_server.url,
        "HELPLINE_DATABASE_URL": postgres_url,
        "HELPLINE_RESUME_WAIT_SECONDS": resume_wait,
        **HEARTBEAT,
    }


@pytest.fixture
def replicas(tmp_path, dev_identity_file, replica_env):
    """Two server processes on two loopback ports acting as one: one Redis, one PostgreSQL
    audit, and one data folder, so they sign cards (and resume tokens) with the same key."""
    data_dir = tmp_path / "server-data"
    servers = [start_server(dev_identity_file, data_dir, replica_env) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def sqlite_replicas(tmp_path, dev_identity_file, redis_server):
    """Two replicas on one host sharing one SQLite file instead (README: *Several replicas*)."""
    env = {"HELPLINE_REDIS_URL": redis_server.url, **HEARTBEAT}
    data_dir = tmp_path / "server-data"
    servers = [start_server(dev_identity_file, data_dir, env) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()
