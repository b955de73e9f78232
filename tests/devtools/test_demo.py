"""The README's demo, run as a new user runs it: no display, the default port just used."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _demo(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """The demo in its own process group, as the terminal's foreground job, without DISPLAY."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--data-dir", str(tmp_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )


def _port_in_time_wait() -> int:
    """A port whose last connection is in TIME_WAIT, as after a demo that just ended."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the listening side closes first, so it is the side that waits
    client.recv(1)
    client.close()
    listener.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old demo's probe did, and failed
    return port


def test_auto_demo_uses_its_port_even_in_time_wait_and_names_the_audit_command(tmp_path):
    port = _port_in_time_wait()
    demo = _demo(tmp_path, "--auto", "--port", str(port))
    output, _ = demo.communicate(timeout=300)
    assert demo.returncode == 0, output
    assert f"Signaling server on https://127.0.0.1:{port} " in output
    assert "session ended: sharer_ended" in output
    assert f"The console: https://127.0.0.1:{port}/console/" in output
    assert f"helpline-signaling audit list --data-dir {tmp_path / 'server'}" in output
    assert "x11vnc" not in output, "nobody watches a three-second session"
    assert "Traceback" not in output


def test_a_busy_port_is_named_not_swapped(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        demo = _demo(tmp_path, "--auto", "--port", str(port))
        output, _ = demo.communicate(timeout=120)
    assert demo.returncode == 1
    assert f"port {port} is in use" in output
    assert "Traceback" not in output


@pytest.mark.display
def _geometry(display: str, title: str) -> tuple[int, int, int, int] | None:
    """x, y, width, height of the visible window titled ``title``, from the X server."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title, "getwindowgeometry", "--shell"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
    )
    values = dict(re.findall(r"^(X|Y|WIDTH|HEIGHT)=(\d+)$", found.stdout, re.MULTILINE))
    if len(values) < 4:
        return None
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def _demo_screen() -> tuple[int, int]:
    spec = importlib.util.spec_from_file_location("demo_script", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCREEN


def _side_by_side(display: str) -> bool:
    """The helper's window on the left, the sharer's on the right, apart and on the screen."""
    helper = _geometry(display, "Helpline — Helper")
    sharer = _geometry(display, "Helpline — Get help")
    if helper is None or sharer is None:
        return False
    width, height = _demo_screen()
    (hx, hy, hw, hh), (sx, sy, sw, sh) = helper, sharer
    return hx + hw <= sx and sx + sw <= width and max(hy + hh, sy + sh) <= height


def test_ctrl_c_stops_the_windows_quietly(tmp_path):
    demo = _demo(tmp_path, "--port", str(_port_in_time_wait()))
    assert demo.stdout is not None
    lines = []
    display = None
    for line in demo.stdout:
        lines.append(line)
        if found := re.search(r"virtual one, (:\d+)", line):
            display = found.group(1)
        if "Ctrl+C" in line:
            break
    assert display is not None, "".join(lines)

    def windows() -> list[str]:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Helpline"],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
        )
        return found.stdout.split()

    wait_until(lambda: len(windows()) >= 2, "both app windows shown")
    wait_until(lambda: _side_by_side(display), "the two windows side by side")
    # The terminal sends SIGINT to the whole foreground process group.
    os.killpg(demo.pid, signal.SIGINT)
    try:
        rest, _ = demo.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        # SIGTERM still makes the demo tidy up, so a failing run leaves no app behind (they
        # are in process groups of their own, out of reach of a signal to the demo's group).
        demo.terminate()
        rest, _ = demo.communicate(timeout=60)
        raise AssertionError("the demo did not stop:\n" + "".join(lines) + rest) from None
    output = "".join(lines) + rest
    assert demo.returncode == 0
    assert "Bob's machine is enrolled as DEMO-PC" in output  # for the console's walkthrough
    assert (tmp_path / "device" / "enrolment.json").exists()
    assert "Stopping." in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert "X11 connection broke" not in output
