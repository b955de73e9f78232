"""Every table the migrations manage: importing this module puts all models on ``METADATA``.

A new part of the server with tables of its own is imported here too; the migrations are
compared with this metadata (``helpline-signaling db check`` and the test suite).
"""

from __future__ import annotations

# Imported for what importing does: each registers its tables on Base.metadata.
import signaling.audit.models
import signaling.devices.models  # noqa: F401
from signaling.database.base import Base

METADATA = Base.metadata
