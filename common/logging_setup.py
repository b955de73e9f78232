"""Structured diagnostics on standard error; events and secrets never go here."""

from __future__ import annotations

import json
import logging
import os
import sys


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data)


def configure_logging(level: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("HELPLINE_LOG_LEVEL", "WARNING")).upper())
    # aiortc and aioice are chatty at INFO and may log SDP; keep them quiet.
    for noisy in ("aiortc", "aioice", "websockets", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
