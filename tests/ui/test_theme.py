"""The design system's colours: every text on its background readable in both palettes."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_widgets.theme import (
    COLOUR_ROLES,
    DARK,
    LIGHT,
    PALETTES,
    RULES,
    choose_palette,
    contrast,
    stylesheet,
    text_pairs,
)

AA = 4.5


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda p: p.name)
def test_every_text_of_the_stylesheet_is_readable_in_both_palettes(palette):
    weak = [
        f"{fg} on {bg}: {contrast(getattr(palette, fg), getattr(palette, bg)):.2f}"
        for fg, bg in text_pairs()
        if contrast(getattr(palette, fg), getattr(palette, bg)) < AA
    ]
    assert weak == []


def test_the_check_fails_when_a_colour_changes_badly():
    washed = dataclasses.replace(LIGHT, muted="#a0a8b4")
    assert contrast(washed.muted, washed.window) < AA
    assert ("muted", "window") in text_pairs()


def test_every_rule_that_sets_a_text_colour_says_what_it_sits_on():
    for rule in RULES:
        if rule.fg:
            assert rule.pair() is not None, rule.selector
        for role in (rule.fg, rule.bg, rule.on):
            assert role is None or role in COLOUR_ROLES, role


def test_the_stylesheet_is_built_from_the_palette_alone():
    for palette in PALETTES.values():
        sheet = stylesheet(palette)
        assert palette.focus in sheet and "{" in sheet and "{focus}" not in sheet


def test_contrast_is_wcag_relative_luminance():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("env", "system_dark", "expected"),
    [
        ({}, False, "light"),
        ({}, True, "dark"),
        ({"HELPLINE_THEME": "dark"}, False, "dark"),
        ({"HELPLINE_THEME": "Light"}, True, "light"),
        ({"HELPLINE_THEME": "purple"}, True, "dark"),
    ],
)
def test_the_palette_follows_the_system_unless_overridden(env, system_dark, expected):
    assert choose_palette(env, system_dark).name == expected


def test_the_banner_keeps_its_red_in_both_palettes():
    assert LIGHT.banner == DARK.banner and LIGHT.on_banner == DARK.on_banner
