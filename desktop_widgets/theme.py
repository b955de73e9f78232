"""Helpline's look, declared once for both apps: two palettes, a type scale, spacing, and the
one stylesheet built from them.

The stylesheet is made of rules that name their text colour and the colour under it, so the
pairs a person reads are data: a test computes each pair's contrast in both palettes and
fails when a colour change makes any text harder to read than WCAG's 4.5:1. Widgets take a
look by a ``role`` property (``set_role``), never by a colour of their own, so light and
dark follow from one switch. The banner and the warnings keep their colours (red, amber,
green) in both palettes, and each also carries an icon and words (``StatusMark``), so they
never rely on colour alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

# ---- palettes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    name: str
    window: str  # the page behind everything
    surface: str  # cards, fields, lists
    text: str
    muted: str  # secondary text: job title, hints, captions
    border: str
    accent: str  # the primary button
    on_accent: str
    focus: str  # the focus ring: always visible, on every interactive widget
    success: str  # the verified mark's words
    success_bg: str
    danger: str  # the unverified warning, errors, "is controlling"
    danger_bg: str
    danger_button: str  # Stop sharing, End session, dangerous device actions
    on_danger_button: str
    code: str  # the security code, large
    code_bg: str
    banner: str  # the sharing banner: the same red in both palettes
    on_banner: str
    banner_button: str
    on_banner_button: str
    selection: str
    on_selection: str
    button: str  # ordinary buttons
    on_button: str
    overlay: str  # "paused" over the picture
    on_overlay: str
    meter: str  # the filled part of a bar (a disk's use, a code's time left), text over it


LIGHT = Palette(
    name="light",
    window="#f3f5f8",
    surface="#ffffff",
    text="#1a1f29",
    muted="#4e5867",
    border="#b9c3d0",
    accent="#1f5fbf",
    on_accent="#ffffff",
    focus="#0b57d0",
    success="#17692b",
    success_bg="#e3f3e7",
    danger="#a3211a",
    danger_bg="#fdeceb",
    danger_button="#b3261e",
    on_danger_button="#ffffff",
    code="#14325c",
    code_bg="#e8f0fb",
    banner="#8c1d18",
    on_banner="#ffffff",
    banner_button="#ffffff",
    on_banner_button="#6e1410",
    selection="#1f5fbf",
    on_selection="#ffffff",
    button="#e7ebf1",
    on_button="#1a1f29",
    overlay="#202226",
    on_overlay="#ffffff",
    meter="#a9c4ee",
)

DARK = Palette(
    name="dark",
    window="#15181e",
    surface="#1f232b",
    text="#e8ebf0",
    muted="#a8b0bc",
    border="#465062",
    accent="#8ab4f8",
    on_accent="#0b1a33",
    focus="#8ab4f8",
    success="#81d895",
    success_bg="#173020",
    danger="#ffb4ab",
    danger_bg="#3d1614",
    danger_button="#ffb4ab",
    on_danger_button="#4a0f0b",
    code="#d6e4ff",
    code_bg="#1c2940",
    banner="#8c1d18",
    on_banner="#ffffff",
    banner_button="#ffffff",
    on_banner_button="#6e1410",
    selection="#8ab4f8",
    on_selection="#0b1a33",
    button="#2c323d",
    on_button="#e8ebf0",
    overlay="#202226",
    on_overlay="#ffffff",
    meter="#2f4f80",
)

PALETTES = {"light": LIGHT, "dark": DARK}
COLOUR_ROLES = tuple(f.name for f in fields(Palette) if f.name != "name")

# ---- type scale and spacing (points and pixels; Qt scales both for HiDPI) -----------------


class Type:
    CAPTION = 10
    BODY = 11
    LEAD = 13
    TITLE = 19
    NAME = 24  # the helper's name on the identity card
    CODE = 40  # the security code


class Space:
    XS = 4
    S = 8
    M = 12
    L = 16
    XL = 24
    XXL = 32


RADIUS = 8


def choose_palette(environ: Mapping[str, str] | None = None, system_dark: bool = False) -> Palette:
    """``HELPLINE_THEME=light|dark`` when set, else the desktop's colour scheme."""
    env = os.environ if environ is None else environ
    wanted = env.get("HELPLINE_THEME", "").strip().lower()
    if wanted in PALETTES:
        return PALETTES[wanted]
    return DARK if system_dark else LIGHT


# ---- the stylesheet, as rules that say which text sits on which colour ---------------


@dataclass(frozen=True)
class Rule:
    """One stylesheet rule. ``fg`` is the text colour's role; ``bg`` the background this rule
    paints, or ``on`` the one it sits on when it paints none (for the contrast check)."""

    selector: str
    fg: str | None = None
    bg: str | None = None
    on: str | None = None
    extra: str = ""

    def pair(self) -> tuple[str, str] | None:
        under = self.bg or self.on
        return (self.fg, under) if self.fg and under else None

    def css(self, p: Palette) -> str:
        parts = []
        if self.fg:
            parts.append(f"color: {getattr(p, self.fg)};")
        if self.bg:
            parts.append(f"background-color: {getattr(p, self.bg)};")
        if self.extra:
            values = {r: getattr(p, r) for r in COLOUR_ROLES}
            parts.append(self.extra.format(**values, check=_check_icon(p)))
        return f"{self.selector} {{ {' '.join(parts)} }}"


