"""Xvfb displays for tests, benchmarks and the demo, with one or several monitors.

Xvfb picks a free display number itself and reports it through a pipe (``-displayfd``), so
parallel runs never race for a number. Several monitors on one X screen are made the way a
desktop with two physical monitors looks to applications: RandR 1.5 monitors, which is what
``mss`` enumerates and what ``--monitor N`` chooses from.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Monitor:
    left: int
    top: int
    width: int
    height: int


class XvfbError(RuntimeError):
    """Xvfb is missing or did not come up."""


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """A new Xvfb of ``width`` x ``height`` on a free display number: (process, ":N")."""
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{width}x{height}x24",
                # Keep state (monitors, pointer) when the last client disconnects.
                "-noreset",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Not in the caller's process group: Ctrl+C reaches the caller, which shuts the
            # display down last, after every program drawing on it.
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        os.close(read_fd)
        raise XvfbError("Xvfb is not installed (Debian: apt-get install xvfb)") from exc
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        raise XvfbError("Xvfb did not start")
    return proc, f":{number}"


def set_monitors(display: str, monitors: Sequence[Monitor]) -> None:
    """Split the display's screen into these monitors, replacing the automatic one."""
    from Xlib import display as xdisplay
    from Xlib.protocol import rq

    class _SetMonitor(rq.Request):
        # python-xlib's own set_monitor cannot pack its monitor structure (0.33); this is the
        # same RandR 1.5 request with the structure spelled out.
        _request = rq.Struct(
            rq.Card8("opcode"),
            rq.Opcode(43),
            rq.RequestLength(),
            rq.Window("window"),
            rq.Card32("name"),
            rq.Bool("primary"),
            rq.Bool("automatic"),
            rq.LengthOf("outputs", 2),
            rq.Int16("x"),
            rq.Int16("y"),
            rq.Card16("width"),
            rq.Card16("height"),
            rq.Card32("width_mm"),
            rq.Card32("height_mm"),
            rq.List("outputs", rq.Card32Obj),
        )

    conn = xdisplay.Display(display)
    try:
        root = conn.screen().root
        outputs = list(root.xrandr_get_screen_resources().outputs)
        opcode = conn.display.get_extension_major("RANDR")
        for index, monitor in enumerate(monitors):
            _SetMonitor(
                display=conn.display,
                opcode=opcode,
                window=root,
                name=conn.intern_atom(f"HELPLINE-{index + 1}"),
                primary=index == 0,
                automatic=False,
                # The first monitor takes over the screen's only output, which retires the
                # automatic whole-screen monitor; the others have no output, like Xinerama.
                outputs=outputs[:1] if index == 0 else [],
                x=monitor.left,
                y=monitor.top,
                width=monitor.width,
                height=monitor.height,
                width_mm=monitor.width // 4,
                height_mm=monitor.height // 4,
            )
        conn.sync()
    finally:
        conn.close()


@contextlib.contextmanager
def xvfb(width: int, height: int, monitors: Sequence[Monitor] = ()) -> Iterator[str]:
    """A private display for one test or one run, gone afterwards."""
    proc, display = start_xvfb(width, height)
    try:
        if monitors:
            set_monitors(display, monitors)
        yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)
