"""A device's diagnostics report as sections a person reads: system, hardware, disks with
bars, network, and the recent lines of Helpline's own logs.

The report comes from the device, so nothing in it is trusted: every value is shown as plain
text, whatever its type, and a missing or odd section reads as "not reported".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_widgets.theme import Space
from desktop_widgets.widgets import named, plain_label, role_label

UNITS = (
    QT_TRANSLATE_NOOP("ReportView", "B"),
    QT_TRANSLATE_NOOP("ReportView", "KB"),
    QT_TRANSLATE_NOOP("ReportView", "MB"),
    QT_TRANSLATE_NOOP("ReportView", "GB"),
    QT_TRANSLATE_NOOP("ReportView", "TB"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportView", text)


def size_text(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        return "?"
    size = float(value)
    for index, unit in enumerate(UNITS):
        if size < 1024 or index == len(UNITS) - 1:
            figure = f"{size:.0f}" if index == 0 else f"{size:.1f}"
            return f"{figure} {_tr(unit)}"
        size /= 1024
    return "?"


def duration_text(seconds: Any) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return "?"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return QCoreApplication.translate("ReportView", "{days} d {hours} h {minutes} min").format(
            days=days, hours=hours, minutes=mins
        )
    return QCoreApplication.translate("ReportView", "{hours} h {minutes} min").format(
        hours=hours, minutes=mins
    )


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _moment(value: Any) -> str:
    """An ISO time from the device as a person reads it, in UTC to the minute."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return _text(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ReportView(QScrollArea):
    """The report's sections; ``toPlainText`` gives the same words as one text."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        named(self, self.tr("Diagnostics report"))
        self._lines: list[str] = []
        self.sections: list[str] = []
        self.show_report(None)

    def toPlainText(self) -> str:
        return "\n".join(self._lines)

    def show_report(self, report: dict[str, Any] | None) -> None:
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(0, 0, Space.S, 0)
        self._layout.setSpacing(Space.S)
        self._lines = []
        self.sections = []
        if report is None:
            self._layout.addWidget(
                role_label(self.tr("Choose a diagnostics action and press Show report."), "muted")
            )
        else:
            self._fill(report)
        self._layout.addStretch(1)
        self.setWidget(body)

    def _section(self, title: str, column: QVBoxLayout | None = None) -> QFormLayout:
        """A titled section, in one of the two columns (or across the whole width)."""
        self.sections.append(title)
        self._lines.append(title)
        target = column if column is not None else self._layout
        target.addWidget(role_label(title, "section"))
        form = QFormLayout()
        form.setHorizontalSpacing(Space.L)
        target.addLayout(form)
        return form

    def _row(self, form: QFormLayout, name: str, value: Any) -> None:
        text = _text(value)
        self._lines.append(f"  {name}: {text}")
        label = plain_label(text)
        form.addRow(role_label(name, "muted"), label)

    def _fill(self, whole: dict[str, Any]) -> None:
        # As the server returns it: when it was collected, and the named sections.
        report = _dict(whole.get("sections"))
        if "collected_at" in whole:
            collected = self.tr("Collected at {time}").format(time=_moment(whole["collected_at"]))
            self._lines.append(collected)
            self._layout.addWidget(role_label(collected, "muted"))
        columns = QHBoxLayout()
        columns.setSpacing(Space.XL)
        left, right = QVBoxLayout(), QVBoxLayout()
        for column in (left, right):
            column.setSpacing(Space.S)
            columns.addLayout(column, 1)
        self._layout.addLayout(columns)
        system = _dict(report.get("os"))
        helpline = _dict(report.get("helpline"))
        form = self._section(self.tr("System"), left)
        self._row(form, self.tr("Name"), system.get("hostname"))
        self._row(form, self.tr("System"), system.get("distribution") or system.get("system"))
        self._row(form, self.tr("Kernel"), system.get("release"))
        self._row(form, self.tr("Up for"), duration_text(report.get("uptime_seconds")))
        self._row(form, self.tr("Helpline"), helpline.get("version"))

        hardware = _dict(report.get("hardware"))
        form = self._section(self.tr("Hardware"), left)
        self._row(form, self.tr("Processor"), hardware.get("processor"))
        self._row(form, self.tr("Cores"), hardware.get("cpus"))
        self._row(form, self.tr("Memory"), size_text(hardware.get("memory_bytes")))
        self._row(form, self.tr("Architecture"), hardware.get("machine"))

        disks = report.get("disks")
        form = self._section(self.tr("Disks"), right)
        for disk in disks if isinstance(disks, list) else []:
            disk = _dict(disk)
            total, free = disk.get("total_bytes"), disk.get("free_bytes")
            words = self.tr("{free} free of {total}").format(
                free=size_text(free), total=size_text(total)
            )
            self._lines.append(f"  {_text(disk.get('mount'))}: {words}")
            bar = QProgressBar()
            bar.setRange(0, 1000)
            ok = isinstance(total, int | float) and isinstance(free, int | float) and total > 0
            bar.setValue(int(1000 * (total - free) / total) if ok else 0)
            bar.setFormat(words)
            named(
                bar,
                self.tr("Disk {mount}: {words}").format(
                    mount=_text(disk.get("mount")), words=words
                ),
            )
            form.addRow(role_label(_text(disk.get("mount")), "muted"), bar)

        network = _dict(report.get("network"))
        form = self._section(self.tr("Network"), right)
        self._row(form, self.tr("Full name"), network.get("fqdn"))
        self._row(form, self.tr("Interfaces"), network.get("interfaces"))
        self._row(form, self.tr("Addresses"), network.get("addresses"))

        left.addStretch(1)
        right.addStretch(1)
        logs = _dict(report.get("helpline_logs"))
        self._section(self.tr("Recent agent log"))
        if not logs:
            self._layout.addWidget(role_label(self.tr("No log lines were reported."), "muted"))
        for name, lines in logs.items():
            text = "\n".join(str(line) for line in lines) if isinstance(lines, list) else ""
            self._lines.append(f"  {name}")
            self._lines.extend(f"    {line}" for line in text.splitlines())
            self._layout.addWidget(plain_label(str(name)))
            log = named(QPlainTextEdit(text), self.tr("Log {name}").format(name=name))
            log.setReadOnly(True)
            log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            log.setMinimumHeight(140)
            self._layout.addWidget(log)