def _framed(selector: str, bg: str, border: str, *, width: int = 1) -> Rule:
    """A panel: its own background inside a rounded border of one of the palette's colours."""
    return Rule(
        selector,
        bg=bg,
        extra=f"border: {width}px solid {{{border}}}; border-radius: {RADIUS}px;",
    )


def _check_icon(p: Palette) -> str:
    """The tick of a ticked box, drawn in the colour that reads on the palette's accent."""
    return (Path(__file__).with_name("icons") / f"check-{p.name}.svg").as_posix()


_FOCUS = "border: 2px solid {focus};"
_FIELD = f"border: 1px solid {{border}}; border-radius: {RADIUS // 2}px; padding: 5px 8px;"
_BUTTON = f"border: 1px solid {{border}}; border-radius: {RADIUS // 2}px; padding: 7px 16px;"

RULES: tuple[Rule, ...] = (
    Rule("QWidget", fg="text", on="window", extra=f"font-size: {Type.BODY}pt;"),
    Rule("QMainWindow, QDialog, QStackedWidget > QWidget", fg="text", bg="window"),
    Rule("QStatusBar", fg="muted", bg="window", extra="border-top: 1px solid {border};"),
    Rule("QMenuBar", fg="text", bg="window"),
    Rule("QMenuBar::item:selected, QMenu::item:selected", fg="on_selection", bg="selection"),
    Rule("QMenu", fg="text", bg="surface", extra="border: 1px solid {border};"),
    Rule("QToolTip", fg="text", bg="surface", extra="border: 1px solid {border};"),
    # Fields and lists
    Rule(
        "QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QListWidget, QTableWidget",
        fg="text",
        bg="surface",
        extra=_FIELD + " selection-background-color: {selection}; selection-color: {on_selection};",
    ),
    Rule("QComboBox QAbstractItemView", fg="text", bg="surface"),
    Rule(
        'QLabel[role="section"]',
        fg="text",
        on="window",
        extra=f"font-size: {Type.LEAD}pt; font-weight: bold;",
    ),
    Rule("QHeaderView::section", fg="text", bg="button", extra="border: none; padding: 4px 8px;"),
    Rule(
        "QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, "
        "QListWidget:focus, QTableWidget:focus, QScrollArea:focus",
        extra=_FOCUS,
    ),
    # Buttons: ordinary, primary, dangerous; each with a focus ring that is not colour alone
    # (a thicker border) and a disabled look.
    Rule("QPushButton, QToolButton", fg="on_button", bg="button", extra=_BUTTON),
    Rule("QToolButton", extra="padding: 5px 10px;"),
    Rule("QPushButton:hover, QToolButton:hover", extra="border-color: {focus};"),
    Rule("QPushButton:focus, QToolButton:focus", extra=_FOCUS),
    Rule("QPushButton:disabled, QToolButton:disabled", extra="color: {border};"),  # see below
    Rule('QPushButton[role="primary"]', fg="on_accent", bg="accent", extra="font-weight: bold;"),
    Rule(
        'QPushButton[role="danger"], QToolButton[role="danger"]',
        fg="on_danger_button",
        bg="danger_button",
        extra="font-weight: bold;",
    ),
    Rule(
        'QPushButton[role="primary"]:focus, QPushButton[role="danger"]:focus, '
        'QToolButton[role="danger"]:focus',
        extra="border: 3px solid {text};",
    ),
    Rule("QToolButton:checked", fg="on_selection", bg="selection"),
    # A button that cannot be pressed must not look like one that can, whatever its role.
    # (WCAG exempts inactive controls from the 4.5:1 rule, so this colour is not a text pair.)
    Rule(
        'QPushButton:disabled, QPushButton[role="primary"]:disabled, '
        'QPushButton[role="danger"]:disabled, QToolButton[role="danger"]:disabled',
        extra="color: {border}; background-color: {window}; border: 1px dashed {border};",
    ),
    Rule("QCheckBox", fg="text", on="window", extra="spacing: 8px; padding: 2px;"),
    Rule("QCheckBox:focus", extra="border: 2px solid {focus}; border-radius: 4px;"),
    # The box itself, drawn by us so it shows in both palettes; ticked is a tick, not a colour.
    Rule(
        "QCheckBox::indicator",
        extra="width: 16px; height: 16px; border: 2px solid {muted}; border-radius: 4px;"
        " background-color: {surface};",
    ),
    Rule(
        "QCheckBox::indicator:checked",
        extra="background-color: {accent}; border-color: {accent}; image: url({check});",
    ),
    Rule("QCheckBox::indicator:disabled", extra="border-color: {border};"),
    Rule("QToolBar", bg="window", extra="border: none; spacing: 6px; padding: 4px;"),
    # Words by role
    Rule(
        'QLabel[role="title"]',
        fg="text",
        on="window",
        extra=f"font-size: {Type.TITLE}pt; font-weight: bold;",
    ),
    Rule('QLabel[role="lead"]', fg="text", on="window", extra=f"font-size: {Type.LEAD}pt;"),
    Rule('QLabel[role="muted"]', fg="muted", on="window"),
    Rule('QLabel[role="caption"]', fg="muted", on="window", extra=f"font-size: {Type.CAPTION}pt;"),
    Rule(
        'QLabel[role="countdown"]',
        fg="text",
        on="window",
        extra=f"font-size: {Type.CODE}pt; font-weight: bold;",
    ),
    Rule('QLabel[role="error"]', fg="danger", on="window", extra="font-weight: bold;"),
    # The identity card: the helper's name large, the organisation prominent.
    _framed('QFrame[role="card"]', "surface", "border"),
    Rule('QFrame[role="card"] QLabel', fg="text", on="surface"),
    Rule(
        'QFrame[role="card"] QLabel[role="name"]',
        fg="text",
        on="surface",
        extra=f"font-size: {Type.NAME}pt; font-weight: bold;",
    ),
    Rule(
        'QFrame[role="card"] QLabel[role="org"]',
        fg="text",
        on="surface",
        extra=f"font-size: {Type.LEAD}pt; font-weight: bold;",
    ),
    Rule('QFrame[role="card"] QLabel[role="muted"]', fg="muted", on="surface"),
    # Status marks: icon + words on a tinted band, in both palettes.
    _framed('QFrame[tone="success"]', "success_bg", "success"),
    Rule(
        'QFrame[tone="success"] QLabel', fg="success", on="success_bg", extra="font-weight: bold;"
    ),
    _framed('QFrame[tone="danger"]', "danger_bg", "danger", width=2),
    Rule('QFrame[tone="danger"] QLabel', fg="danger", on="danger_bg", extra="font-weight: bold;"),
    _framed('QFrame[tone="neutral"]', "surface", "border"),
    Rule('QFrame[tone="neutral"] QLabel', fg="text", on="surface"),
    # The helper's security code.
    Rule(
        'QLabel[role="code"]',
        fg="code",
        bg="code_bg",
        extra=f"border: 2px solid {{border}}; border-radius: {RADIUS}px; padding: 18px;"
        f" font-size: {Type.CODE}pt; font-weight: bold;"
        ' font-family: "DejaVu Sans Mono", "Consolas", "Menlo", monospace;',
    ),
    Rule(
        'QLineEdit[role="code"]',
        fg="text",
        bg="surface",
        extra=f"font-size: {Type.TITLE}pt; padding: 8px 12px;",
    ),
    # The sharing banner: red in both palettes, white words, white buttons.
    Rule("#banner", fg="on_banner", bg="banner"),
    Rule("#banner QLabel", fg="on_banner", on="banner", extra="font-weight: bold;"),
    Rule(
        "#banner QPushButton",
        fg="on_banner_button",
        bg="banner_button",
        extra="border: 1px solid {on_banner}; font-weight: bold;",
    ),
    Rule(
        '#banner QPushButton[role="stop"]',
        fg="on_banner_button",
        bg="banner_button",
        extra=f"font-size: {Type.LEAD}pt; border: 2px solid {{on_banner}};",
    ),
    Rule("#banner QPushButton:focus", extra="border: 3px solid {on_banner}; padding: 5px 14px;"),
    Rule("#session_status", fg="text", bg="surface", extra="border-top: 1px solid {border};"),
    Rule("#session_status QLabel", fg="muted", on="surface"),
    Rule(
        "QProgressBar",
        fg="text",
        bg="surface",
        extra=f"border: 1px solid {{border}}; border-radius: {RADIUS // 2}px;"
        " text-align: center; min-height: 18px;",
    ),
    # The bar's words are drawn across the filled part too.
    Rule(
        "QProgressBar::chunk", fg="text", bg="meter", extra=f"border-radius: {RADIUS // 2 - 1}px;"
    ),
    Rule(
        'QLabel[role="overlay"]',
        fg="on_overlay",
        bg="overlay",
        extra="font-size: 22pt; font-weight: bold;",
    ),
)


def text_pairs() -> list[tuple[str, str]]:
    """Every (text, background) pair of colour roles the stylesheet puts on screen."""
    return [pair for rule in RULES if (pair := rule.pair()) is not None]


def stylesheet(palette: Palette) -> str:
    return "\n".join(rule.css(palette) for rule in RULES)


# ---- contrast (WCAG 2.x relative luminance) ---------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    r, g, b = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
