"""A real link of a given rate, delay and loss between this machine and a network namespace.

The sharer is usually at home or on a VPN; to measure the picture over such a link, its
process runs inside a network namespace whose only way out is an emulated link, while the
server and the helper stay in the root namespace::

    with start_link(LinkProfile("5 Mbit/s", rate_mbit=5, delay_ms=20, loss_pct=0.5)) as link:
        link.forward_tcp(port)    # the server here, as 127.0.0.1:port in there, over the link
        subprocess.run(link.wrap(["python", "-m", "sharer_app", "--server",
                                  f"http://127.0.0.1:{port}", ...]))
        print(link.stats())   # packets per direction: offered, delivered, lost, dropped

The kernel here has no ``netem`` (only ``tbf`` and ``htb``), so a relay process
(:mod:`devtools.link_relay`) moves the packets between a TUN device on each side and applies,
per direction, random loss, a drop-tail queue (100 ms at the link's rate), the rate and the
one-way delay. It needs root (namespaces, TUN devices).

Each link gets a number of its own, chosen under a file lock, so parallel runs never collide:
namespace ``helpline-link-N``, devices ``hlinkNo`` (root side) and ``hlinkNi`` (inside),
addresses ``10.213.x.y/30``. The TUN devices live only as long as the relay; a namespace
left behind by a run that was killed outright is removed by the next run that allocates.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from devtools.processes import stop_process

NAMESPACE_PREFIX = "helpline-link-"
SUBNETS = ipaddress.ip_network("10.213.0.0/16")
LINKS = SUBNETS.num_addresses // 4
LOCK_FILE = Path("/run/lock/helpline-link-emulator.lock")
READY_TIMEOUT = 20.0


class LinkError(RuntimeError):
    """The link could not be set up (not root, no TUN device, a relay that would not start)."""


@dataclass(frozen=True)
class LinkProfile:
    """One direction's figures, applied to each direction: a symmetric home link."""

    name: str
    rate_mbit: float | None = None  # None: no limit
    delay_ms: float = 0.0  # one way
    loss_pct: float = 0.0
    queue_ms: float = 100.0  # the drop-tail queue, as time at the link's rate

    def relay_args(self) -> list[str]:
        return [
            "--rate-kbit",
            str((self.rate_mbit or 0) * 1000),
            "--delay-ms",
            str(self.delay_ms),
            "--loss-pct",
            str(self.loss_pct),
            "--queue-ms",
            str(self.queue_ms),
        ]


def _ip(*args: str) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LinkError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _namespaces() -> set[int]:
    pattern = re.compile(rf"^{re.escape(NAMESPACE_PREFIX)}(\d+)\b")
    return {
        int(m.group(1)) for line in _ip("netns", "list").splitlines() if (m := pattern.match(line))
    }


def _root_links() -> set[int]:
    return {int(n) for n in re.findall(r"^\d+: hlink(\d+)o[:@]", _ip("-o", "link"), re.M)}


@contextlib.contextmanager
def _allocation_lock() -> Iterator[None]:
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _no_ipv6(device: str, namespace: str | None = None) -> None:
    """Only the IPv4 addresses given here: no link-local IPv6 candidates to chase."""
    command = ["sysctl", "-q", "-w", f"net.ipv6.conf.{device}.disable_ipv6=1"]
    if namespace is not None:
        command = ["ip", "netns", "exec", namespace, *command]
    subprocess.run(command, capture_output=True, check=False)


