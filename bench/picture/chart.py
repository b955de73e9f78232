"""The picture benchmark's chart, drawn with Qt's QPainter (no plotting package needed)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

SERIES = (
    ("helpline60", "Helpline @60", QColor(33, 102, 172)),
    ("helpline30", "Helpline @30", QColor(103, 169, 207)),
    ("plain", "plain aiortc share", QColor(178, 24, 43)),
)
# (title, key, target or None; higher is better unless noted in the title)
PANELS = (
    ("frames painted per s, busy", "busy.painted_fps", 55.0),
    ("glass to glass p50, busy (ms, lower is better)", "busy.latency_ms.p50", 30.0),
    ("glass to glass p95, busy (ms, lower is better)", "busy.latency_ms.p95", 60.0),
    ("first change after quiet p50 (ms, lower is better)", "first_change_ms.p50", 50.0),
    ("text SSIM fresh, 1 s after still", "fresh.ssim_1s", 0.97),
    ("text SSIM after motion, 1 s after still", "after_motion.ssim_1s", 0.97),
    ("text PSNR after motion, 1 s (dB)", "after_motion.psnr_1s", 35.0),
    ("sharer CPU per painted frame (ms, lower is better)", "busy.sharer_cpu_ms_per_frame", None),
    ("kbit/s received, busy", "busy.kbit_s", None),
)
COLUMNS, PANEL_W, PANEL_H = 3, 420, 260


def _get(results: dict[str, Any], path: str) -> float | None:
    value: Any = results
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return float(value) if isinstance(value, int | float) else None


def _label(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.3g}"


def _panel(
    painter: QPainter,
    box: QRectF,
    results: dict[str, Any],
    title: str,
    key: str,
    target: float | None,
) -> None:
    painter.setPen(QColor(0, 0, 0))
    painter.drawText(box.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignTop, title)
    plot = box.adjusted(50, 30, -16, -40)
    values = [(label, colour, _get(results.get(name, {}), key)) for name, label, colour in SERIES]
    top = max([v for _, _, v in values if v is not None] + [target or 0.0]) * 1.15 or 1.0
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    bar_w = plot.width() / (2 * len(values))
    for i, (_, colour, value) in enumerate(values):
        x = plot.left() + bar_w * (0.5 + 2 * i)
        if value is None:
            painter.drawText(
                QRectF(x, plot.bottom() - 20, bar_w, 20), Qt.AlignmentFlag.AlignCenter, "—"
            )
            continue
        height = plot.height() * value / top
        painter.fillRect(QRectF(x, plot.bottom() - height, bar_w, height), colour)
        painter.drawText(
            QRectF(x - 20, plot.bottom() - height - 18, bar_w + 40, 16),
            Qt.AlignmentFlag.AlignCenter,
            _label(value),
        )
    if target is not None:
        y = plot.bottom() - plot.height() * target / top
        painter.setPen(QPen(QColor(0, 0, 0), 1.5, Qt.PenStyle.DashLine))
        painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
        painter.drawText(
            QRectF(box.left() + 2, y - 8, 46, 16), Qt.AlignmentFlag.AlignRight, f"{target:g}"
        )


def _line(
    painter: QPainter, plot: QRectF, points: list[tuple[float, float]], top: float, pen: QPen
) -> None:
    span = max(p[0] for p in points) or 1.0
    painter.setPen(pen)
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        painter.drawLine(
            QPointF(
                plot.left() + plot.width() * t0 / span, plot.bottom() - plot.height() * v0 / top
            ),
            QPointF(
                plot.left() + plot.width() * t1 / span, plot.bottom() - plot.height() * v1 / top
            ),
        )


def _soak_panel(painter: QPainter, box: QRectF, soak: dict[str, Any]) -> None:
    """The helper's memory and painted frame rate through the soak, on one time axis."""
    samples = soak["samples"]
    painter.setPen(QColor(0, 0, 0))
    verdict = "survived" if soak["survived"] else "DIED"
    painter.drawText(
        box.adjusted(8, 4, -8, 0),
        Qt.AlignmentFlag.AlignTop,
        f"soak, Helpline @60: helper RSS (MB, solid, left) and frames painted per s (dotted, "
        f"right) over {soak['minutes']:.1f} min; the helper app {verdict}",
    )
    plot = box.adjusted(50, 30, -50, -30)
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    rss_top = max(s[1] for s in samples) * 1.15
    fps_top = max(max(s[2] for s in samples) * 1.15, 1.0)
    _line(painter, plot, [(t, m) for t, m, _ in samples], rss_top, QPen(SERIES[0][2], 2))
    _line(
        painter,
        plot,
        [(t, f) for t, _, f in samples],
        fps_top,
        QPen(QColor(90, 90, 90), 1.5, Qt.PenStyle.DotLine),
    )
    painter.setPen(QColor(0, 0, 0))
    painter.drawText(
        QRectF(box.left(), plot.top() - 8, 46, 16), Qt.AlignmentFlag.AlignRight, f"{rss_top:.0f}"
    )
    painter.drawText(
        QRectF(plot.right() + 4, plot.top() - 8, 46, 16),
        Qt.AlignmentFlag.AlignLeft,
        f"{fps_top:.0f}",
    )
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + 4, plot.width(), 16),
        Qt.AlignmentFlag.AlignRight,
        f"{samples[-1][0] / 60:.1f} min",
    )


def write_chart(results: dict[str, Any], path: Path) -> None:
    _app = QGuiApplication.instance() or QGuiApplication(["chart", "-platform", "offscreen"])
    soak = results.get("helpline60", {}).get("soak")
    soak_rows = 1 if soak and len(soak["samples"]) > 1 else 0
    rows = (len(PANELS) + COLUMNS - 1) // COLUMNS + soak_rows
    image = QImage(COLUMNS * PANEL_W, rows * PANEL_H + 40, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont("DejaVu Sans")
    font.setPixelSize(13)
    painter.setFont(font)
    for i, (title, key, target) in enumerate(PANELS):
        box = QRectF((i % COLUMNS) * PANEL_W, (i // COLUMNS) * PANEL_H, PANEL_W, PANEL_H)
        _panel(painter, box, results, title, key, target)
    if soak_rows:
        _soak_panel(painter, QRectF(0, (rows - 1) * PANEL_H, COLUMNS * PANEL_W, PANEL_H), soak)
    legend_y = rows * PANEL_H + 10
    for i, (_, label, colour) in enumerate(SERIES):
        x = 20 + i * 220
        painter.fillRect(QRectF(x, legend_y, 16, 16), colour)
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(QRectF(x + 22, legend_y - 2, 190, 20), Qt.AlignmentFlag.AlignLeft, label)
    painter.drawText(
        QRectF(680, legend_y - 2, 300, 20), Qt.AlignmentFlag.AlignLeft, "dashed: the issue's target"
    )
    painter.end()
    image.save(str(path))
