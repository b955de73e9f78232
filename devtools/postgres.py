"""A throwaway PostgreSQL server on loopback, for tests and benchmarks.

It is made from the Debian packages' binaries in a fresh temporary folder: ``initdb`` a new
cluster with a random password, ``pg_ctl start`` it on a free port of 127.0.0.1 with its
unix socket in that folder, and at the end stop it and remove the folder. PostgreSQL refuses
to run as root, so as root the cluster belongs to (and runs as) the ``postgres`` account;
any other user runs it as themselves. Durability is off (``fsync``, full-page writes): the
data is thrown away anyway, and the tests exercise the SQL, not the disk.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "helpline"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
PORT_ATTEMPTS = 5
_DATABASES = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why and what to do."""


def find_bindir() -> Path:
    """The newest PostgreSQL in Debian's layout, or ``HELPLINE_PG_BINDIR``, or the PATH."""
    candidates: list[Path] = []
    if override := os.environ.get("HELPLINE_PG_BINDIR"):
        candidates.append(Path(override))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = [p for p in debian.iterdir() if p.name.isdigit()]
        candidates += [p / "bin" for p in sorted(versions, key=lambda p: int(p.name), reverse=True)]
    if on_path := shutil.which("initdb"):
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no initdb and pg_ctl found): run scripts/bootstrap.sh, "
        "or apt-get install postgresql, or set HELPLINE_PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster; ``url`` and ``create_database`` give SQLAlchemy URLs into it."""

    root: Path
    bindir: Path
    owner: str | None  # the account the cluster runs as when we are root; None: ourselves
    password: str
    port: int = 0
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database; its URL. Names default to a fresh ``helpline_N``."""
        name = name or f"helpline_{os.getpid()}_{next(_DATABASES)}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Gone, even while someone is still connected to it."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _admin(self, statement: sql.Composed) -> None:
        dsn = self.url().replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(statement)

    def _run(self, *command: str | Path) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.owner, "--"] if self.owner else []
        return subprocess.run(
            [*prefix, *map(str, command)], capture_output=True, text=True, check=False
        )

    def _start(self) -> None:
        for _ in range(PORT_ATTEMPTS):
            self.port = _free_port()
            options = f"-p {self.port} -k {self.root}"
            started = self._run(
                self.bindir / "pg_ctl", "start", "-w", "-D", self.data_dir,
                "-l", self.log_path, "-o", options,
            )  # fmt: skip
            if started.returncode == 0:
                return
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            if "could not bind" not in log and "already in use" not in log:
                raise PostgresUnavailable(f"PostgreSQL did not start: {started.stderr}{log}")
        raise PostgresUnavailable(f"PostgreSQL found no free port in {PORT_ATTEMPTS} attempts")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._run(self.bindir / "pg_ctl", "stop", "-D", self.data_dir, "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """A fresh cluster, started and reachable; it is stopped at exit if nobody stops it."""
    bindir = find_bindir()
    owner = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="helpline-pg-"))
    server = PostgresServer(root, bindir, owner, secrets.token_urlsafe(24))
    try:
        if owner is not None:
            try:
                account = pwd.getpwnam(owner)
            except KeyError:
                raise PostgresUnavailable(
                    "running as root needs the postgres account (apt-get install postgresql)"
                ) from None
            os.chown(root, account.pw_uid, account.pw_gid)
        password_file = root / "password"
        password_file.write_text(server.password + "\n")
        password_file.chmod(0o600)
        if owner is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        made = server._run(
            bindir / "initdb", "-D", server.data_dir, "-U", SUPERUSER, "--pwfile", password_file,
            "--auth", "scram-sha-256", "--no-sync", "--no-locale", "-E", "UTF8",
        )  # fmt: skip
        if made.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {made.stderr.strip()}")
        password_file.unlink()
        with (server.data_dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in SERVER_SETTINGS.items())
        server._start()
    except BaseException:
        server.stop()
        raise
    atexit.register(server.stop)
    return server


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """``start_postgres`` for a ``with`` block: stopped and removed when the block ends."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
