"""All the desktop apps' screenshots on one labelled page: ``contact-sheet.png``.

    QT_QPA_PLATFORM=offscreen python scripts/contact_sheet.py docs/screenshots

One row per screen (helper first, then sharer), one column per variant (light, dark,
French, 200 %), each shot scaled to fit its cell with its aspect kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

COLUMNS = (("", "light"), ("-dark", "dark"), ("-fr", "français"), ("-200", "200 %"))
CELL_W, CELL_H, LABEL_H, PAD = 420, 300, 26, 14


def screens(folder: Path) -> list[str]:
    names = {
        p.stem
        for p in folder.glob("*.png")
        if p.stem.startswith(("helper-", "sharer-"))
        and not p.stem.endswith(("-dark", "-fr", "-200"))
    }
    return sorted(names, key=lambda n: (not n.startswith("helper"), n))


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots")
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    rows = screens(folder)
    width = PAD + len(COLUMNS) * (CELL_W + PAD) + 180
    height = PAD + LABEL_H + len(rows) * (CELL_H + PAD)
    sheet = QImage(width, height, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#e9edf2"))
    painter = QPainter(sheet)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont("DejaVu Sans", 11)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#1a1f29"))
    for col, (_suffix, label) in enumerate(COLUMNS):
        x = 180 + PAD + col * (CELL_W + PAD)
        painter.drawText(QRect(x, PAD, CELL_W, LABEL_H), Qt.AlignmentFlag.AlignCenter, label)
    for row, name in enumerate(rows):
        y = PAD + LABEL_H + row * (CELL_H + PAD)
        painter.drawText(
            QRect(PAD, y, 170, CELL_H),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
            name,
        )
        for col, (suffix, _label) in enumerate(COLUMNS):
            x = 180 + PAD + col * (CELL_W + PAD)
            painter.fillRect(QRect(x, y, CELL_W, CELL_H), QColor("#ffffff"))
            shot = QImage(str(folder / f"{name}{suffix}.png"))
            if shot.isNull():
                painter.drawText(QRect(x, y, CELL_W, CELL_H), Qt.AlignmentFlag.AlignCenter, "—")
                continue
            scaled = shot.scaled(
                CELL_W, CELL_H, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )  # fmt: skip
            painter.drawImage(
                x + (CELL_W - scaled.width()) // 2, y + (CELL_H - scaled.height()) // 2, scaled
            )
    painter.end()
    target = folder / "contact-sheet.png"
    sheet.save(str(target))
    print(f"contact sheet: {target} ({len(rows)} screens x {len(COLUMNS)} variants)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
