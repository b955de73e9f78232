"""Every interactive widget of both apps has a name a screen reader says, shows where the
keyboard focus is, and the consent page and code entry work from the keyboard alone."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QScrollBar,
    QWidget,
)

from desktop_widgets.theme import LIGHT, stylesheet
from tests.ui.every_page import CARD, build_all, descendants

INTERACTIVE = (
    QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractScrollArea,
    QAbstractSpinBox, QAbstractSlider,
)  # fmt: skip


def _path(widget: QWidget) -> str:
    parts = []
    while widget is not None:
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def _inner(widget: QWidget) -> bool:
    """Parts Qt builds inside a named widget (a combo box's list, a scroll area's bars)."""
    if isinstance(widget, QScrollBar) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox) and parent is not widget:
            return True
        parent = parent.parentWidget()
    return False


def interactive_widgets(windows: dict[str, QWidget]) -> list[tuple[str, QWidget]]:
    """Whatever the keyboard can reach, and every control a mouse can use."""
    found = []
    for name, top in windows.items():
        for widget in descendants(top):
            if _inner(widget):
                continue
            policy = widget.focusPolicy()
            tabbable = bool(policy.value & Qt.FocusPolicy.TabFocus.value)
            if tabbable or (isinstance(widget, INTERACTIVE) and policy != Qt.FocusPolicy.NoFocus):
                found.append((name, widget))
    return found


@pytest.fixture
def windows(qtbot, qt_display, run_async, tmp_path):
    return build_all(qtbot, run_async, tmp_path)


def test_every_interactive_widget_of_every_page_has_an_accessible_name(windows):
    found = interactive_widgets(windows)
    assert len(found) > 40, "the walk reached the pages' widgets"
    nameless = [f"{name}: {_path(w)}" for name, w in found if not w.accessibleName().strip()]
    assert nameless == []


def test_the_walk_would_catch_a_nameless_button(windows):
    from PySide6.QtWidgets import QPushButton

    stray = QPushButton("x", windows["sharer"].consent_page)
    assert any(w is stray for _, w in interactive_widgets(windows))
    assert not stray.accessibleName()
    stray.deleteLater()


def test_every_kind_of_interactive_widget_has_a_visible_focus_rule(windows):
    """The stylesheet draws a focus border for each class the pages use (or a base of it),
    or the widget draws its own (the remote screen, whose focus decides where keys go)."""
    sheet = stylesheet(LIGHT)
    selectors = [line.split("{")[0] for line in sheet.splitlines()]
    covered = {
        part.strip().split(":")[0].split("[")[0]
        for selector in selectors
        if ":focus" in selector
        for part in selector.split(",")
    }
    for _name, widget in interactive_widgets(windows):
        if not widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            continue
        names = {cls.__name__ for cls in type(widget).__mro__}
        assert names & covered or getattr(widget, "draws_focus", False), (
            f"no visible focus for {type(widget).__name__}"
        )


def test_consent_page_works_from_the_keyboard(windows, qtbot, run_async):
    """Tab walks the choices in reading order; Space on a button chooses it."""
    sharer = windows["sharer"]
    engine = sharer.service.engine
    engine.emit(CARD.model_copy(update={"verified": True, "verified_domain": "contoso.example"}))
    page = sharer.consent_page
    sharer.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    order = [page.view]
    for _ in range(4):
        sharer.focusNextChild()
        order.append(sharer.focusWidget())
    assert order == [
        page.view,
        page.control,
        page.decline,
        page.choices["clipboard"],
        page.choices["elevate"],
    ]
    qtbot.keyClick(page.choices["clipboard"], Qt.Key.Key_Space)
    assert page.choices["clipboard"].isChecked()
    page.control.setFocus()
    qtbot.keyClick(page.control, Qt.Key.Key_Space)
    run_async(asyncio.sleep(0.05))
    assert [args[0] for args in engine.called("consent")] == ["control"]


def test_code_entry_works_from_the_keyboard(windows, qtbot):
    sharer = windows["sharer"]
    page = sharer.entry_page
    sharer.stack.setCurrentWidget(page)
    sharer.activateWindow()
    page.code.setFocus()
    qtbot.waitUntil(page.code.hasFocus)
    qtbot.keyClicks(page.code, "abcd efgh")
    sharer.focusNextChild()
    assert sharer.focusWidget() is page.button, "Tab goes from the code to Connect"
    sharer.focusPreviousChild()
    assert sharer.focusWidget() is page.code
    with qtbot.waitSignal(page.connect_requested) as signal:
        qtbot.keyClick(page.code, Qt.Key.Key_Return)
    assert signal.args[1] == "ABCDEFGH"
