"""Write the third-party notices a bundle must carry, from the packages actually installed.

A hand-kept list goes stale with the first upgrade; the installed distributions' own metadata
and licence files are what the bundle really contains. Run by ``scripts/build.sh``:

    python packaging/notices.py build/THIRD-PARTY-NOTICES.txt
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

OURS = "helpline"
# Shipped beside the Python packages' notices: PyAV's wheels link an FFmpeg with x264 (GPL).
FFMPEG_NOTE = """\
PyAV's wheels bundle FFmpeg built with GPL components (libx264). The bundles that contain
PyAV (helpline-helper, helpline-sharer) are therefore distributed under the terms of the
GNU General Public License version 2 or later; see docs/licensing.md for the source offer.
"""


def _licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for file in dist.files or ():
        name = file.name.upper()
        if any(word in name for word in ("LICENSE", "LICENCE", "COPYING", "NOTICE")):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                texts.append((file.name, path.read_text(errors="replace")))
    return texts


def notices() -> str:
    parts = ["Third-party software in this Helpline bundle\n", FFMPEG_NOTE]
    dists = {d.metadata["Name"].lower(): d for d in metadata.distributions() if d.metadata["Name"]}
    for name in sorted(dists):
        if name in (OURS, "pip", "setuptools", "pyinstaller", "pyinstaller-hooks-contrib"):
            continue
        dist = dists[name]
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        parts.append("=" * 78)
        parts.append(f"{dist.metadata['Name']} {dist.version}")
        if licence and len(licence) < 200:
            parts.append(f"Licence: {licence}")
        for home in dist.metadata.get_all("Project-URL") or []:
            parts.append(f"Project: {home}")
        for file_name, text in _licence_texts(dist):
            parts.append(f"--- {file_name}\n{text.strip()}\n")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python packaging/notices.py OUTPUT", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notices())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
