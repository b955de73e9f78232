"""Keep the apps' translations in step with their words: extract and compile.

    python scripts/translations.py update    # pyside6-lupdate: new words into the .ts files
    python scripts/translations.py release   # pyside6-lrelease: .ts -> .qm the apps load

The .ts files (Qt Linguist's format, open them in ``pyside6-linguist``) are the source of
each translation; the .qm files next to them are what ships. tests/ui/test_translations.py
fails when a word on screen has no translation or a .qm is older than its .ts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "desktop_widgets" / "translations"
LANGUAGES = ("fr",)
# Every module that puts words on screen.
SOURCE_DIRS = ("desktop_widgets", "helper_app/views", "sharer_app/views")


def tool(name: str) -> str:
    """The PySide6 tool next to this interpreter (the project's venv), else on the path."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"translations: {name} not found; run ./scripts/bootstrap.sh")
    return found


def sources(root: Path = ROOT) -> list[str]:
    return [str(path) for folder in SOURCE_DIRS for path in sorted((root / folder).glob("*.py"))]


def ts_file(language: str, folder: Path = TRANSLATIONS) -> Path:
    return folder / f"helpline_{language}.ts"


def update(ts: Path) -> None:
    subprocess.run(
        [tool("pyside6-lupdate"), *sources(), "-locations", "none", "-no-obsolete", "-ts", str(ts)],
        check=True,
        capture_output=True,
    )


def release(ts: Path, qm: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )


def main(argv: list[str]) -> int:
    if argv not in (["update"], ["release"]):
        print(__doc__, file=sys.stderr)
        return 2
    for language in LANGUAGES:
        ts = ts_file(language)
        if argv == ["update"]:
            update(ts)
        else:
            release(ts, ts.with_suffix(".qm"))
        print(f"{argv[0]}: {ts.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
