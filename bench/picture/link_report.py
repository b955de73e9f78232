"""The "Picture over real links" section of docs/benchmarks.md: one row per link and contender."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from bench.picture.report import cpu_model, fmt, get, versions
from bench.picture.settings import PictureBenchSettings
from bench.report import write_section

HEADING = "## Picture over real links"
COLUMNS = (
    "link (rate, one-way delay, loss)",
    "contender",
    "first picture",
    "busy: fps painted, size",
    "glass to glass p50 / p95 / p99 (ms)",
    "p50 per quarter of busy (ms)",
    "10 pt text at SSIM 0.97 after still",
    "colour text RGB PSNR, red on black / blue on white (dB)",
    "kbit/s busy",
    "packets lost up / down, retransmitted",
    "session",
)
TARGETS = [
    "Targets (issue 25): on every profile the session stays up and the first picture arrives "
    "within 1 s plus the time to send it; busy glass to glass p95 within the one-way delay "
    "plus 100 ms, flat across the quarters; painted fps at least 20 at 5 Mbit/s and at least "
    "10 at 2 Mbit/s; 10 pt text at SSIM 0.97 within 2 s of stillness at 5 Mbit/s and within "
    "4 s at 2 Mbit/s; colour text at RGB PSNR 38 dB or more, and the unlimited link no worse "
    "than today."
]


def _ms(value: Any) -> str:
    return fmt(value, 0)


def _first(r: dict[str, Any], timeout: float) -> str:
    if "error" in r:
        return "no session"
    first = r.get("first_frame_s")
    if first is not None:
        return f"{first:.2f} s"
    late = r.get("first_frame_late_s")
    if late is not None:
        return f"**{late:.1f} s**"
    return f"**never in {timeout:.0f} s**"


def _busy(r: dict[str, Any]) -> str:
    fps = get(r, "busy.painted_fps")
    if fps is None:
        return "—"
    size = get(r, "busy.resolution")
    return f"{fps:.1f} at {size}" if size and fps else f"{fps:.1f}"


def _latency(r: dict[str, Any]) -> str:
    lat = get(r, "busy.latency_ms")
    if not lat or not lat.get("n"):
        return "—"
    return " / ".join(_ms(lat[k]) for k in ("p50", "p95", "p99"))


def _quarters(r: dict[str, Any]) -> str:
    quarters = get(r, "busy.latency_quarters_ms")
    if not quarters or all(q is None for q in quarters):
        return "—"
    return " / ".join(_ms(q) for q in quarters)


def _sharp(r: dict[str, Any]) -> str:
    sharp = r.get("sharpening")
    if not sharp:
        return "—"
    if sharp["ssim_097_after_s"] is not None:
        return f"{sharp['ssim_097_after_s']:.2f} s"
    final = sharp["final_ssim"]
    tail = f" (SSIM {final:.3f})" if final is not None else ""
    return f"**not in {sharp['window_s']:.0f} s**{tail}"


def _colour(r: dict[str, Any]) -> str:
    colour = r.get("colour_text_rgb_psnr")
    if not colour:
        return "—"
    return f"{fmt(colour['red_on_black'])} / {fmt(colour['blue_on_white'])}"


def _packets(r: dict[str, Any]) -> str:
    link = r.get("link")
    if not link:
        return "—"
    return f"{link['lost_up']} / {link['lost_down']}, {link['retransmitted']}"


def _session(r: dict[str, Any]) -> str:
    session = r.get("session")
    if not session:
        return "—"
    if session["stayed_up"]:
        return "stays up"
    who = f" ({session['ended_by']})" if session.get("ended_by") else ""
    return f"**ended: {session['reason']}{who}**"


def _row(name: str, r: dict[str, Any], settings: PictureBenchSettings) -> str:
    cells = (
        name,
        r.get("label", "—"),
        _first(r, settings.first_picture_timeout),
        _busy(r),
        _latency(r),
        _quarters(r),
        _sharp(r),
        _colour(r),
        _ms(get(r, "busy.kbit_s")),
        _packets(r),
        _session(r),
    )
    return "| " + " | ".join(cells) + " |"


def write_links_report(
    results: dict[str, Any], settings: PictureBenchSettings, report: Path, *, quick: bool
) -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = results.get("load", [])
    lines = [
        HEADING,
        "",
        f"`python -m bench.picture_bench --links{' --quick' if quick else ''}` — {now}; "
        f"{os.cpu_count()} cores ({cpu_model()}); {versions()}. Load average at start and "
        f"end: {' / '.join(f'{x:.1f}' for x in load)} (the link relay itself takes a share "
        "of one core; a load above 2 means other work competed for the two).",
        "",
        f"Busy phases {settings.link_busy_seconds:.0f} s (the first "
        f"{settings.warmup_seconds:.0f} s not counted); a first picture is awaited "
        f"{settings.first_picture_timeout:.0f} s; "
        f"text is watched {settings.sharpen_seconds:.0f} s after it goes still; each colour "
        f"page is held {settings.colour_seconds:.0f} s. Helpline is the real helper app and "
        "the real headless sharer at `HELPLINE_MAX_FPS=60`, otherwise its defaults.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join("---" for _ in COLUMNS) + " |",
    ]
    for measured in results["profiles"]:
        name = measured["profile"]["name"]
        for contender in ("helpline", "plain"):
            lines.append(_row(name, measured[contender], settings))
    lines += ["", *TARGETS, "", *HOW_MEASURED]
    write_section(HEADING, "\n".join(lines), report)


HOW_MEASURED = [
    "How it is measured. The sharer (Helpline's headless sharer app, or the plain share's "
    "sender) runs in a network namespace of its own whose only route out is an emulated "
    "link (`devtools/link_emulator.py`): this kernel has no `netem`, so a relay process "
    "(`devtools/link_relay.py`) moves the packets between a TUN device on each side and "
    "applies, per direction, random loss (seeded, the same for both contenders), a "
    "drop-tail queue of 100 ms at the link's rate, the rate and the one-way delay. The "
    "server, the helper app, the scene and the probe stay in the root namespace; "
    '"unlimited" is no link at all (loopback). The scene and the probe are those of the '
    "section above. Glass to glass is per frame of the busy phase, with its median per "
    "quarter of the phase to show whether it grows. Text after still: right after the busy "
    "phase a new page of 10 pt text is drawn; the helper's picture is grabbed every 0.25 s "
    "for 2 s, then every 0.5 s, and the first grab whose luma SSIM over the text area "
    "reaches 0.97 is found by bisection (a still picture only sharpens). Colour text: a "
    "page of pure red text on black, then pure blue on white, each held still; the best "
    "whole-screen RGB PSNR of two grabs (half way, at the end), at the best alignment within "
    "2 px. Packets lost: what the link's random loss and full queue took, from the sharer "
    "(up) and to it (down). Retransmitted: the packets of the RTP streams the sharer opened "
    "after its first one (aiortc's RTX stream), plus packets whose sequence number was "
    "offered again within 2 s on the same stream; SRTP leaves the RTP header readable. "
    "Session: it stayed up if neither side reported `ended` (such as `peer_timeout`) and "
    "both processes ran until the benchmark stopped them.",
]
