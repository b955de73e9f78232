"""Every file and folder of the project the README names exists, so a new user following it
never looks for a module that was renamed away."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# Paths a running program makes (the demo's folder, the virtual environment, the build), not
# files of the checkout.
MADE_AT_RUN_TIME = (".helpline-demo/", ".venv/", "dist/", "device/", "logs/", "managed/")
SUFFIXES = (".py", ".md", ".toml", ".sh", ".png", ".conf", ".service", ".env", ".lock", ".ini")
PATH = re.compile(r"^\.?/?[A-Za-z_][\w.\-]*(/[\w.\-]+)*/?$")


def _names(text: str) -> list[str]:
    quoted = re.findall(r"`([^`\s]+)`", text) + re.findall(r"\]\(([^)\s#]+)\)", text)
    return [
        name
        for name in quoted
        if "://" not in name
        and not name.startswith(("/", "-", "$"))
        and PATH.match(name)
        and (name.endswith("/") or name.endswith(SUFFIXES))
        and not name.startswith(MADE_AT_RUN_TIME)
    ]


def _development_rows(text: str) -> list[tuple[Path, str]]:
    """The development table's rows: the folder each names first, and the rest of its row."""
    section = text.partition("## Development")[2].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and (first := re.findall(r"`([^`]+/)`", cells[1])):
            rows.append((ROOT / first[0], "|".join(cells[2:])))
    return rows


def _missing_paths(text: str) -> list[str]:
    """Names with a folder in them, read from the repository's root (or, in a development
    table row, from that row's folder)."""
    rows = [rest for _folder, rest in _development_rows(text)]
    outside = "\n".join(line for line in text.splitlines() if not any(r in line for r in rows))
    return sorted({n for n in _names(outside) if "/" in n.rstrip("/") and not (ROOT / n).exists()})


def _missing_in_table(text: str) -> list[str]:
    """A module or folder named in a development-table row lives under that row's folder: a
    bare name anywhere below it, a path from it (or from the root)."""
    missing = []
    for folder, rest in _development_rows(text):
        for name in _names(rest):
            if "/" in name.rstrip("/"):
                found = (folder / name).exists() or (ROOT / name).exists()
            else:
                pattern = name.rstrip("/")
                found = any(path.name == pattern for path in folder.rglob(pattern))
            if not found:
                missing.append(f"{folder.relative_to(ROOT)}/…/{name}")
    return missing


def test_every_path_the_readme_names_exists():
    text = README.read_text(encoding="utf-8")
    assert _missing_paths(text) == []


def test_every_module_the_development_table_names_is_in_its_folder():
    text = README.read_text(encoding="utf-8")
    assert len(_development_rows(text)) >= 6
    assert _missing_in_table(text) == []


def test_a_stale_name_is_caught():
    stale = "| folder | holds |\n| --- | --- |\n| `signaling/` | pairing (`pairing.py`) |\n"
    assert _missing_in_table("## Development\n" + stale) == ["signaling/…/pairing.py"]
    assert _missing_paths("see `signaling/pairing.py`") == ["signaling/pairing.py"]
