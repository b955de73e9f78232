"""The one way a pydantic validation error is told to a person: its first problem, in a line."""

from __future__ import annotations

from pydantic import ValidationError


def first_error(exc: ValidationError, skip: int = 0) -> str:
    """``where: what`` for the first error; ``skip`` drops leading path parts (the union tag)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"][skip:]) or "message"
    return f"{where}: {first['msg']}"
