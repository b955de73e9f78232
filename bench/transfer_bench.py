"""File transfer: how fast a file crosses a session, and what it does to the picture (issue 20).

    python -m bench.transfer_bench [--mb 50] [--link-mb 4] [--no-link]

Real processes: the signaling server, the headless helper and sharer apps, Xvfb. In the
same run, the baseline: the same bytes over a bare aiortc data channel between two processes
(``bench.raw_channel``), with the same chunks, flow control, SHA-256 and disk writes, and once
without flow control. Then a session: a file each way while the sharer's screen is still,
then the picture's frame rate (decoded by the helper, from its ``stats``) with a full-screen
60 Hz animation on the sharer's screen, without a transfer and during one each way. With
root, the same over an emulated 5 Mbit/s link (``devtools.link_emulator``): whether the
session stays up, and the picture's rate meanwhile. Results go to docs/benchmarks.md
("File transfer"), with the load average the run saw.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.picture.procs import LineProcess
from bench.report import write_section
from devtools.display import start_xvfb
from devtools.link_emulator import LinkError, LinkProfile, start_link
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server

MB = 1024 * 1024
HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"
FPS_WINDOW_SECONDS = 8.0
TRANSFER_TIMEOUT = 900.0
LINK = LinkProfile("5 Mbit/s, 20 ms, 0.5 %", rate_mbit=5, delay_ms=20, loss_pct=0.5)


@dataclass
class Rig:
    display: str
    workdir: Path
    payload: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb", **extra}


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _payload(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        left = size
        while left > 0:
            block = os.urandom(min(left, 4 * MB))
            out.write(block)
            left -= len(block)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(MB):
            digest.update(block)
    return digest.hexdigest()


# ---- the baseline ------------------------------------------------------------------


def raw_channel(rig: Rig, size: int, *, flow_control: bool) -> float:
    """MB/s over a bare aiortc data channel, from "go" to the last byte written."""
    target = rig.workdir / "raw-received.bin"
    flags = () if flow_control else ("--no-flow-control",)
    log = rig.workdir / "raw.log"
    sender = LineProcess("bench.raw_channel", "send", str(size), *flags, env=rig.env(), log=log)
    receiver = LineProcess("bench.raw_channel", "receive", str(target), env=rig.env(), log=log)
    try:
        offer = sender.wait_for(lambda line: "offer" in line, 30)[2]
        receiver.send(offer=offer["offer"], size=size)
        answer = receiver.wait_for(lambda line: "answer" in line, 30)[2]
        sender.send(answer=answer["answer"])
        sender.wait_for(lambda line: "open" in line, 30)
        receiver.wait_for(lambda line: "open" in line, 30)
        start = time.monotonic()
        sender.send(cmd="go")
        _, done_at, done = receiver.wait_for(lambda line: "done" in line, TRANSFER_TIMEOUT)
        assert done["done"] == size
        for proc in (sender, receiver):
            proc.send(cmd="stop")
        return size / MB / (done_at - start)
    finally:
        sender.close()
        receiver.close()
        target.unlink(missing_ok=True)


# ---- a Helpline session ------------------------------------------------------------


class Session:
    """The headless helper and sharer, files allowed, the sharer perhaps behind a link."""

    def __init__(self, rig: Rig, server: ServerProcess, prefix: list[str] | None = None) -> None:
        self.rig = rig
        log = rig.workdir / "session"
        # Through the link's forwarder the server is 127.0.0.1 inside the namespace too.
        url = f"http://127.0.0.1:{server.port}"
        self.helper = LineProcess(
            "helper_app", "--headless", "--server", url, "--user", HELPER,
            env=rig.env(), log=log.with_suffix(".helper.log"),
        )  # fmt: skip
        code = self.helper.event("code")[2]["code"]
        self.sharer = LineProcess(
            "sharer_app", "--headless", "--server", url, "--user", SHARER,
            "--code", code, "--consent", "view", "--allow", "files",
            env=rig.env(), log=log.with_suffix(".sharer.log"), prefix=prefix or (),
        )  # fmt: skip
        self.helper.event("connected", timeout=90)
        self.sharer.event("connected", timeout=90)
        self.started = time.monotonic()

    def transfer(self, sender: LineProcess, receiver: LineProcess, path: Path) -> dict[str, Any]:
        """One file: MB/s from accept to received, the SHA-256 checked, and the helper's
        decoded frame rate meanwhile."""
        folder = self.rig.workdir / f"received-{time.monotonic_ns()}"
        folder.mkdir()
        mark = len(receiver.lines)
        sender.send(cmd="send_file", path=str(path))
        offered = receiver.event("file_offered", 120, after=mark)[2]
        start = time.monotonic()
        receiver.send(cmd="accept_file", id=offered["id"], dir=str(folder))
        done = receiver.wait_for(
            lambda line: (
                line.get("event") in ("file_received", "file_failed")
                and line.get("id") == offered["id"]
            ),
            TRANSFER_TIMEOUT,
            after=mark,
        )
        end, line = done[1], done[2]
        if line["event"] == "file_failed":
            raise RuntimeError(f"the transfer failed: {line}; sessions ended: {self.ended()}")
        received = Path(line["path"])
        _say(f"{path.stat().st_size / MB:.0f} MB in {end - start:.1f} s")
        intact = _sha256(received) == _sha256(path)
        received.unlink()
        folder.rmdir()
        size = path.stat().st_size
        return {
            "mb_s": size / MB / (end - start),
            "seconds": end - start,
            "intact": intact,
            "fps": self.fps_between(start, end),
        }

    def fps_between(self, start: float, end: float) -> float | None:
        """Frames the helper decoded per second between two moments, from its stats lines."""
        stats = [
            (at, line["frames"])
            for at, line in self.helper.lines
            if line.get("event") == "stats" and start <= at <= end
        ]
        if len(stats) < 2:
            return None
        (t0, f0), (t1, f1) = stats[0], stats[-1]
        return (f1 - f0) / (t1 - t0)

    def fps_for(self, seconds: float) -> float | None:
        start = time.monotonic()
        time.sleep(seconds)
        return self.fps_between(start, time.monotonic())

    def ended(self) -> list[str]:
        """Any ``ended`` either side reported (a session that stayed up has none)."""
        return [
            f"{name}: {line.get('reason')}"
            for name, proc in (("helper", self.helper), ("sharer", self.sharer))
            for _, line in proc.lines
            if line.get("event") == "ended"
        ]

    def slow_reports(self) -> int:
        return sum(1 for _, line in self.helper.lines if line.get("event") == "link_slow")

    def chat_round_trip(self) -> float:
        mark = len(self.sharer.lines)
        start = time.monotonic()
        self.helper.send(cmd="chat", text="still there?")
        at = self.sharer.event("chat", 60, after=mark)[1]
        return at - start

    def close(self) -> None:
        self.helper.send(cmd="end")
        for proc in (self.sharer, self.helper):
            proc.close()


@contextmanager
def _scene(rig: Rig) -> Iterator[LineProcess]:
    """A full-screen 60 Hz animation on the sharer's screen, once told to move."""
    scene = LineProcess("bench.picture.scene", env=rig.env(), log=rig.workdir / "scene.log")
    try:
        scene.wait_for(lambda line: "n" in line, 60)
        yield scene
    finally:
        scene.close()


