"""The organisation's ``helpline.toml`` names the server and its CA when no flag does."""

from __future__ import annotations

import pytest

from client.org_config import OrgConfigError
from client.settings import DEFAULT_SERVER, AppSettings


def _write(folder, text: str):
    path = folder / "helpline" / "helpline.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_site_file_names_the_server_and_a_ca_relative_to_itself(app_folders):
    site = _write(
        app_folders / "site-config",
        'server = "helpline.example.org"\nca_file = "org-ca.pem"\n',
    )
    _write(app_folders / "config", 'server = "https://user-choice.example.org"\n')
    settings = AppSettings()
    assert settings.server == "https://helpline.example.org"
    assert settings.ws_url == "wss://helpline.example.org/v1/ws"
    assert settings.ca_file == site.parent / "org-ca.pem"


def test_the_user_file_counts_where_the_site_file_is_silent_but_a_broken_one_stops(app_folders):
    site = _write(app_folders / "site-config", 'ca_file = "org-ca.pem"\n')
    _write(app_folders / "config", 'server = "https://user-choice.example.org"\n')
    assert AppSettings().server == "https://user-choice.example.org"
    # A broken organisation file never falls back silently (to trust on first use).
    site.write_text("server = [broken\n")
    with pytest.raises(OrgConfigError, match=r"helpline\.toml.*line 1"):
        AppSettings()


def test_flags_and_the_environment_win_over_the_file(app_folders, monkeypatch):
    _write(app_folders / "site-config", 'server = "helpline.example.org"\nca_file = "a.pem"\n')
    assert AppSettings(server="127.0.0.1:9000", ca_file="b.pem").server == "http://127.0.0.1:9000"
    monkeypatch.setenv("HELPLINE_SERVER", "https://from-env.example.org")
    monkeypatch.setenv("HELPLINE_CA_FILE", "/etc/ssl/env.pem")
    settings = AppSettings()
    assert settings.server == "https://from-env.example.org"
    assert str(settings.ca_file) == "/etc/ssl/env.pem"


def test_without_a_file_the_default_stays(app_folders):
    assert AppSettings().server == DEFAULT_SERVER
    assert AppSettings().ca_file is None
