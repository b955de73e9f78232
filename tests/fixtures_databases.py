"""The databases the storage tests run on: SQLite in the test's folder, and PostgreSQL.

One throwaway PostgreSQL cluster serves the whole run (``devtools.postgres``); each test
gets a database of its own, dropped afterwards. Without PostgreSQL the tests that need it
fail and say how to install it: the test command installs it, so a skip would only hide a
broken set-up.
"""

from __future__ import annotations

import pytest

from devtools.postgres import PostgresUnavailable, start_postgres

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres():
    """The run's PostgreSQL cluster, started the first time a test asks for it."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres):
    """A new, empty PostgreSQL database for this test: its SQLAlchemy URL."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """The test runs twice: on a new SQLite file, and on a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'helpline.db'}"
    return request.getfixturevalue("postgres_url")
