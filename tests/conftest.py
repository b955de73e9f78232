"""Suite-wide fixtures live in plugin modules, one concern each."""

pytest_plugins = ["tests.fixtures_server", "tests.fixtures_display", "tests.fixtures_databases"]
