"""The emulated link does what its profile says: checked with real UDP traffic through it.

A sender runs inside the link's namespace and a receiver in the root namespace, as the
sharer and the server do in the picture benchmark. The checks are bounds the link must
respect however loaded the machine is (a slow relay only delivers later and less): no more
bytes through than the rate allows since the first was sent, no round trip shorter than
twice the one-way delay, random loss at its configured share (seeded), every packet
accounted for, and nothing left behind when the link stops.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.link_emulator import EmulatedLink, LinkProfile, start_link

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/dev/net/tun").exists(),
    reason="the link emulator needs root and /dev/net/tun (network namespaces, TUN devices)",
)

# Sends COUNT datagrams of SIZE bytes to HOST:PORT, a pause of GAP s after each BURST, then
# prints when it started. With ECHO it waits for each echo and prints the round trips.
_SENDER = """
import json, socket, sys, time
host, port, count, size, burst, gap, echo = sys.argv[1:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
started, rtts = time.monotonic(), []
for i in range(int(count)):
    sent = time.monotonic()
    s.sendto(i.to_bytes(4, "big") + bytes(int(size) - 4), (host, int(port)))
    if echo == "1":
        s.recvfrom(65536)
        rtts.append(time.monotonic() - sent)
    elif (i + 1) % int(burst) == 0:
        time.sleep(float(gap))
print(json.dumps({"started": started, "rtts": rtts}))
"""
# RTP as SRTP leaves it readable: SSRC 7 numbered 0-9 with 3 sent again, then SSRC 8 (a
# retransmission stream), and one RTCP packet (payload type 200), which is no RTP stream.
_RTP_SENDER = """
import socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp = lambda pt, seq, ssrc: struct.pack("!BBHII", 0x80, pt, seq, 0, ssrc) + bytes(100)
for seq in [*range(10), 3]:
    s.sendto(rtp(96, seq, 7), (host, port))
for seq in range(5):
    s.sendto(rtp(97, seq, 8), (host, port))
s.sendto(struct.pack("!BBHI", 0x80, 200, 6, 7) + bytes(20), (host, port))
"""
_UDP_IP_OVERHEAD = 28  # the relay counts whole IP packets
_SO_RCVBUFFORCE = 33  # Linux: a receive buffer above rmem_max, for root


class Receiver:
    """A UDP socket on the link's root side that records each datagram's arrival."""

    def __init__(self, address: str, echo: bool = False) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Larger than the default, so a busy test process does not lose what the link passed.
        self.sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, 8 << 20)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.echo = echo
        self.arrivals: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            self.arrivals.append((time.monotonic(), len(data)))
            if self.echo:
                self.sock.sendto(data, peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _send(
    link: EmulatedLink,
    receiver: Receiver,
    *,
    count: int,
    size: int,
    burst: int = 1_000_000,
    gap: float = 0.0,
    echo: bool = False,
) -> dict[str, list[float] | float]:
    args = [link.outside_address, receiver.port, count, size, burst, gap, int(echo)]
    done = subprocess.run(
        link.wrap([sys.executable, "-c", _SENDER, *map(str, args)]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _wait_settled(link: EmulatedLink) -> dict[str, Any]:
    """The relay's counters once nothing is on its way any more."""
    deadline = time.monotonic() + 30
    while True:
        stats = link.stats()
        if not stats["up"]["queued"] and not stats["down"]["queued"]:
            return stats
        assert time.monotonic() < deadline, "the relay never emptied its queues"
        time.sleep(0.05)


def _accounted(direction: dict[str, int]) -> None:
    """Every packet offered was delivered, lost or dropped: none vanished in the relay.

    The receiver sees at most what the link delivered (the kernel's own packets share it).
    """
    gone = direction["delivered"] + direction["lost_random"] + direction["dropped_queue"]
    assert gone == direction["packets"]


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


def test_no_more_passes_than_the_rate_and_the_full_queue_drops(
    receivers: list[Receiver],
) -> None:
    rate_mbit = 2.0
    with start_link(LinkProfile("2 Mbit/s", rate_mbit=rate_mbit, delay_ms=5)) as link:
        receiver = Receiver(link.outside_address)
        receivers.append(receiver)
        # 2 MB offered at up to 1 MB/s: four times what the link carries.
        sent = _send(link, receiver, count=2000, size=1000, burst=10, gap=0.01)
        stats = _wait_settled(link)

    up = stats["up"]
    assert up["packets"] >= 2000
    assert up["dropped_queue"] > 0, "an overloaded drop-tail queue drops"
    assert up["lost_random"] == 0
    _accounted(up)
    assert 0 < len(receiver.arrivals) <= up["delivered"]
    started = float(sent["started"])  # type: ignore[arg-type]
    through = 0
    for arrived, size in receiver.arrivals:
        through += size + _UDP_IP_OVERHEAD
        allowed = rate_mbit * 1e6 / 8 * (arrived - started) + 1500
        assert through <= allowed, f"{through} B by {arrived - started:.3f} s over the rate"


def test_every_round_trip_takes_at_least_twice_the_one_way_delay(
    receivers: list[Receiver],
) -> None:
    with start_link(LinkProfile("30 ms", delay_ms=30)) as link:
        receiver = Receiver(link.outside_address, echo=True)
        receivers.append(receiver)
        sent = _send(link, receiver, count=20, size=200, echo=True)
        stats = _wait_settled(link)

    rtts = sent["rtts"]
    assert isinstance(rtts, list) and len(rtts) == 20
    assert min(rtts) >= 2 * 0.030
    for direction in ("up", "down"):
        # Each echo and its answer; the kernel's own packets share the link.
        assert stats[direction]["delivered"] >= 20
        assert stats[direction]["lost_random"] == 0
        _accounted(stats[direction])


def test_random_loss_takes_its_share_and_nothing_else(receivers: list[Receiver]) -> None:
    with start_link(LinkProfile("10 %", loss_pct=10), seed=25) as link:
        receiver = Receiver(link.outside_address)
        receivers.append(receiver)
        _send(link, receiver, count=2000, size=100, burst=20, gap=0.002)
        stats = _wait_settled(link)

    up = stats["up"]
    assert up["packets"] >= 2000
    assert 0.07 <= up["lost_random"] / up["packets"] <= 0.13
    assert up["dropped_queue"] == 0
    _accounted(up)
    assert 0 < len(receiver.arrivals) <= up["delivered"]


def _names() -> tuple[str, str]:
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    return namespaces, links


def test_parallel_links_do_not_collide_and_leave_nothing_behind() -> None:
    with start_link(LinkProfile("a")) as first, start_link(LinkProfile("b")) as second:
        assert first.namespace != second.namespace
        assert first.outside_address != second.outside_address
        namespaces, links = _names()
        for link in (first, second):
            assert link.namespace in namespaces
            assert link.outside_device in links
    namespaces, links = _names()
    for link in (first, second):
        assert link.namespace not in namespaces.split()
        assert f" {link.outside_device}:" not in links


def test_a_link_whose_relay_was_killed_is_swept_by_the_next() -> None:
    orphan = start_link(LinkProfile("killed"))
    orphan._relay.kill()  # a run killed outright: its relay and devices are gone at once
    orphan._relay.wait()
    with start_link(LinkProfile("next")) as following:
        namespaces = _names()[0].split()
        # Swept, or swept and made anew for the next link.
        assert orphan.namespace not in namespaces or following.number == orphan.number
    assert orphan.namespace not in _names()[0].split()


def test_rtp_streams_and_packets_sent_again_are_counted(receivers: list[Receiver]) -> None:
    with start_link(LinkProfile("rtp")) as link:
        receiver = Receiver(link.outside_address)
        receivers.append(receiver)
        command = [sys.executable, "-c", _RTP_SENDER, link.outside_address, str(receiver.port)]
        subprocess.run(link.wrap(command), check=True, timeout=60)
        stats = _wait_settled(link)

    assert stats["up"]["rtp_streams"] == [
        {"ssrc": 7, "payload_type": 96, "packets": 11, "repeats": 1},
        {"ssrc": 8, "payload_type": 97, "packets": 5, "repeats": 0},
    ]


def test_a_forwarded_port_reaches_the_server_here_across_the_link() -> None:
    with socket.create_server(("0.0.0.0", 0)) as server:
        port = server.getsockname()[1]

        def echo_once() -> None:
            connection, _ = server.accept()
            with connection:
                connection.sendall(connection.recv(100).upper())

        threading.Thread(target=echo_once, daemon=True).start()
        with start_link(LinkProfile("tcp", delay_ms=10)) as link:
            link.forward_tcp(port)
            ask = (
                f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=10); "
                "s.sendall(b'over the link'); print(s.recv(100).decode())"
            )
            done = subprocess.run(
                link.wrap([sys.executable, "-c", ask]), capture_output=True, text=True, timeout=60
            )
            stats = _wait_settled(link)

    assert done.stdout.strip() == "OVER THE LINK", done.stderr
    assert stats["up"]["delivered"] >= 3 and stats["down"]["delivered"] >= 3  # it crossed
