"""Every table the server keeps: importing this module puts all models on ``METADATA``.

The database layer (``signaling.database``) knows no model: what the migrations are compared
with is handed to it from here, by ``helpline-signaling db check``, the test suite and
``scripts/new_migration.py``. A new part of the server with tables of its own is imported
here too, so that the migrations are checked against it.
"""

from __future__ import annotations

# Imported for what importing does: each registers its tables on Base.metadata.
import signaling.audit.models
import signaling.devices.models  # noqa: F401
from signaling.database.base import Base

METADATA = Base.metadata
