"""Every end reason the protocol knows has its own words in both apps."""

from __future__ import annotations

import pytest

from common.protocol import EndReason
from desktop_widgets.end_reasons import UNKNOWN
from helper_app.views import text as helper_text
from sharer_app.views import text as sharer_text


@pytest.mark.parametrize("texts", [helper_text, sharer_text], ids=["helper", "sharer"])
def test_every_end_reason_has_its_own_words(texts):
    assert set(texts.END_REASONS) == set(EndReason)
    for reason in EndReason:
        assert texts.end_reason_text(reason.value) == texts.END_REASONS[reason] != UNKNOWN


def test_a_reason_from_a_newer_server_still_gets_plain_words():
    assert helper_text.end_reason_text("solar_flare") == UNKNOWN
