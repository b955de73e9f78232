"""The "Picture" section of docs/benchmarks.md: each figure beside the issue's target."""

from __future__ import annotations

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.picture import layout
from bench.picture.chart import write_chart
from bench.picture.settings import PictureBenchSettings
from bench.report import write_section

HEADING = "## Picture"
CHART = "picture-bench.png"


def get(results: dict[str, Any], path: str) -> Any:
    value: Any = results
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(a: Any, b: Any) -> str:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return "—"
    return f"{a / b:.2g}x" if a / b < 0.1 else f"{a / b:.2f}x"


# (measure, target, key, digits, compare with the plain share)
ROWS = [
    ("text fresh, PSNR 1 s after still (dB)", ">= 35", "fresh.psnr_1s", 1, True),
    ("text fresh, SSIM 1 s after still", ">= 0.97", "fresh.ssim_1s", 3, True),
    ("text fresh, best SSIM within 3 s", ">= 0.97", "fresh.best_ssim", 3, True),
    ("text after motion, PSNR 1 s after still (dB)", ">= 35", "after_motion.psnr_1s", 1, True),
    ("text after motion, SSIM 1 s after still", ">= 0.97", "after_motion.ssim_1s", 3, True),
    ("text after motion, best PSNR within 3 s (dB)", ">= 35", "after_motion.best_psnr", 1, True),
    ("text after motion, best SSIM within 3 s", ">= 0.97", "after_motion.best_ssim", 3, True),
    ("text after motion, shown at scale", "1.0", "after_motion.shown_scale", 2, False),
    ("first frame after consent (s)", "", "first_frame_s", 2, False),
    ("busy: frames painted per s", ">= 55 (@60), 30 (@30)", "busy.painted_fps", 1, True),
    ("busy: frames decoded per s (the viewer's own stats)", "", "busy.decoded_fps", 1, True),
    ("busy: frames drawn per s by the scene", "60", "busy.drawn_fps", 1, False),
    ("busy: resolution sent (mode of stats)", "1920x1080", "busy.resolution", 0, False),
    ("busy: shown at scale", "1.0", "busy.shown_scale", 2, False),
    ("busy: glass to glass p50, every frame (ms)", "<= 30", "busy.latency_ms.p50", 0, True),
    ("busy: glass to glass p95 (ms)", "<= 60", "busy.latency_ms.p95", 0, True),
    ("busy: glass to glass p99 (ms)", "", "busy.latency_ms.p99", 0, True),
    ("busy: marker flips p50 / count", "", "busy.flip_latency_ms.p50", 0, True),
    ("first change after quiet, p50 (ms)", "<= 50", "first_change_ms.p50", 0, True),
    ("first change after quiet, p95 (ms)", "<= 50", "first_change_ms.p95", 0, True),
    ("first change after quiet, missed", "0", "first_change_ms.missed", 0, False),
    (
        "busy: sharer CPU per painted frame (ms)",
        "<= plain",
        "busy.sharer_cpu_ms_per_frame",
        1,
        True,
    ),
    ("busy: helper CPU per painted frame (ms)", "", "busy.viewer_cpu_ms_per_frame", 1, True),
    ("busy: sharer CPU (% of a core)", "", "busy.sharer_cpu_pct", 0, True),
    ("busy: helper CPU (% of a core)", "", "busy.viewer_cpu_pct", 0, True),
    ("busy: kbit/s received by the helper", "", "busy.kbit_s", 0, True),
    ("still: kbit/s", "< 20", "still.kbit_s", 1, True),
    ("still: sharer CPU (% of a core)", "< 3", "still.sharer_cpu_pct", 1, True),
    ("soak: minutes of busy streaming", "10", "soak.minutes", 1, False),
    ("soak: helper app survived and kept painting", "yes", "soak.survived", 0, False),
    ("soak: frames painted in its last 10 s", "", "soak.painted_last_10s", 0, False),
    ("soak: helper RSS first sample / last / max (MB)", "no growth", "soak.rss_mb_first", 0, False),
]


def _cell(results: dict[str, Any], key: str, digits: int) -> str:
    if key == "soak.rss_mb_first":
        if get(results, "soak") is None:
            return "—"
        return " / ".join(
            fmt(get(results, f"soak.rss_mb_{k}"), 0) for k in ("first", "last", "max")
        )
    if key == "busy.flip_latency_ms.p50":
        return f"{fmt(get(results, key), 0)} / {fmt(get(results, 'busy.flip_latency_ms.n'))}"
    return fmt(get(results, key), digits)


