"""A fresh Debian machine with systemd as its init, for installing the packages as a user does.

debootstrap's Debian 12 (minbase) booted by ``systemd-nspawn -b``: a real service manager, so
units, their users, ``systemctl restart`` and a reboot behave as on a new computer. It shares
this machine's network namespace: apt reaches Debian's mirror, and a server in it listens on
this machine's loopback. Commands run inside through ``nsenter`` with a clean environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from devtools.waiting import wait_until

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
INIT_NAMES = ("systemd",)
BOOT_DEADLINE = 180.0
CLEAN_ENV = ("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8")


def can_boot_machines() -> str | None:
    """Why a machine cannot be booted here, or None."""
    if os.geteuid() != 0:
        return "booting a machine needs root"
    for tool in ("debootstrap", "systemd-nspawn", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def debootstrap(root: Path) -> None:
    subprocess.run(
        ["debootstrap", "--variant=minbase", "--include=systemd,systemd-sysv,dbus",
         SUITE, str(root), MIRROR],
        check=True, capture_output=True, timeout=1200,
    )  # fmt: skip


class Machine:
    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.log = log
        self._nspawn: subprocess.Popen[bytes] | None = None
        self.leader = 0

    def boot(self) -> None:
        with self.log.open("ab") as out:
            self._nspawn = subprocess.Popen(
                ["systemd-nspawn", "-b", "-D", str(self.root), "--register=no",
                 "--keep-unit", "--console=passive"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        self.leader = wait_until(self._init_pid, "the machine's init", BOOT_DEADLINE)
        wait_until(
            lambda: (
                self.run("systemctl", "is-system-running", check=False).stdout.strip()
                in ("running", "degraded")
            ),
            "the machine booted",
            BOOT_DEADLINE,
        )

    def reboot(self) -> None:
        """``systemctl reboot`` inside: nspawn ends with the machine, and boots it again."""
        self.run("systemctl", "reboot", check=False)
        self._wait_down()
        self.boot()

    def poweroff(self) -> None:
        if self._nspawn is None or self._nspawn.poll() is not None:
            return
        self.run("systemctl", "poweroff", check=False)
        try:
            self._wait_down()
        except subprocess.TimeoutExpired:
            self._nspawn.kill()
            self._nspawn.wait()

    def _wait_down(self) -> None:
        assert self._nspawn is not None
        self._nspawn.wait(timeout=BOOT_DEADLINE)

    def _init_pid(self) -> int | None:
        if self._nspawn is None or self._nspawn.poll() is not None:
            raise AssertionError(f"the machine did not start: {self.log.read_text()[-2000:]}")
        for pid in _descendants(self._nspawn.pid):
            if _comm(pid) in INIT_NAMES:
                return pid
        return None

    def inside(self, *env: str) -> list[str]:
        """The prefix that runs a command in the machine, with ``env`` (NAME=value) set."""
        return ["nsenter", "-t", str(self.leader), "-a", *CLEAN_ENV, *env]

    def run(
        self, *command: str, check: bool = True, timeout: float = 600, env: Sequence[str] = ()
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.inside(*env), *command], capture_output=True, text=True, timeout=timeout
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command)}: {done.returncode}\n{done.stderr[-3000:]}")
        return done

    def write(self, path: str, text: str) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def free_display() -> str:
    """An X display number free here and in the machine: they share abstract sockets."""
    taken = Path("/proc/net/unix").read_text()
    for number in range(170, 270):
        name = f"/tmp/.X11-unix/X{number}"
        if name not in taken and not Path(name).exists():
            return f":{number}"
    raise AssertionError("no free X display number")
