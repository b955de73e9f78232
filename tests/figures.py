"""Figures a test measured (cases run, guesses refused, kills survived), printed and kept.

``HELPLINE_FIGURES`` names a file that collects one JSON line per test run, so
``scripts/security_figures.py`` can put what the tests really did into docs/security.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def record(test: str, **figures: Any) -> None:
    line = json.dumps({"test": test, **figures})
    print(f"\nfigures: {line}")
    target = os.environ.get("HELPLINE_FIGURES")
    if target:
        with Path(target).open("a") as out:
            out.write(line + "\n")