def versions() -> str:
    names = ("aiortc", "av", "PySide6-Essentials", "numpy", "mss")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join([f"Python {platform.python_version()}", *found])


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def write_report(
    results: dict[str, Any], settings: PictureBenchSettings, report: Path, *, quick: bool
) -> None:
    h60, h30, plain = results["helpline60"], results["helpline30"], results["plain"]
    write_chart(results, report.parent / CHART)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = results.get("load", [])
    lines = [
        HEADING,
        "",
        f"`python -m bench.picture_bench{' --quick' if quick else ''}` — {now}; "
        f"{os.cpu_count()} cores ({cpu_model()}); {versions()}. Load average at start and "
        f"end: {' / '.join(f'{x:.1f}' for x in load)} (the machine is shared: other "
        "engineers' test runs make every figure noisy, the ratios less so).",
        "",
        f"Sharer display {layout.WIDTH}x{layout.HEIGHT}, helper "
        f"display {settings.helper_screen[0]}x{settings.helper_screen[1]}; busy phases "
        f"{settings.busy_seconds:.0f} s (the first {settings.warmup_seconds:.0f} s not "
        f"counted), still spell {settings.still_seconds:.0f} s, {settings.quiet_flips} single "
        f"changes after {settings.quiet_seconds:.1f} s of quiet, soak "
        f"{settings.soak_minutes:g} min. Helpline runs with its defaults except "
        "`HELPLINE_MAX_FPS`; the helper is view-only.",
        "",
        f"![picture benchmark]({CHART})",
        "",
        "| measure | target (issue 9) | Helpline @60 | Helpline @30 | plain aiortc share "
        "| @60 vs plain |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for measure, target, key, digits, compare in ROWS:
        a, b = get(h60, key), get(plain, key)
        lines.append(
            f"| {measure} | {target} | {_cell(h60, key, digits)} | {_cell(h30, key, digits)} "
            f"| {_cell(plain, key, digits)} | {_ratio(a, b) if compare else ''} |"
        )
    floor = get(results, "calibration.latency_ms")
    if floor:
        lines += [
            "",
            f"Measuring floor: the same probe pointed at the sharer's own display sees the "
            f"scene's frames {fmt(floor['p50'])} ms (p50), {fmt(floor['p95'])} ms (p95) "
            f"after they are drawn ({floor['n']} frames): polling every 4 ms, and the scene "
            "and probe competing for the same two cores.",
        ]
    lines += ["", *HOW_MEASURED]
    write_section(HEADING, "\n".join(lines), report)


HOW_MEASURED = [
    "How it is measured. The scene (`bench/picture/scene.py`) is a full-screen window on the "
    "sharer's display: a still page of 10 pt DejaVu Sans Mono log lines, or a 60 Hz "
    "animation that pans a colour field with hard-edged boxes so every pixel changes every "
    "frame. A band at the top carries a 16-bit frame counter (32x64 px blocks, each bit a "
    "white/black pair, so a torn or smeared read is rejected) and a marker that flips every "
    "30 frames, or once after each quiet spell; the scene logs `time.monotonic()` for each "
    "frame after an X round trip. The probe (`bench/picture/probe.py`) finds the picture on "
    "the helper's display by its magenta corner squares and polls the band with `mss` at "
    "250 Hz: frames painted are distinct counter values seen, glass to glass is from the "
    "scene's draw time to the first poll that shows that frame (or that flip). PSNR and SSIM "
    "(Gaussian 11x11, sigma 1.5) are on luma over the text area, against the sharer's own "
    "screen grabbed with `mss`, at the best alignment within 2 px; a picture shown smaller "
    "than 1:1 is blown up to full size first (nearest pixel), as a person would have to zoom. "
    "CPU is each process's user+system time from `/proc/<pid>/stat` over the busy window, "
    "divided by frames painted. kbit/s is what the helper's peer connection transport "
    "received (`getStats()` transport `bytesReceived`: SRTP, RTCP and data channels), "
    "as the helper engine's `stats` event reports it (`bytes_received`) once a second; the "
    "benchmark's helper launcher (`bench/picture/helper_window.py`, the same HelperService and "
    "HelperWindow as `helper_app/gui.py`) passes it on. The helper's memory is "
    "its RSS from `/proc/<pid>/status` every few seconds of the soak.",
    "",
    "The plain share (`bench/picture/plain_share.py`) is an `mss` grab in an aiortc "
    "`VideoStreamTrack` (its 30 fps clock, aiortc's bit rates), VP8 forced with "
    "`setCodecPreferences`, and a small Qt window painting each decoded frame 1:1. It is two "
    "processes joined by one offer and one answer relayed by the benchmark, with no "
    "signaling server, so each side's CPU is measured on its own. Its \"first frame after "
    'consent" starts when the offer is handed to the sender.',
]
