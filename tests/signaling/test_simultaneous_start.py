"""Replicas started at the same moment on one data folder (a shared volume) agree on its keys,
and on their PostgreSQL schema (one migrates, the others wait), with one Redis.

Key creation used to race: the second process stopped with "File exists" on
``dev-idp-key.pem``, or read a key file the first was still writing.
"""

from __future__ import annotations

import threading

import httpx

from devtools.server import ServerProcess, start_server
from signaling.keys import create_once

REPLICAS = 4


def test_replicas_started_together_on_one_data_folder_all_start_and_share_the_keys(
    tmp_path, dev_identity_file, replica_env
):
    data_dir = tmp_path / "shared"
    started: list[ServerProcess] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(REPLICAS)

    def start_one() -> None:
        barrier.wait()
        try:
            started.append(start_server(dev_identity_file, data_dir, replica_env))
        except BaseException as error:  # reported below, with the server's own words
            failures.append(error)

    threads = [threading.Thread(target=start_one) for _ in range(REPLICAS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert len(started) == REPLICAS
        card_keys = {httpx.get(s.url + "/v1/server-key").json()["public_key"] for s in started}
        idp_keys = {str(httpx.get(s.url + "/dev-idp/jwks.json").json()["keys"]) for s in started}
        assert len(card_keys) == 1
        assert len(idp_keys) == 1
        assert not [p.name for p in data_dir.iterdir() if p.name.endswith(".partial")]
    finally:
        for server in started:
            server.stop()


def test_the_loser_of_a_creation_race_gets_the_winners_file(tmp_path):
    path = tmp_path / "key.pem"
    assert create_once(path, b"first") == b"first"
    assert create_once(path, b"second") == b"first"
    assert path.read_bytes() == b"first"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]
