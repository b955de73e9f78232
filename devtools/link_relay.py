"""The relay between the two ends of an emulated link: rate, drop-tail queue, delay, loss.

    python -m devtools.link_relay --namespace NS --outside IF --inside IF
        --rate-kbit N --delay-ms N --loss-pct N --queue-ms N [--seed N]

This machine's kernel has no ``netem``, so the link is emulated in user space. The relay
opens one TUN device in the root network namespace (``--outside``) and one inside the
namespace ``NS`` (``--inside``), and moves every IP packet from one to the other. Each
direction is a bottleneck of its own, as a home uplink and downlink are: a packet is first
lost at random (``--loss-pct``), then queued behind what the bottleneck still has to send;
if that backlog would exceed ``--queue-ms`` at the link's rate the packet is dropped (drop
tail), else it leaves the bottleneck once serialised at ``--rate-kbit`` and arrives
``--delay-ms`` later. Rate 0 means unlimited.

It is a process of its own so that its timing does not share an interpreter with whoever
measures through it. Lines on stdin: ``stats`` answers one JSON line of counters per
direction (``up`` is from inside to outside). End of stdin stops it; the TUN devices
vanish with it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

_TUNSETIFF = 0x400454CA
_IFF_TUN = 0x0001
_IFF_NO_PI = 0x1000
_CLONE_NEWNET = 0x40000000
_IPPROTO_UDP = 17
_READ_SIZE = 65536
_PRIORITY = -10  # nice
# A sequence number seen again on its stream within this long is the same packet sent again
# (a retransmission without a stream of its own); 16-bit numbers take longer to wrap.
_REPEAT_WINDOW = 2.0


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH22x", name.encode(), _IFF_TUN | _IFF_NO_PI))
    return fd


def open_tun_in(namespace: str, name: str) -> int:
    """A TUN device created inside ``namespace``; this thread comes back to its own."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            return open_tun(name)
        finally:
            _setns(own)
    finally:
        os.close(own)
        os.close(target)


def rtp_header(packet: bytes) -> tuple[int, int, int] | None:
    """(SSRC, payload type, sequence number) of an RTP packet in UDP over IPv4, else None.

    SRTP leaves the RTP header in the clear, so the link can tell which stream each packet
    belongs to (a retransmission stream has an SSRC of its own) without reading media.
    """
    if len(packet) < 20 or packet[0] >> 4 != 4 or packet[9] != _IPPROTO_UDP:
        return None
    rtp = (packet[0] & 0x0F) * 4 + 8
    if len(packet) < rtp + 12 or packet[rtp] >> 6 != 2:
        return None
    payload_type = packet[rtp + 1] & 0x7F
    if 64 <= payload_type <= 95:  # RTCP (200-207 with the marker bit) shares the port
        return None
    sequence, _, ssrc = struct.unpack_from("!HII", packet, rtp + 2)
    return ssrc, payload_type, sequence


@dataclass
class Stream:
    """One RTP stream offered to the link: packets, and packets whose number came again."""

    payload_type: int
    packets: int = 0
    repeats: int = 0
    last_seen: dict[int, float] = field(default_factory=dict)

    def count(self, sequence: int, now: float) -> None:
        self.packets += 1
        before = self.last_seen.get(sequence)
        if before is not None and now - before < _REPEAT_WINDOW:
            self.repeats += 1
        self.last_seen[sequence] = now


@dataclass
class Direction:
    """One bottleneck: what it still has to serialise, and what it did so far."""

    rate_bps: float
    delay_s: float
    loss: float
    queue_s: float
    rng: random.Random
    busy_until: float = 0.0
    counters: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("packets", "bytes", "delivered", "lost_random", "dropped_queue"), 0
        )
    )
    # SSRC -> RTP stream seen, in the order first seen.
    streams: dict[int, Stream] = field(default_factory=dict)

    def admit(self, packet: bytes, now: float) -> float | None:
        """When the packet comes out of the far end, or None if the link loses it."""
        c = self.counters
        c["packets"] += 1
        c["bytes"] += len(packet)
        rtp = rtp_header(packet)
        if rtp is not None:
            ssrc, payload_type, sequence = rtp
            self.streams.setdefault(ssrc, Stream(payload_type)).count(sequence, now)
        if self.loss and self.rng.random() < self.loss:
            c["lost_random"] += 1
            return None
        leaves = now
        if self.rate_bps:
            backlog = max(0.0, self.busy_until - now)
            serialise = len(packet) * 8 / self.rate_bps
            if backlog + serialise > self.queue_s:
                c["dropped_queue"] += 1
                return None
            self.busy_until = leaves = now + backlog + serialise
        return leaves + self.delay_s

    def report(self, queued: int) -> dict[str, Any]:
        streams = [
            {
                "ssrc": ssrc,
                "payload_type": s.payload_type,
                "packets": s.packets,
                "repeats": s.repeats,
            }
            for ssrc, s in self.streams.items()
        ]
        return {**self.counters, "queued": queued, "rtp_streams": streams}


def relay(outside: int, inside: int, up: Direction, down: Direction) -> None:
    """Move packets until stdin ends; ``up`` carries inside -> outside."""
    routes = {inside: (up, outside), outside: (down, inside)}
    pending: list[tuple[float, int, int, bytes, Direction]] = []
    order = 0
    poller = select.poll()
    for fd in (outside, inside, sys.stdin.fileno()):
        poller.register(fd, select.POLLIN)
    while True:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, target, packet, direction = heapq.heappop(pending)
            try:
                os.write(target, packet)
                direction.counters["delivered"] += 1
            except OSError:  # the far device's own queue is full, or it is not up yet
                direction.counters["dropped_queue"] += 1
        timeout = max(0.0, pending[0][0] - time.monotonic()) * 1000 if pending else 1000
        for fd, _ in poller.poll(timeout):
            if fd == sys.stdin.fileno():
                asked = os.read(fd, 4096)
                if not asked:
                    return
                for _ in range(asked.count(b"stats")):
                    queued = {id(d): sum(p[4] is d for p in pending) for d in (up, down)}
                    report = {
                        "up": up.report(queued[id(up)]),
                        "down": down.report(queued[id(down)]),
                    }
                    print(json.dumps(report), flush=True)
                continue
            direction, target = routes[fd]
            while True:
                try:
                    packet = os.read(fd, _READ_SIZE)
                except BlockingIOError:
                    break
                arrives = direction.admit(packet, time.monotonic())
                if arrives is not None:
                    order += 1
                    heapq.heappush(pending, (arrives, order, target, packet, direction))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--outside", required=True)
    parser.add_argument("--inside", required=True)
    parser.add_argument("--rate-kbit", type=float, default=0)
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--loss-pct", type=float, default=0)
    parser.add_argument("--queue-ms", type=float, default=100)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    def direction() -> Direction:
        return Direction(
            rate_bps=args.rate_kbit * 1000,
            delay_s=args.delay_ms / 1000,
            loss=args.loss_pct / 100,
            queue_s=args.queue_ms / 1000,
            rng=rng,
        )

    # Ahead of the apps it carries for: a relay that waits for a core delays every packet,
    # and the link would measure the machine's load instead of its own figures.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, _PRIORITY)
    inside = open_tun_in(args.namespace, args.inside)
    outside = open_tun(args.outside)
    print(json.dumps({"event": "ready"}), flush=True)
    try:
        relay(outside, inside, direction(), direction())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
