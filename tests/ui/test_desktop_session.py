"""Both desktop apps hold a real session: real server, real WebRTC, real capture on Xvfb."""

from __future__ import annotations

from tests.ui.tour import tour


def test_a_person_can_hold_a_whole_session_with_both_windows(
    signaling_server, qt_display, run_async
):
    result = run_async(tour(signaling_server.url), timeout=150)
    assert len(result["code"]) == 9
    assert result["verified"] == "✔ Verified organisation: contoso.example"
    # The screen's shape, at full size or stepped down if this busy process could not keep up.
    width, height = result["frame_size"]
    assert width in (1280, 960, 640) and width * 800 == height * 1280
    assert result["helper_reason"] == "The person you were helping ended the session."
    assert result["sharer_reason"] == "You stopped sharing."
    # A file from the helper, accepted in the sharer's files window, saved whole.
    assert result["file_saved"] == "netsh winsock reset\n"
