"""Write a new migration from the models, for a developer to read and tidy.

    export HELPLINE_DATABASE_URL=sqlite:////tmp/scratch.db
    helpline-signaling db upgrade
    .venv/bin/python scripts/new_migration.py --rev-id 0005 -m "what changed"

Alembic compares the models (``signaling.tables``) with the scratch database, which must be
at head, and writes the difference to ``signaling/database/migrations/versions/``. The
database layer knows no model, so they are handed to it here, as ``db check`` does.
"""

from __future__ import annotations

import argparse
import sys

from alembic import command

from signaling.database import revisions, schema
from signaling.database.engine import DatabaseError, make_engine
from signaling.settings import ServerSettings
from signaling.tables import METADATA


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev-id", required=True, help="the next number, e.g. 0005")
    parser.add_argument("-m", "--message", required=True, help="what the migration changes")
    args = parser.parse_args(argv)
    engine = make_engine(ServerSettings().db_url)
    try:
        schema.require_head(engine)
        with engine.begin() as connection:
            config = revisions.alembic_config(connection, metadata=METADATA)
            command.revision(config, message=args.message, rev_id=args.rev_id, autogenerate=True)
    except DatabaseError as exc:
        print(f"new_migration: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
