"""``helpline-signaling``: run the server, or read its audit log.

Every failure a person can cause (a bad flag, an unusable identity file, a busy port) ends
with one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import socket
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from common.logging_setup import LogFormat, configure_logging
from common.protocol import PROTOCOL_VERSION
from common.validation import first_error
from signaling.audit.models import Outcome
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database.engine import DatabaseError
from signaling.identity.directory import DirectoryError
from signaling.settings import Migrate, ServerSettings
from signaling.tls import TlsConfigError, check_tls_pair
from signaling.turn import TurnConfigError

PROG = "helpline-signaling"
SERVE_EPILOG = f"""\
Every setting also reads HELPLINE_<NAME> from the environment (for example HELPLINE_PORT,
HELPLINE_DATABASE_URL, HELPLINE_TRUSTED_PROXIES); flags win over the environment.

Reading the audit log:
  {PROG} audit list [--data-dir DIR] [--since ISO] [--until ISO] [--helper UPN]
                     [--sharer UPN] [--outcome OUTCOME] [--limit N]
  {PROG} audit verify [--data-dir DIR]
  {PROG} audit reads [--data-dir DIR] [--limit N]
  ({PROG} audit --help for details)

The database's schema (migrations; the server upgrades at start-up unless --no-migrate):
  {PROG} db upgrade|current|check [--data-dir DIR]
