"""How fast a session starts and how quickly remote input lands, on one machine.

Real processes: the signaling server, the headless helper and sharer, an Xvfb display.
Remote input latency (helper command -> pointer moved on the sharer's display) is reported
as a ratio against local injection (xdotool on the same display) measured in the same run.
Results go to docs/benchmarks.md (section "Session").

    python -m bench.session_bench [--moves 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from client.media.monitors import MonitorGeometry
from common.input_events import MouseMove
from devtools.display import start_xvfb
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, start_server


class Pointer:
    """Reads the pointer straight from the X server (about 0.1 ms a query)."""

    def __init__(self, display: str) -> None:
        from Xlib import display as xdisplay

        self._root = xdisplay.Display(display).screen().root

    def where(self) -> tuple[int, int]:
        reply = self._root.query_pointer()
        return reply.root_x, reply.root_y

    def wait_for(self, target: tuple[int, int], timeout: float = 5.0) -> None:
        deadline = time.perf_counter() + timeout
        while self.where() != target:
            if time.perf_counter() > deadline:
                raise RuntimeError("the pointer never arrived")


def _targets(n: int) -> list[tuple[float, float, tuple[int, int]]]:
    out = []
    for i in range(n):
        x, y = 0.1 + 0.8 * ((i * 7) % n) / n, 0.1 + 0.8 * ((i * 3) % n) / n
        out.append((x, y, (int(x * 1280), int(y * 800))))
    return out


def run(moves: int) -> dict[str, float]:
    xvfb, display = start_xvfb(1280, 800)
    os.environ["DISPLAY"] = display
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(DEV_DIRECTORY, Path(tmp) / "data")
        try:
            t0 = time.perf_counter()
            helper = HeadlessApp("helper_app", "--server", server.url, "--user",
                                 "alice@contoso.example")  # fmt: skip
            code = helper.wait_for("code")["code"]
            t_code = helper.last_arrival
            sharer = HeadlessApp(
                "sharer_app", "--server", server.url, "--user", "bob@contoso.example",
                "--code", code, "--consent", "control",
            )  # fmt: skip
            sharer.wait_for("helper_identity")
            t_card = sharer.last_arrival
            helper.wait_for("connected")
            t_connected = helper.last_arrival

            from client.media.injector import InputInjector

            pointer = Pointer(display)
            injector = InputInjector(MonitorGeometry(0, 0, 1280, 800))
            local, remote = [], []
            for x, y, pixel in _targets(moves):
                start = time.perf_counter()
                injector.inject(MouseMove(x=x, y=y))
                pointer.wait_for(pixel)
                local.append(time.perf_counter() - start)
                injector.inject(MouseMove(x=0, y=0))
                pointer.wait_for((0, 0))
                start = time.perf_counter()
                helper.send("mouse_move", x=x, y=y)
                pointer.wait_for(pixel)
                remote.append(time.perf_counter() - start)
            injector.close()
            helper.send("end")
            helper.close()
            sharer.close()
        finally:
            server.stop()
            xvfb.terminate()
    return {
        "start_to_code": t_code - t0,
        "redeem_to_card": t_card - t_code,
        "card_to_connected": t_connected - t_card,
        "local_ms": statistics.median(local) * 1000,
        "remote_ms": statistics.median(remote) * 1000,
        "remote_p90_ms": sorted(remote)[int(0.9 * len(remote))] * 1000,
    }


def write_report(r: dict[str, float], moves: int) -> None:
    section = "\n".join(
        [
            "## Session",
            "",
            f"`python -m bench.session_bench` — real server, headless helper and sharer, "
            f"1280x800 Xvfb, {moves} pointer moves.",
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| helper start to code (sign-in, peer set-up) | {r['start_to_code']:.2f} s |",
            f"| sharer start to verified card | {r['redeem_to_card']:.2f} s |",
            f"| card to connected (consent, offer/answer, ICE, DTLS) | "
            f"{r['card_to_connected']:.2f} s |",
            f"| local injection (the sharer's injector, no network), median | "
            f"{r['local_ms']:.2f} ms |",
            f"| remote pointer move, median (p90) | {r['remote_ms']:.2f} ms "
            f"({r['remote_p90_ms']:.2f} ms) |",
            f"| remote vs local | {r['remote_ms'] / r['local_ms']:.1f}x |",
            "",
            "Remote: a `mouse_move` line written to the helper's stdin until the X server "
            "reports the pointer there (helper validation, data channel, the sharer's gate, "
            "pynput). Local: the same injector called in the benchmark process, polled the "
            "same way.",
            "",
        ]
    )
    write_section("## Session", section)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=40)
    args = parser.parse_args()
    results = run(args.moves)
    write_report(results, args.moves)
    print(results)