def _unlimited(rig: Rig, server: ServerProcess) -> dict[str, Any]:
    out: dict[str, Any] = {}
    session = Session(rig, server)
    try:
        out["still_to_sharer"] = session.transfer(session.helper, session.sharer, rig.payload)
        out["still_to_helper"] = session.transfer(session.sharer, session.helper, rig.payload)
        with _scene(rig) as scene:
            scene.send(cmd="busy", flip_every=0)
            session.fps_for(2.0)  # the encoder settles on the moving picture
            out["busy_fps_alone"] = session.fps_for(FPS_WINDOW_SECONDS)
            out["busy_to_sharer"] = session.transfer(session.helper, session.sharer, rig.payload)
            out["busy_to_helper"] = session.transfer(session.sharer, session.helper, rig.payload)
            out["busy_fps_after"] = session.fps_for(FPS_WINDOW_SECONDS)
        out["ended"] = session.ended()
    finally:
        session.close()
    return out


def _over_link(rig: Rig, server: ServerProcess, size: int) -> dict[str, Any]:
    small = _payload(rig.workdir / "link-payload.bin", size)
    with start_link(LINK, seed=25, log=rig.workdir / "link.log") as link:
        link.forward_tcp(server.port)
        session = Session(rig, server, prefix=link.wrap([]))
        out: dict[str, Any] = {"size_mb": size / MB}
        try:
            with _scene(rig) as scene:
                scene.send(cmd="busy", flip_every=0)
                session.fps_for(4.0)
                out["fps_alone"] = session.fps_for(FPS_WINDOW_SECONDS)
                out["to_sharer"] = session.transfer(session.helper, session.sharer, small)
                out["to_helper"] = session.transfer(session.sharer, session.helper, small)
                out["fps_after"] = session.fps_for(FPS_WINDOW_SECONDS)
            out["chat_after_s"] = session.chat_round_trip()
            out["ended"] = session.ended()
            out["slow_reports"] = session.slow_reports()
            out["minutes"] = (time.monotonic() - session.started) / 60
        finally:
            session.close()
    return out


