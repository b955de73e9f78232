"""``helpline-signaling db`` and the server's start-up, as an operator meets them: one line
for each answer or refusal, never a traceback, never a password."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from devtools.server import DEV_DIRECTORY
from signaling.database import revisions


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    return line


def _serve(data_dir, *flags: str, env: dict[str, str] | None = None):
    return _run("--port", "0", "--data-dir", str(data_dir), "--dev-identity", str(DEV_DIRECTORY),
                *flags, env=env)  # fmt: skip


def test_the_db_command_upgrades_reports_and_checks(tmp_path):
    data = str(tmp_path / "data")
    head = revisions.head()
    assert "no audit database" in _one_line_error(_run("db", "current", "--data-dir", data))
    upgraded = _run("db", "upgrade", "--data-dir", data)
    assert upgraded.stdout == f"database at revision {head} (was empty)\n", upgraded.stderr
    assert (tmp_path / "data" / "helpline.db").stat().st_mode & 0o777 == 0o600
    current = _run("db", "current", "--data-dir", data)
    assert current.stdout == f"revision {head} (this version needs {head})\n"
    checked = _run("db", "check", "--data-dir", data)
    assert checked.returncode == 0 and "matching the models" in checked.stdout, checked.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'helpline.db'}")
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE session_records ADD COLUMN extra INTEGER"))
    engine.dispose()
    line = _one_line_error(_run("db", "check", "--data-dir", data))
    assert "the database and the models differ" in line and "extra" in line


def test_told_not_to_migrate_the_server_refuses_in_one_line(tmp_path):
    data = tmp_path / "data"
    line = _one_line_error(_serve(data, "--no-migrate"))
    assert line.endswith(
        f"the database is at revision none and this version needs {revisions.head()}; "
        "run 'helpline-signaling db upgrade' (or start without HELPLINE_MIGRATE=never)"
    )
    from_env = _one_line_error(_serve(data, env={"HELPLINE_MIGRATE": "never"}))
    assert from_env == line


def test_a_database_the_server_cannot_reach_is_one_line_without_the_password(
    tmp_path, postgres, postgres_url
):
    wrong = postgres_url.replace(postgres.password, "Wr0ng-Passw0rd")
    for result in (
        _serve(tmp_path / "data", env={"HELPLINE_DATABASE_URL": wrong}),
        _run("db", "upgrade", env={"HELPLINE_DATABASE_URL": wrong}),
    ):
        line = _one_line_error(result)
        assert "password authentication failed" in line
        assert "Wr0ng-Passw0rd" not in result.stderr + result.stdout
    bad = _one_line_error(_serve(tmp_path / "data", env={"HELPLINE_DATABASE_URL": "pg:/x"}))
    assert "is not a database URL" in bad


def test_a_server_that_cannot_start_leaves_the_database_alone(tmp_path):
    line = _one_line_error(_serve(tmp_path / "data", "--turn-url", "turn:turn.example.org:3478"))
    assert "needs --turn-secret-file" in line
    assert not (tmp_path / "data" / "helpline.db").exists()
