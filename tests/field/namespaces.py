"""Two network namespaces that can reach the signaling and TURN address but not each other.

Each app namespace has a veth link to this (the suite's) namespace and exactly two routes:
its own link, and the one service address on the helper side's link. There is no route
between the two app namespaces at all, so whatever the host forwards, the only way from one
to the other is through the TURN server. Addresses come from 198.18.0.0/15 (reserved for
benchmarks); the coturn template refuses to relay to it, so a test's own coturn allows
:data:`BENCHMARKING` (``start_turn_server(allowed_peers=...)``), never the template.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class SplitNetwork:
    service_address: str  # where the server and coturn listen, in the suite's namespace
    helper_ns: str
    sharer_ns: str
    helper_address: str
    sharer_address: str

    def prefix(self, namespace: str) -> tuple[str, ...]:
        return ("ip", "netns", "exec", namespace)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def namespaces_available() -> str | None:
    """None when namespaces can be made here, else why not."""
    probe = f"hlprobe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot create a network namespace: {getattr(exc, 'stderr', exc)}"
    _ip("netns", "del", probe)
    return None


BENCHMARKING = "198.18.0.0-198.19.255.255"


@contextmanager
def split_network() -> Iterator[SplitNetwork]:
    tag = os.getpid() % 100000
    third = tag % 250 + 1
    helper_net, sharer_net = f"198.18.{third}", f"198.19.{third}"
    net = SplitNetwork(
        service_address=f"{helper_net}.1",
        helper_ns=f"hl{tag}h",
        sharer_ns=f"hl{tag}s",
        helper_address=f"{helper_net}.2",
        sharer_address=f"{sharer_net}.2",
    )
    links = []
    try:
        for ns, subnet, side in (
            (net.helper_ns, helper_net, "h"),
            (net.sharer_ns, sharer_net, "s"),
        ):
            outer, inner = f"hl{tag}{side}o", f"hl{tag}{side}i"
            _ip("netns", "add", ns)
            _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            links.append(outer)
            _ip("link", "set", inner, "netns", ns)
            _ip("addr", "add", f"{subnet}.1/24", "dev", outer)
            _ip("link", "set", outer, "up")
            _ip("-n", ns, "addr", "add", f"{subnet}.2/24", "dev", inner)
            _ip("-n", ns, "link", "set", inner, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            if subnet == sharer_net:
                _ip("-n", ns, "route", "add", f"{net.service_address}/32", "via", f"{subnet}.1")
        yield net
    finally:
        for link in links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        for ns in (net.helper_ns, net.sharer_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def can_connect(prefix: tuple[str, ...], address: str, port: int) -> bool:
    """Whether a TCP connection from inside a namespace reaches ``address:port``."""
    code = (
        "import socket,sys\n"
        "s=socket.socket(); s.settimeout(3)\n"
        f"sys.exit(s.connect_ex(({address!r},{port})))\n"
    )
    result = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True)
    return result.returncode == 0


@contextmanager
def listener(prefix: tuple[str, ...], address: str, port: int) -> Iterator[None]:
    """A TCP listener inside a namespace, for as long as the block runs."""
    code = (
        "import socket,sys,time\n"
        f"s=socket.create_server(({address!r},{port}))\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield
    finally:
        proc.kill()
        proc.wait()
