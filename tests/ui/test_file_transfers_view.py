"""The files window's own words and bar: a big file's progress, failures in French."""

from __future__ import annotations

from client.session.events import FileFailed, FileOffered, FileProgress, FileSending
from client.session.file_transfers import Reason
from desktop_widgets.file_transfers import REASON_WORDS, FileTransfersWindow
from desktop_widgets.i18n import install_language

SHA = "cd" * 32


def test_a_file_of_several_gigabytes_moves_the_bar_to_its_share(qtbot, qt_display):
    files = FileTransfersWindow("Bob")
    qtbot.addWidget(files)
    files.on_event(FileOffered(id="b" * 16, name="disk.img", size=6 * 2**30, sha256=SHA))
    files.on_event(FileProgress(id="b" * 16, bytes=3 * 2**30))
    row = files.rows["b" * 16]
    assert row.bar.value() * 2 == row.bar.maximum()
    assert row.status.text() == "3.0 GB of 6.0 GB"


def test_a_failed_file_is_told_in_french_by_its_reason(qtbot, qapp, qt_display):
    try:
        assert install_language(qapp, "fr") == "fr"
        files = FileTransfersWindow("Bob")
        qtbot.addWidget(files)
        files.on_event(FileSending(id="c" * 16, name="a.txt", size=10, sha256=SHA))
        files.on_event(FileFailed(id="c" * 16, reason="declined", message="declined"))
        files.on_event(FileSending(id="d" * 16, name="b.txt", size=10, sha256=SHA))
        files.on_event(FileFailed(id="d" * 16, reason="a_new_reason", message="new"))
        row = files.rows["c" * 16]
        assert row.title.text() == "Envoi de a.txt à Bob"
        assert row.status.text() == "L\u2019autre personne a refusé le fichier."
        assert files.rows["d" * 16].status.text() == "Le fichier n\u2019est pas arrivé."
        assert not row.cancel.isVisibleTo(files)
    finally:
        install_language(qapp, "en")


def test_every_reason_the_engine_gives_has_words_of_its_own():
    assert set(REASON_WORDS) == set(Reason)
