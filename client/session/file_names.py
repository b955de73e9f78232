"""Names for received files: the other side's name never chooses the folder or overwrites.

The sender's name is only a suggestion. A path in it (``../``, ``/etc/``, ``C:\\``, ``\\\\host\\``)
is cut to its last part; NUL, control, format (bidi overrides, zero-width) and separator
characters are dropped; characters Windows refuses become ``_``; a reserved Windows device
name (``CON``, ``NUL``, ``COM1``...) gets a ``_`` in front; leading dots (hidden files, ``..``)
and trailing dots and spaces go. What is left is saved in the folder the receiver chose,
under that name or, when it is taken, ``name (2).ext`` and so on: an existing file is never
replaced. This is the class of flaw behind ScreenConnect's CVE-2024-1708.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

FALLBACK_NAME = "received-file"
MAX_NAME_BYTES = 200
MAX_SUFFIX_CHARS = 16
MAX_TRIES = 1000
# Control, format, separators, private use and lone surrogates: nothing a name needs.
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})
_WINDOWS_REFUSES = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.I)


def safe_name(offered: str) -> str:
    """A plain file name (no folder) made of ``offered``; never empty, never a path."""
    text = unicodedata.normalize("NFC", offered)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)
    last = [part for part in re.split(r"[/\\]", text) if part.strip(" .")]
    text = last[-1] if last else ""
    text = _WINDOWS_REFUSES.sub("_", text).strip(" .")
    if not text:
        return FALLBACK_NAME
    if _RESERVED.match(text.partition(".")[0].rstrip(" ")):
        text = "_" + text
    return _shortened(text)


def _shortened(name: str) -> str:
    """At most ``MAX_NAME_BYTES`` of UTF-8 (file systems allow 255), keeping a short suffix."""
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, suffix = os.path.splitext(name)
    if len(suffix) > MAX_SUFFIX_CHARS:
        stem, suffix = name, ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:room].decode(errors="ignore").rstrip(" .")
    return (cut or FALLBACK_NAME) + suffix


def candidates(name: str) -> list[str]:
    """``name``, then ``stem (2).ext``, ``stem (3).ext``, ...: the names tried in turn."""
    stem, suffix = os.path.splitext(name)
    return [name] + [f"{stem} ({n}){suffix}" for n in range(2, MAX_TRIES + 1)]


def keep_under_unique_name(partial: Path, directory: Path, name: str) -> Path:
    """Give the finished ``partial`` its name in ``directory`` without replacing anything:
    a hard link fails when the name exists (a file, a link, a folder), so the first free
    candidate wins even against another program racing for it."""
    for candidate in candidates(name):
        final = directory / candidate
        try:
            os.link(partial, final)
        except FileExistsError:
            continue
        except OSError:
            # No hard links here (FAT, some shares): reserve the name, then fill it.
            try:
                os.close(os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                continue
            os.replace(partial, final)
            return final
        partial.unlink()
        return final
    raise FileExistsError(f"no free name for {name} in {directory}")