def run(size_mb: float, link_mb: float | None) -> dict[str, Any]:
    results: dict[str, Any] = {"load_start": os.getloadavg(), "size_mb": size_mb}
    xvfb, display = start_xvfb(1280, 800)
    try:
        with tempfile.TemporaryDirectory(prefix="helpline-transfer-") as tmp:
            workdir = Path(tmp)
            rig = Rig(display, workdir, _payload(workdir / "payload.bin", int(size_mb * MB)))
            size = rig.payload.stat().st_size
            results["raw"] = raw_channel(rig, size, flow_control=True)
            results["raw_unbounded"] = raw_channel(rig, size, flow_control=False)
            server = start_server(DEV_DIRECTORY, workdir / "server-data", host="0.0.0.0")
            try:
                results["unlimited"] = _unlimited(rig, server)
                if link_mb is not None:
                    try:
                        results["link"] = _over_link(rig, server, int(link_mb * MB))
                    except LinkError as exc:
                        results["link_error"] = str(exc)
            finally:
                server.stop()
    finally:
        xvfb.terminate()
    results["load_end"] = os.getloadavg()
    return results


# ---- the report --------------------------------------------------------------------


def _fps(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _row(label: str, figures: dict[str, Any], raw: float) -> str:
    return (
        f"| {label} | {figures['mb_s']:.1f} MB/s ({figures['seconds']:.1f} s) | "
        f"{figures['mb_s'] / raw:.2f} | {_fps(figures['fps'])} | "
        f"{'yes' if figures['intact'] else '**no**'} |"
    )


def write_report(r: dict[str, Any]) -> None:
    u = r["unlimited"]
    raw = r["raw"]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f"{r['load_start'][0]:.1f} / {r['load_end'][0]:.1f}"
    lines = [
        "## File transfer",
        "",
        f"`python -m bench.transfer_bench` — {when}; {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; a {r['size_mb']:.0f} MB file of random bytes; load "
        f"average at start and end {load} (the machine is shared).",
        "",
        "| transfer | rate (time) | vs the bare channel | picture fps meanwhile | SHA-256 "
        "checked |",
        "| --- | --- | --- | --- | --- |",
        f"| bare aiortc data channel, same chunks and flow control (baseline) | "
        f"{raw:.1f} MB/s | 1.00 | — | yes |",
        f"| bare aiortc data channel, whole file queued at once | "
        f"{r['raw_unbounded']:.1f} MB/s | {r['raw_unbounded'] / raw:.2f} | — | — |",
        _row("Helpline, helper to sharer, still screen", u["still_to_sharer"], raw),
        _row("Helpline, sharer to helper, still screen", u["still_to_helper"], raw),
        _row("Helpline, helper to sharer, moving screen", u["busy_to_sharer"], raw),
        _row("Helpline, sharer to helper, moving screen", u["busy_to_helper"], raw),
        "",
        f"The moving screen (a full-screen 60 Hz animation) without a transfer: "
        f"{_fps(u['busy_fps_alone'])} fps decoded by the helper before the transfers, "
        f"{_fps(u['busy_fps_after'])} after them. Sessions ended during the run: "
        f"{', '.join(u['ended']) or 'none'}.",
        "",
    ]
    link = r.get("link")
    if link is not None:
        lines += [
            f"Over an emulated link ({LINK.name}, each way; the sharer behind it), a "
            f"{link['size_mb']:.0f} MB file each way with the screen moving:",
            "",
            "| over the link | rate (time) | picture fps meanwhile | SHA-256 checked |",
            "| --- | --- | --- | --- |",
            f"| no transfer | — | {_fps(link['fps_alone'])} | — |",
            *(
                f"| {label} | {link[key]['mb_s'] * 8:.2f} Mbit/s ({link[key]['seconds']:.1f} s) "
                f"| {_fps(link[key]['fps'])} | {'yes' if link[key]['intact'] else '**no**'} |"
                for label, key in (
                    ("helper to sharer", "to_sharer"),
                    ("sharer to helper", "to_helper"),
                )
            ),
            f"| after both | — | {_fps(link['fps_after'])} | — |",
            "",
            f"The session stayed up ({'no end' if not link['ended'] else link['ended']}; "
            f"{link['minutes']:.1f} minutes); a chat line afterwards took "
            f"{link['chat_after_s'] * 1000:.0f} ms; the helper was told the link was slow "
            f"(or no longer) {link['slow_reports']} times.",
            "",
        ]
    elif "link_error" in r:
        lines += [f"The emulated link was not run: {r['link_error']}.", ""]
    lines += [
        "How it is measured. Rate: from the receiver's `accept_file` to its `file_received` "
        "(every byte written and the SHA-256 checked), seen from the benchmark; the baseline "
        "from its start command to the receiver's last byte. Both send 16 KB chunks and keep at "
        "most 128 KB waiting in the SCTP association's queue (the unbounded baseline queues "
        "everything). Picture fps: the helper's decoded frames over the window, from its "
        "once-a-second `stats`. Everything runs on this machine's two cores: the sender, the "
        "receiver, the encoder and the decoder compete for them, so a moving screen costs the "
        "transfer CPU as well as bandwidth.",
        "",
        "Where the limit is. aiortc's SCTP is pure Python and CPU-bound (its maintainers say so "
        "in aiortc issue #36): the bare channel, with nothing else to do, sets the ceiling; the "
        "second row shows what queueing the whole file at once would gain over keeping 128 KB "
        "queued, the flow control that keeps heartbeats and input from waiting behind a file. "
        "Helpline's share of that ceiling is what is left after its own work in the "
        "same processes (the picture, the gate on every chunk, hashing, progress events). On a "
        "real link the link is the limit instead, and the transfer takes what the picture "
        "leaves.",
    ]
    write_section("## File transfer", "\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--link-mb", type=float, default=4)
    parser.add_argument("--no-link", action="store_true")
    args = parser.parse_args()
    figures = run(args.mb, None if args.no_link else args.link_mb)
    write_report(figures)
    print(figures)
