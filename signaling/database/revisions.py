"""The migrations shipped inside the package: where they are, and Alembic's view of them.

The folder is found next to this module, so an installed server (a wheel, a system package)
finds its migrations without an ini file or a working directory.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# The first revision: the audit's tables as the server made them before there were migrations.
BASELINE = "0001"


def alembic_config(
    connection: Connection | None = None, metadata: MetaData | None = None
) -> Config:
    """Alembic's configuration for our migrations, run on ``connection`` when given;
    ``metadata``, the models, only where a new migration is written from them."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["metadata"] = metadata
    return config


@functools.cache
def scripts() -> ScriptDirectory:
    """The migrations as Alembic sees them; read once, they do not change while we run."""
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this version of the server needs."""
    revision = scripts().get_current_head()
    assert revision is not None, "the package ships no migrations"
    return revision


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of ours (an unknown one was made by a newer version)."""
    return any(script.revision == revision for script in scripts().walk_revisions())
