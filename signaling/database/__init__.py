"""The server's database: one engine for every store, its schema made and changed only by the
Alembic migrations shipped in ``migrations/``, on SQLite or PostgreSQL."""
