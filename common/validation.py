"""The one way a pydantic validation error is told to a person: its first problem, in a line."""

from __future__ import annotations

from pydantic import ValidationError

# The path names fields the sender chose (an unknown field is named by its key): bounded and
# escaped, so the line stays one short line whatever was sent, and fits an error message.
MAX_WHERE = 60


def first_error(exc: ValidationError, skip: int = 0, default: str = "message") -> str:
    """``where: what`` for the first error; ``skip`` drops leading path parts (the union tag)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"][skip:]) or default
    if len(where) > MAX_WHERE:
        where = where[:MAX_WHERE] + "..."
    where = where.encode("unicode_escape").decode("ascii")
    return f"{where}: {first['msg']}"