class EmulatedLink:
    """A running link: the namespace behind it, its two addresses, its relay's counters."""

    def __init__(self, profile: LinkProfile, number: int, relay: subprocess.Popen[str]) -> None:
        self.profile = profile
        self.number = number
        self.namespace = f"{NAMESPACE_PREFIX}{number}"
        self.outside_device = f"hlink{number}o"
        self.inside_device = f"hlink{number}i"
        base = SUBNETS.network_address + 4 * number  # a /30 of its own
        self.outside_address = str(base + 1)  # the root namespace's end: where servers listen
        self.inside_address = str(base + 2)
        self._relay = relay
        self._forwards: list[subprocess.Popen[str]] = []
        self._asking = threading.Lock()
        self._stopped = False

    def wrap(self, argv: Sequence[str]) -> list[str]:
        """The command line that runs ``argv`` behind the link (same pid, same environment)."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def forward_tcp(self, port: int) -> None:
        """Make ``127.0.0.1:port`` inside lead across the link to ``outside_address:port``.

        The apps send sign-in tokens over plain http only to their own machine; through this
        a server that listens on every address here is "their own machine" to them, while
        its traffic still crosses the link (:mod:`devtools.link_forward`).
        """
        command = [sys.executable, "-m", "devtools.link_forward", str(port), self.outside_address]
        forward = subprocess.Popen(
            self.wrap(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._forwards.append(forward)
        _wait_ready(forward, f"the forwarder of port {port} in {self.namespace}")

    def stats(self) -> dict[str, Any]:
        """Counters per direction (``up``: from the namespace out).

        Packets and bytes offered, delivered, lost at random, dropped by the full queue,
        still on their way; and the RTP streams seen (SRTP headers are clear), each with its
        SSRC, payload type, packets and repeats (a sequence number offered again within 2 s:
        a retransmission on the same stream), in the order they first appeared.
        """
        with self._asking:
            stdin, stdout = self._relay.stdin, self._relay.stdout
            if self._stopped or stdin is None or stdout is None or self._relay.poll() is not None:
                raise LinkError(f"the relay of {self.namespace} is not running")
            stdin.write("stats\n")
            stdin.flush()
            line = stdout.readline()
        if not line:
            raise LinkError(f"the relay of {self.namespace} stopped")
        return dict(json.loads(line))

    def _configure(self) -> None:
        cidr = "/30"
        _ip("addr", "add", self.outside_address + cidr, "dev", self.outside_device)
        _ip("link", "set", self.outside_device, "up")
        _no_ipv6(self.outside_device)
        ns = self.namespace
        _ip("-n", ns, "link", "set", "lo", "up")
        _ip("-n", ns, "addr", "add", self.inside_address + cidr, "dev", self.inside_device)
        _ip("-n", ns, "link", "set", self.inside_device, "up")
        _no_ipv6(self.inside_device, ns)
        _ip("-n", ns, "route", "add", "default", "via", self.outside_address)

    def stop(self) -> None:
        """Stop the relay (its devices go with it) and remove the namespace; idempotent.

        Processes still running inside keep their namespace until they end; stop them first.
        """
        if self._stopped:
            return
        self._stopped = True
        for proc in (*self._forwards, self._relay):
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            stop_process(proc, grace=5)
            if proc.stdout is not None:
                proc.stdout.close()
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True, check=False)

    def __enter__(self) -> EmulatedLink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_link(
    profile: LinkProfile, *, seed: int | None = None, log: Path | None = None
) -> EmulatedLink:
    """Make a namespace behind a link of ``profile`` and return once packets flow through it.

    ``seed`` makes the random loss repeatable; ``log`` receives the relay's stderr.
    """
    with _allocation_lock():
        taken = _namespaces()
        alive = _root_links()
        for stale in taken - alive:  # its relay is gone: a run that was killed outright
            subprocess.run(
                ["ip", "netns", "del", f"{NAMESPACE_PREFIX}{stale}"],
                capture_output=True,
                check=False,
            )
        number = next((n for n in range(LINKS) if n not in alive), None)
        if number is None:
            raise LinkError("every emulated link number is in use")
        namespace = f"{NAMESPACE_PREFIX}{number}"
        _ip("netns", "add", namespace)
        seeded = ["--seed", str(seed)] if seed is not None else []
        try:
            with open(log or "/dev/null", "ab") as err:
                relay = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "devtools.link_relay",
                        "--namespace",
                        namespace,
                        "--outside",
                        f"hlink{number}o",
                        "--inside",
                        f"hlink{number}i",
                        *profile.relay_args(),
                        *seeded,
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    text=True,
                )
        except OSError:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)
            raise
        link = EmulatedLink(profile, number, relay)
        try:
            _wait_ready(relay, f"the relay of {namespace}")
            link._configure()
        except BaseException:
            link.stop()
            raise
    return link


def _wait_ready(proc: subprocess.Popen[str], what: str) -> None:
    stdout = proc.stdout
    if stdout is None:
        raise LinkError(f"{what} has no output")
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(READY_TIMEOUT)
    if not result or '"ready"' not in result[0]:
        raise LinkError(f"{what} did not start (root and /dev/net/tun needed)")
