"""Runs the app under uvicorn on a socket the command line already bound, with the bounds
that keep slow and silent clients from starving everyone else."""

from __future__ import annotations

import functools
import logging
import resource
import socket

import uvicorn
from fastapi import FastAPI

from common.protocol import MAX_MESSAGE_BYTES
from signaling.admission import GuardedH11Protocol, WaitingRoom
from signaling.settings import ServerSettings

log = logging.getLogger(__name__)


def raise_file_limit() -> int:
    """Every socket is a descriptor: take the hard limit, where the system allows it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("cannot raise the open-file limit above %d", soft)
    return soft


class ClientFaultFilter(logging.Filter):
    """uvicorn logs a text frame that is not UTF-8 with a traceback, as if the server had
    failed. It is the client's fault, already answered by closing that connection with 1007
    (RFC 6455): one warning line says so, and a traceback keeps meaning a bug of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Invalid UTF-8 sequence received from client"):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


async def run_server(app: FastAPI, settings: ServerSettings, listener: socket.socket) -> None:
    logging.getLogger("uvicorn.error").addFilter(ClientFaultFilter())
    limit = raise_file_limit()
    log.info("open-file limit=%d", limit)
    room = WaitingRoom(
        per_address=settings.max_waiting_per_address,
        total=settings.max_waiting_total,
        request_timeout=settings.request_timeout_seconds,
    )
    trusted = settings.trusted_proxies
    config = uvicorn.Config(
        app,
        http=functools.partial(GuardedH11Protocol, room=room),  # type: ignore[arg-type]
        log_config=None,
        log_level="warning",
        access_log=False,
        # Frames up to 1 MiB reach parse_message, which answers anything over 64 KiB with an
        # error; only larger ones make the websocket layer close the connection.
        ws_max_size=16 * MAX_MESSAGE_BYTES,
        # X-Forwarded-For is believed only from the proxies named in the settings.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
    )
    await uvicorn.Server(config).serve(sockets=[listener])
