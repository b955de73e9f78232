"""The French translation is complete: every word the apps put on screen has one.

Three checks that fail on a missing word: the catalogue holds every string the sources mark
for translation (pyside6-lupdate run afresh), each with a finished translation keeping its
``{placeholders}``; the shipped .qm says what the .ts says; and every window built in French
shows no word it also shows in English (which catches words never marked at all).
"""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from desktop_widgets import words
from desktop_widgets.i18n import catalogue, install_language, wanted_language
from tests.ui.every_page import DATA, build_all, descendants

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import translations as tools  # noqa: E402

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def messages(ts: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(context, source) -> (translation, its type attribute)."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = (
                translation.text or "",
                translation.get("type", ""),
            )
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The catalogue as lupdate makes it now from the sources (the shipped one copied first,
    so what is already translated stays)."""
    ts = tmp_path_factory.mktemp("ts") / "helpline_fr.ts"
    shutil.copy(tools.ts_file("fr"), ts)
    tools.update(ts)
    return messages(ts)


def test_every_marked_string_is_in_the_french_catalogue_and_translated(fresh):
    shipped = messages(tools.ts_file("fr"))
    assert len(fresh) > 150, "lupdate found the apps' strings"
    missing = sorted(key for key in fresh if key not in shipped)
    unfinished = sorted(key for key, (text, kind) in fresh.items() if not text or kind)
    assert missing == [] and unfinished == []


def test_translations_keep_their_placeholders():
    wrong = [
        (context, source)
        for (context, source), (text, _kind) in messages(tools.ts_file("fr")).items()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert wrong == []


def test_the_shipped_qm_says_what_the_ts_says():
    translator = QTranslator()
    assert translator.load(str(catalogue("fr")))
    stale = [
        key
        for key, (text, _kind) in messages(tools.ts_file("fr")).items()
        if translator.translate(key[0], key[1]) != text
    ]
    assert stale == [], "run: python scripts/translations.py release"


def test_the_engine_sentences_the_windows_translate_are_the_engines_own():
    assert [k for k, v in words.ENGINE_TEXTS.items() if k != v] == []


@pytest.mark.parametrize(
    ("env", "system", "expected"),
    [
        ({"HELPLINE_LANG": "fr"}, "en_US", "fr"),
        ({"HELPLINE_LANG": "fr_CA.UTF-8"}, "en_US", "fr"),
        ({}, "fr_FR", "fr"),
        ({}, "de_DE", "en"),
        ({"HELPLINE_LANG": "en"}, "fr_FR", "en"),
    ],
)
def test_the_language_comes_from_helpline_lang_or_the_system(env, system, expected):
    assert wanted_language(env, system) == expected


def _shown_words(windows: dict[str, QWidget]) -> dict[str, set[str]]:
    shown: dict[str, set[str]] = {}
    for name, top in windows.items():
        texts = {top.windowTitle()}
        for widget in descendants(top):
            if isinstance(widget, QLabel | QAbstractButton):
                texts.add(widget.text())
            if isinstance(widget, QLineEdit):
                texts.add(widget.placeholderText())
            texts.add(widget.accessibleName())
            texts.add(widget.accessibleDescription())
            texts.add(widget.toolTip())
        shown[name] = {t for t in texts if re.search(r"[a-z]{3}", t) and t not in DATA}
    return shown


def test_no_window_shows_an_english_word_in_french(qtbot, qapp, qt_display, run_async, tmp_path):
    english = _shown_words(build_all(qtbot, run_async, tmp_path / "en"))
    try:
        assert install_language(qapp, "fr") == "fr"
        french = _shown_words(build_all(qtbot, run_async, tmp_path / "fr"))
    finally:
        install_language(qapp, "en")
    # Words French spells as English does (Action, Pause) are translated, to themselves.
    identical = {
        form
        for (_context, source), (text, _kind) in messages(tools.ts_file("fr")).items()
        if text == source
        for form in (source, source.replace("&", ""))
    }
    same = {name: sorted(english[name] & french[name] - identical) for name in english}
    assert {name: found for name, found in same.items() if found} == {}
    assert sum(len(v) for v in english.values()) > 100
