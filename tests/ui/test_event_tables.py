"""Every window handles or explicitly ignores every engine event in the catalogue, so a new
event, or a handler under the wrong name, cannot be lost without this test failing."""

from __future__ import annotations

import pytest

from client.session.events import ALL_EVENTS
from client.settings import AppSettings


def _helper_window():
    from helper_app.views.main_window import HelperWindow
    from helper_app.views.service import HelperService

    return HelperWindow(HelperService(AppSettings()))


def _sharer_window():
    from sharer_app.views.main_window import SharerWindow
    from sharer_app.views.service import SharerService

    return SharerWindow(SharerService(AppSettings(), lambda _settings: None))


@pytest.mark.parametrize("make", [_helper_window, _sharer_window], ids=["helper", "sharer"])
def test_each_window_covers_the_whole_event_catalogue(qtbot, qt_display, make):
    window = make()
    qtbot.addWidget(window)
    table = window.on_event
    covered = set(table.handlers) | table.ignored
    assert covered == set(ALL_EVENTS), {
        "neither handled nor ignored": sorted(e.event for e in set(ALL_EVENTS) - covered),
        "not in the catalogue": sorted(e.event for e in covered - set(ALL_EVENTS)),
    }


def test_an_event_cannot_be_both_handled_and_ignored():
    from client.session.events import Connected
    from desktop_widgets.event_table import EventTable

    with pytest.raises(ValueError, match="connected"):
        EventTable({Connected: lambda _: None}, ignored={Connected})


def test_event_names_are_unique_and_match_the_headless_lines():
    names = [event.event for event in ALL_EVENTS]
    assert len(names) == len(set(names))
    from client.session.events import ChatReceived

    line = ChatReceived.model_validate({"from": "sharer", "text": "hi"}).to_json_dict()
    assert line == {"event": "chat", "from": "sharer", "text": "hi"}
