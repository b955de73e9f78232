"""``helpline-signaling``: run the server, or read its audit log.

Every failure a person can cause (a bad flag, an unusable identity file, a busy port) ends
with one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from common.logging_setup import configure_logging
from common.protocol import MAX_MESSAGE_BYTES
from signaling.directory import DirectoryError
from signaling.settings import ServerSettings
from signaling.tls import TlsConfigError, check_tls_pair
from signaling.turn import TurnConfigError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def _settings(**flags: object) -> ServerSettings:
    return ServerSettings(**{k: v for k, v in flags.items() if v is not None})  # type: ignore[arg-type]


def _serve(argv: list[str]) -> int:
    parser = _Parser(prog="helpline-signaling", description="Run the Helpline signaling server.")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--dev-identity", type=Path, metavar="FILE")
    parser.add_argument("--directory", type=Path, metavar="FILE", help="roles for Entra users")
    parser.add_argument("--public-url", help="the URL clients use, if not http://HOST:PORT")
    parser.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve https/wss (PEM chain)")
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's key")
    parser.add_argument(
        "--turn-url", action="append", metavar="URL", help="stun:/turn:/turns: URL (repeatable)"
    )
    parser.add_argument("--turn-secret-file", type=Path, metavar="FILE", help="coturn's secret")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    settings = _settings(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        dev_identity=args.dev_identity,
        directory_file=args.directory,
        public_url=args.public_url,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        turn_urls=args.turn_url,
        turn_secret_file=args.turn_secret_file,
    )
    import uvicorn

    from signaling.app import ConfigurationError, create_app

    try:
        check_tls_pair(settings.tls_cert, settings.tls_key)
        app = create_app(settings)
    except (
        DirectoryError,
        ConfigurationError,
        TlsConfigError,
        TurnConfigError,
        OSError,
        ValueError,
    ) as exc:
        print(f"helpline-signaling: {exc}", file=sys.stderr)
        return 1
    try:
        probe = socket.create_server((settings.host, settings.port), reuse_port=False)
        probe.close()
    except OSError as exc:
        print(
            f"helpline-signaling: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # Frames up to 1 MiB reach parse_message, which answers anything over 64 KiB with an
        # error; only larger ones make the websocket layer close the connection.
        ws_max_size=16 * MAX_MESSAGE_BYTES,
        access_log=False,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
    )
    print(f"helpline-signaling: listening on {settings.base_url}", file=sys.stderr, flush=True)
    asyncio.run(uvicorn.Server(config).serve())
    return 0


def _audit(argv: list[str]) -> int:
    parser = _Parser(prog="helpline-signaling audit", description="Read the audit log.")
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="list session records, newest first")
    listing.add_argument("--data-dir", type=Path)
    listing.add_argument("--since", type=datetime.fromisoformat, help="ISO 8601")
    listing.add_argument("--until", type=datetime.fromisoformat, help="ISO 8601")
    listing.add_argument("--helper", help="helper UPN")
    listing.add_argument("--sharer", help="sharer UPN")
    listing.add_argument("--outcome", help="accepted, declined, invalid_code, ...")
    listing.add_argument("--limit", type=int, default=500)
    args = parser.parse_args(argv)
    from signaling.audit.store import AuditFilter, AuditStore

    settings = _settings(data_dir=args.data_dir)
    if settings.database_url is None and not (settings.data_dir / "helpline.db").exists():
        print(f"helpline-signaling: no audit database in {settings.data_dir}", file=sys.stderr)
        return 1
    store = AuditStore(settings.db_url)
    where = AuditFilter(args.since, args.until, args.helper, args.sharer, args.outcome, args.limit)
    for row in store.query(where):
        print(json.dumps(row))
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
        if argv[:1] == ["server-key"]:
            return _server_key(argv[1:])
        return _serve(argv)
    except ValidationError as exc:
        first = exc.errors()[0]
        print(
            f"helpline-signaling: invalid setting {first['loc']}: {first['msg']}", file=sys.stderr
        )
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
