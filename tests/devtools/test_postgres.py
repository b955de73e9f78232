"""The throwaway PostgreSQL server: reachable with its password only, gone after stop."""

from __future__ import annotations

import psycopg
import pytest

from devtools.postgres import running_postgres


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_database_of_its_own_is_reachable_with_the_password_only(postgres, postgres_url):
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(_dsn(postgres_url)) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == name
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
    wrong = _dsn(postgres_url).replace(postgres.password, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong)


def test_stopping_removes_the_cluster():
    with running_postgres() as server:
        assert (server.data_dir / "PG_VERSION").exists()
    assert not server.root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_dsn(server.url()), connect_timeout=5)
