"""Security codes: short enough to read over the phone, hard to guess.

Eight symbols from a 30-symbol alphabet give 30**8 (about 6.6e11) codes; with redeem
attempts rate-limited, guessing a live code is out of reach.
"""

from __future__ import annotations

import hmac
import secrets

# No look-alikes: 0/O, 1/I/L, and U (reads as V) are left out.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
GROUP = 4
LENGTH = 2 * GROUP
_SEPARATORS = " -_.\t"


def generate_code() -> str:
    """A fresh code in display form, ``XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normalise_code(text: str) -> str | None:
    """The canonical eight symbols of what a person typed, or None if it cannot be a code.

    Forgiving of case and of spaces, dashes, dots and underscores anywhere.
    """
    if len(text) > 64:
        return None
    raw = "".join(ch for ch in text.upper() if ch not in _SEPARATORS)
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def codes_equal(a: str, b: str) -> bool:
    """Compare two normalised codes in constant time, so timing tells nothing."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