"""


def version_text() -> str:
    try:
        release = metadata.version("helpline")
    except metadata.PackageNotFoundError:
        release = "unknown"
    return f"{PROG} {release} (protocol {PROTOCOL_VERSION})"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def _default(name: str) -> Any:
    field = ServerSettings.model_fields[name]
    return field.get_default(call_default_factory=True)


def _settings(**flags: object) -> ServerSettings:
    return ServerSettings(**{k: v for k, v in flags.items() if v is not None})  # type: ignore[arg-type]


def _serve_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Run the Helpline signaling server.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--host", help=f"address to listen on (default: {_default('host')})")
    parser.add_argument(
        "--port",
        type=int,
        help=f"port to listen on, 0 for any free one (default: {_default('port')})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"audit database and keys (default: {_default('data_dir')})",
    )
    parser.add_argument(
        "--dev-identity",
        type=Path,
        metavar="FILE",
        help="enable the development identity provider with this directory file (default: off; "
        "without it, set HELPLINE_ENTRA_TENANT_ID and HELPLINE_ENTRA_AUDIENCE)",
    )
    parser.add_argument(
        "--directory",
        type=Path,
        metavar="FILE",
        help="roles and groups for Entra users (default: none)",
    )
    parser.add_argument(
        "--public-url", metavar="URL", help="the URL clients use (default: http://HOST:PORT)"
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="serve https and wss with this PEM certificate chain (default: plain http)",
    )
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's key")
    parser.add_argument(
        "--turn-url",
        action="append",
        metavar="URL",
        help="the organisation's stun:, turn: or turns: URL for the apps, repeatable "
        "(default: none; no public server is ever used)",
    )
    parser.add_argument(
        "--turn-secret-file",
        type=Path,
        metavar="FILE",
        help="coturn's static-auth-secret, for short-lived TURN credentials (default: none)",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        metavar="FILE",
        help='once started, write {"url", "port", "pid"} here as JSON (default: none)',
    )
    parser.add_argument(
        "--no-migrate",
        action="store_const",
        const=Migrate.NEVER,
        dest="migrate",
        help="refuse to start unless the database's schema is this version's already "
        "(default: upgrade it at start-up; HELPLINE_MIGRATE=never)",
    )
    parser.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (default: INFO)"
    )
    parser.add_argument(
        "--log-format",
        choices=[f.value for f in LogFormat],
        default=None,
        help="text for a terminal, json for a log collector (default: text, or "
        "HELPLINE_LOG_FORMAT)",
    )
    return parser


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def _serve(argv: list[str]) -> int:
    args = _serve_parser().parse_args(argv)
    level = args.log_level or os.environ.get("HELPLINE_LOG_LEVEL") or "INFO"
    configure_logging(level, args.log_format)
    settings = _settings(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        dev_identity=args.dev_identity,
        directory_file=args.directory,
        public_url=args.public_url,
        ready_file=args.ready_file,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        turn_urls=args.turn_url,
        turn_secret_file=args.turn_secret_file,
        migrate=args.migrate,
    )
    try:
        check_tls_pair(settings.tls_cert, settings.tls_key)
    except TlsConfigError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    try:
        listener = _listen(settings.host, settings.port)
    except OSError as exc:
        print(
            f"{PROG}: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    # With port 0 the kernel chose; everything derived from the URL must use that port.
    settings = settings.model_copy(update={"port": listener.getsockname()[1]})
    from signaling.app import ConfigurationError, create_app
    from signaling.server import run_server

    os.umask(0o077)  # the audit database, its WAL and the keys are private to this account
    try:
        app = create_app(settings)
    except (
        DirectoryError,
        ConfigurationError,
        DatabaseError,
        TurnConfigError,
        OSError,
        ValueError,
    ) as exc:
        listener.close()
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        listener.close()
        reason = getattr(exc, "orig", None) or type(exc).__name__
        print(f"{PROG}: cannot open the audit database: {reason}", file=sys.stderr)
        return 1
    print(f"{PROG}: listening on {settings.base_url}", file=sys.stderr, flush=True)
    asyncio.run(run_server(app, settings, listener))
    return 0


def _audit(argv: list[str]) -> int:
    parser = _Parser(prog=f"{PROG} audit", description="Read the audit log.")
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="list session records as JSON lines, newest first")
    listing.add_argument("--data-dir", type=Path, help=f"(default: {_default('data_dir')})")
    listing.add_argument("--since", type=datetime.fromisoformat, help="ISO 8601 (default: all)")
    listing.add_argument("--until", type=datetime.fromisoformat, help="ISO 8601 (default: all)")
    listing.add_argument("--helper", help="helper UPN (default: all)")
    listing.add_argument("--sharer", help="sharer UPN (default: all)")
    listing.add_argument(
        "--outcome", type=Outcome, metavar="OUTCOME", help=f"one of {', '.join(Outcome)}"
    )
    listing.add_argument("--limit", type=int, default=500, help="(default: 500)")
    reads = sub.add_parser("reads", help="who read the audit through the API, newest first")
    reads.add_argument("--data-dir", type=Path, help=f"(default: {_default('data_dir')})")
    reads.add_argument("--limit", type=int, default=500, help="(default: 500)")
    checking = sub.add_parser(
        "verify",
        help="check the hash chain, every record against its events, and the signed "
        "checkpoints; name the first thing that was changed or removed",
    )
    checking.add_argument("--data-dir", type=Path, help=f"(default: {_default('data_dir')})")
    args = parser.parse_args(argv)
    from signaling.database.schema import open_database

    settings = _settings(data_dir=args.data_dir)
    if _missing_database(settings):
        return 1
    try:
        engine = open_database(settings.db_url, Migrate.NEVER)
    except DatabaseError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    if args.action == "verify":
        return _verify(AuditStore(engine), settings.data_dir)
    if args.action == "reads":
        for read in AuditStore(engine).reads(args.limit):
            print(json.dumps(read))
        return 0
    where = AuditFilter(args.since, args.until, args.helper, args.sharer, args.outcome, args.limit)
    return _list(engine, settings, where)


def _list(engine: Engine, settings: ServerSettings, where: AuditFilter) -> int:
    """Session records, once this read is on the chain (keyed, as the server writes it): a
    read that cannot be recorded is no read, as through the API."""
    from signaling.audit.anchor import AnchorFile
    from signaling.database.engine import one_line
    from signaling.keys import CARD_KEY_FILE, card_signing_key

    if not (settings.data_dir / CARD_KEY_FILE).exists():
        print(f"{PROG}: cannot record this read: no server key in {settings.data_dir}",
              file=sys.stderr)  # fmt: skip
        return 1
    store = AuditStore(
        engine,
        signing_key=card_signing_key(settings.data_dir),
        anchor=AnchorFile(settings.data_dir),
        checkpoint_every=settings.audit_checkpoint_every,
    )
    try:
        rows = store.query(where)
        store.note_read(f"local:{getpass.getuser()}", where, len(rows))
    except SQLAlchemyError as exc:
        print(f"{PROG}: cannot record this read: {one_line(exc)}", file=sys.stderr)
        return 1
    for row in rows:
        print(json.dumps(row))
    return 0


def _missing_database(settings: ServerSettings) -> bool:
    """Reading commands never create a database; say so when there is none to read."""
    if settings.database_url is None and not (settings.data_dir / "helpline.db").exists():
        print(f"{PROG}: no audit database in {settings.data_dir}", file=sys.stderr)
        return True
    return False


def _db(argv: list[str]) -> int:
    parser = _Parser(
        prog=f"{PROG} db",
        description="The database's schema: Alembic migrations shipped with the server. "
        "The database is HELPLINE_DATABASE_URL, or helpline.db in the data folder.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    for name, text in (
        ("upgrade", "bring the database to this version's schema (adopting one made before "
         "migrations); what the server does at start-up unless --no-migrate"),
        ("current", "print the database's revision and the one this version needs"),
        ("check", "exit 0 only when the database is at head and its tables match the models"),
    ):  # fmt: skip
        action = sub.add_parser(name, help=text)
        action.add_argument("--data-dir", type=Path, help=f"(default: {_default('data_dir')})")
    args = parser.parse_args(argv)
    from signaling.database import revisions, schema
    from signaling.database.engine import make_engine, one_line
    from signaling.tables import METADATA

    settings = _settings(data_dir=args.data_dir)
    if args.action == "upgrade" and settings.database_url is None:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.umask(0o077)
    elif _missing_database(settings):
        return 1
    head = revisions.head()
    try:
        engine = make_engine(settings.db_url)
        if args.action == "upgrade":
            before, after = schema.upgrade(engine)
            print(f"database at revision {after} (was {before or 'empty'})")
            return 0
        with engine.connect() as connection:
            revision = schema.current(connection)
        if args.action == "current":
            print(f"revision {revision or 'none'} (this version needs {head})")
            return 0
        schema.require_head(engine)
        differences = schema.differences(engine, METADATA)
    except DatabaseError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"{PROG}: cannot use the database: {one_line(exc)}", file=sys.stderr)
        return 1
    if differences:
        described = ", ".join(schema.describe(d) for d in differences)
        print(f"{PROG}: the database and the models differ: {described}", file=sys.stderr)
        return 1
    print(f"database at revision {head}, matching the models")
    return 0


def _verify(store: AuditStore, data_dir: Path) -> int:
    """The standard checks, and those of other parts of the server (each a callable over
    the same ``ChainView``, appended to ``checks``); then what was proven, line by line."""
    from signaling.audit.anchor import AnchorError, AnchorFile
    from signaling.audit.verify import STANDARD_CHECKS, Check
    from signaling.devices import chain_state
    from signaling.keys import CARD_KEY_FILE, card_signing_key

    checks: tuple[Check, ...] = (*STANDARD_CHECKS, chain_state.chain_check)
    key = card_signing_key(data_dir) if (data_dir / CARD_KEY_FILE).exists() else None
    try:
        anchor = AnchorFile(data_dir).load()  # before the database: it is at least this far
    except AnchorError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    verdict = store.verify(key, anchor, checks)
    counts = (
        f"{verdict.events} events, {verdict.records} records, {verdict.checkpoints} checkpoints"
    )
    if verdict.problem is not None:
        print(f"{PROG}: audit broken: {verdict.problem} ({counts})", file=sys.stderr)
        for problem in verdict.problems[1:]:
            print(f"  also: {problem}", file=sys.stderr)
        return 1
    print(f"audit ok: {counts}")
    for fact in verdict.proven:
        print(f"  {fact}")
    return 0


def _server_key(argv: list[str]) -> int:
    parser = _Parser(
        prog="helpline-signaling server-key",
        description="Print the fingerprint of the card-signing key, for the apps' helpline.toml.",
    )
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)
    from common.identity_card import CardSigner
    from common.key_fingerprint import key_fingerprint
    from signaling.keys import CARD_KEY_FILE, card_signing_key

    settings = _settings(data_dir=args.data_dir)
    if not (settings.data_dir / CARD_KEY_FILE).exists():
        print(f"helpline-signaling: no card-signing key in {settings.data_dir}", file=sys.stderr)
        return 1
    print(key_fingerprint(CardSigner(card_signing_key(settings.data_dir)).public_key_b64))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["audit"]:
            return _audit(argv[1:])
        if argv[:1] == ["db"]:
            return _db(argv[1:])
        if argv[:1] == ["server-key"]:
            return _server_key(argv[1:])
        return _serve(argv)
    except ValidationError as exc:
        print(f"{PROG}: invalid setting {first_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
