"""Which language the apps speak, and loading its translation.

Every word a person sees goes through Qt's translation machinery (``tr`` in widgets,
``QCoreApplication.translate`` elsewhere); the catalogues are Qt Linguist files in
``desktop_widgets/translations`` (``helpline_fr.ts``, compiled to ``.qm`` by
``scripts/translations.py``). The language is ``HELPLINE_LANG`` when set, else the system
locale's; English is the source language and needs no catalogue. The headless JSON events
stay in English: they are a machine interface.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

TRANSLATIONS = Path(__file__).with_name("translations")
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "fr")

_current = SOURCE_LANGUAGE
_installed: list[QTranslator] = []


def wanted_language(environ: Mapping[str, str] | None = None, system: str | None = None) -> str:
    """``HELPLINE_LANG`` (``fr``, ``fr_FR``, ``fr-CA``...) or the system locale, as one of
    :data:`LANGUAGES`; English for anything without a catalogue."""
    env = os.environ if environ is None else environ
    name = env.get("HELPLINE_LANG", "").strip() or (system or QLocale.system().name())
    language = name.replace("-", "_").split("_")[0].split(".")[0].lower()
    return language if language in LANGUAGES else SOURCE_LANGUAGE


def catalogue(language: str) -> Path:
    return TRANSLATIONS / f"helpline_{language}.qm"


def install_language(app: QCoreApplication, language: str | None = None) -> str:
    """Load the catalogue for ``language`` (default: :func:`wanted_language`) into ``app``,
    replacing any loaded before; returns the language now spoken."""
    global _current
    chosen = language or wanted_language()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current = SOURCE_LANGUAGE
    if chosen != SOURCE_LANGUAGE:
        translator = QTranslator(app)
        if not translator.load(str(catalogue(chosen))):
            raise FileNotFoundError(f"the {chosen} catalogue is missing: {catalogue(chosen)}")
        app.installTranslator(translator)
        _installed.append(translator)
        _current = chosen
        QLocale.setDefault(QLocale(chosen))
    return _current


def current_language() -> str:
    return _current
