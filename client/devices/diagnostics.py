"""What a diagnostics report holds: the machine's state, never the person's files.

The report reads system facts (OS, processor, memory, disks, network interfaces, uptime)
through the standard library and the kernel's own files, and the tail of Helpline's own log
in the device's data folder. It opens nothing under a home folder other than that log, so
the helper who reads the report learns about the machine, not about its user.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from client.cli_args import program_version
from client.devices.home import DeviceHome
from common.devices.actions import DiagnosticsReport

LOG_TAIL_LINES = 200
LOG_LINE_CHARS = 500  # a report must stay far below the agent's frame limit
# Mount points of real file systems (Linux); pseudo file systems say nothing useful.
_PSEUDO_FS = frozenset(
    {
        "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "cgroup", "cgroup2", "securityfs",
        "pstore", "bpf", "debugfs", "tracefs", "mqueue", "hugetlbfs", "fusectl", "configfs",
        "autofs", "binfmt_misc", "overlay", "nsfs", "ramfs", "rpc_pipefs", "squashfs",
    }
)  # fmt: skip


def collect(home: DeviceHome) -> DiagnosticsReport:
    sections: dict[str, object] = {
        "os": _os(),
        "hardware": _hardware(),
        "disks": _disks(),
        "network": _network(),
        "uptime_seconds": _uptime(),
        "helpline": {"version": program_version(), "python": platform.python_version()},
        "helpline_logs": _recent_logs(home.logs_dir),
    }
    return DiagnosticsReport(collected_at=datetime.now(UTC), sections=sections)


def _os() -> dict[str, str]:
    info = {
        "system": platform.system(),
        "release": platform.release(),
        "version": platform.version(),
        "hostname": socket.gethostname(),
    }
    if sys.platform.startswith("linux"):
        try:
            info["distribution"] = platform.freedesktop_os_release().get("PRETTY_NAME", "")
        except OSError:
            pass
    elif sys.platform == "darwin":
        info["distribution"] = "macOS " + platform.mac_ver()[0]
    return info


def _hardware() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or _linux_cpu_model(),
        "cpus": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
    }


def _linux_cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # Windows has no sysconf
        return None


def _mount_points() -> list[str]:
    if sys.platform.startswith("win"):
        return [f"{letter}:\\" for letter in "CDEFGHIJ" if os.path.exists(f"{letter}:\\")]
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ["/"]
    points = []
    for line in mounts:
        fields = line.split()
        if len(fields) >= 3 and fields[2] not in _PSEUDO_FS and fields[1] not in points:
            points.append(fields[1].replace("\\040", " "))
    return points or ["/"]


def _disks() -> list[dict[str, Any]]:
    disks = []
    for point in _mount_points():
        try:
            usage = shutil.disk_usage(point)
        except OSError:
            continue
        disks.append({"mount": point, "total_bytes": usage.total, "free_bytes": usage.free})
    return disks


def _network() -> dict[str, Any]:
    try:
        interfaces = sorted(name for _, name in socket.if_nameindex())
    except (OSError, AttributeError):
        interfaces = []
    try:
        addresses = sorted(
            {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
        )
    except OSError:
        addresses = []
    return {"fqdn": socket.getfqdn(), "interfaces": interfaces, "addresses": addresses}


def _uptime() -> float | None:
    if sys.platform.startswith("linux"):
        try:
            return float(Path("/proc/uptime").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
    if hasattr(time, "CLOCK_UPTIME_RAW"):  # macOS: since boot, not counting sleep
        return time.clock_gettime(time.CLOCK_UPTIME_RAW)
    if sys.platform.startswith("win"):
        import ctypes

        return float(ctypes.windll.kernel32.GetTickCount64()) / 1000  # type: ignore[attr-defined]
    return None


def _recent_logs(logs_dir: Path) -> dict[str, list[str]]:
    """The last lines of each of Helpline's own logs; never any other file."""
    logs: dict[str, list[str]] = {}
    if not logs_dir.is_dir():
        return logs
    for path in sorted(logs_dir.glob("*.log")):
        try:
            lines = path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        logs[path.name] = [line[:LOG_LINE_CHARS] for line in lines[-LOG_TAIL_LINES:]]
    return logs
