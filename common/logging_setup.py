"""One structured logger for all three programs: diagnostics on standard error.

The standard library's logging with a formatter, rather than structlog: the only structure
we need is a few fields per line (session id, role), which a context variable and a filter
give without another dependency, and every library's log lines pass through the same
handler. Lines are readable on a terminal by default and JSON when asked (``--log-format
json`` or ``HELPLINE_LOG_FORMAT=json``). Events, tokens, codes and keystrokes never go here.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from enum import StrEnum
from types import MappingProxyType
from typing import Any

_EMPTY: MappingProxyType[str, str] = MappingProxyType({})
_FIELDS: ContextVar[MappingProxyType[str, str]] = ContextVar("helpline_log_fields", default=_EMPTY)
CONTEXT_FIELDS = ("session", "role", "device")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def bind_log_context(**fields: str | None) -> None:
    """Put fields (``session``, ``role``, ``device``) on every later line of the current task.

    Each asyncio task runs in its own copy of the context, so one connection's fields never
    show on another's lines. ``None`` removes a field.
    """
    current = dict(_FIELDS.get())
    for name, value in fields.items():
        if name not in CONTEXT_FIELDS:
            raise ValueError(f"unknown log field {name}")
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    _FIELDS.set(MappingProxyType(current))


def _fields() -> dict[str, str]:
    return dict(_FIELDS.get())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{k}={v}" for k, v in _fields().items())
        line = (
            f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: "
            f"{record.getMessage()}"
        )
        if context:
            line = f"{line} [{context}]"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def configure_logging(level: str | None = None, log_format: str | None = None) -> None:
    """Root logging for a program; flags win over ``HELPLINE_LOG_LEVEL``/``_FORMAT``."""
    wanted = (log_format or os.environ.get("HELPLINE_LOG_FORMAT") or LogFormat.TEXT).lower()
    chosen = LogFormat(wanted) if wanted in set(LogFormat) else LogFormat.TEXT
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen is LogFormat.JSON else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("HELPLINE_LOG_LEVEL", "WARNING")).upper())
    # aiortc and aioice are chatty at INFO and may log SDP; keep them quiet. Alembic's INFO
    # lines are its plugins and dialect; the server logs the upgrade it made itself.
    for noisy in ("aiortc", "aioice", "websockets", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if chosen.value != wanted:
        logging.getLogger(__name__).warning("unknown log format %r; using text", wanted)
