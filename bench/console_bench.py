"""The console's sessions report over many records: server time per page (first and deep),
and the CSV export's rows per second, against the same query through the JSON API.

A real server process on the demo's directory; the records are written straight into its
SQLite file between two starts (100,000 session rows through the hub would take hours on a
small machine, and the chain is not what is measured). Half are finance devices, half hr, so
a reader scoped to finance and sales (Erin, the device admin with ``reports``) walks the
scoped path while Dana (every scope) takes the SQL one.

    python -m bench.console_bench [--records N] [--quick] [--report FILE] [--json FILE]

Results go to docs/benchmarks.md (section "Console").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.report import REPORT, write_section
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server

DANA = "dana@contoso.example"  # reports over every group
ERIN = "erin@contoso.example"  # reports over finance and sales only
COLUMNS = (
    "id", "helper_upn", "helper_oid", "sharer_upn", "sharer_oid", "device_name", "device_id",
    "device_enrolled", "source_address", "started_at", "consent_at", "ended_at", "granted_view",
    "granted_control", "used_view", "used_control", "used_chat", "used_elevation",
    "used_actions", "outcome", "end_reason", "sharer_groups", "attempts",
)  # fmt: skip


def fill(database: Path, records: int) -> None:
    start = datetime.now(UTC) - timedelta(days=20)
    step = timedelta(days=19) / records

    def row(i: int) -> tuple[Any, ...]:
        at = start + step * i
        finance = i % 2 == 0
        when = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        ended = (at + timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M:%S.%f")
        return (
            uuid.uuid4().hex, "alice@contoso.example", "oid-a",
            "bob@contoso.example" if finance else "carol@contoso.example", "oid-s",
            f"PC-{i % 500}", "", False, "127.0.0.1", when, when, ended, True, i % 3 == 0,
            True, i % 3 == 0, i % 5 == 0, False, False, "accepted", "helper_ended",
            json.dumps(["finance"] if finance else ["hr"]), 1,
        )  # fmt: skip

    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(COLUMNS))
        db.executemany(
            f"INSERT INTO session_records ({','.join(COLUMNS)}) VALUES ({marks})",
            (row(i) for i in range(records)),
        )


def console_client(server: ServerProcess, upn: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=600)
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    signed = client.post("/console/login", data={"user": upn, "csrf_token": token.group(1)})
    assert signed.status_code == 303, signed.text
    return client


def timed(get: Any, repeats: int) -> tuple[float, Any]:
    """The median wall time of ``repeats`` calls (ms), and the last answer."""
    times, answer = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        answer = get()
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.text[:300]
    return statistics.median(times), answer


def measure(server: ServerProcess, records: int, repeats: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"records": records}
    deep = records // 2 // 50  # the page halfway down
    for who, upn in (("all", DANA), ("scoped", ERIN)):
        console = console_client(server, upn)
        bearer = {"Authorization": f"Bearer {server.token_for(upn)}"}
        api = httpx.Client(base_url=server.url, timeout=600, headers=bearer)
        figures[f"{who}_page_ms"], _ = timed(lambda c=console: c.get("/console/sessions"), repeats)
        figures[f"{who}_deep_page_ms"], _ = timed(
            lambda c=console: c.get("/console/sessions", params={"page": str(deep)}), repeats
        )
        figures[f"{who}_api_page_ms"], _ = timed(
            lambda a=api: a.get("/v1/audit/sessions", params={"limit": "50"}), repeats
        )
        began = time.perf_counter()
        export = console.get("/console/sessions.csv")
        seconds = time.perf_counter() - began
        rows = export.text.count("\r\n") - 1
        figures[f"{who}_csv_rows"] = rows
        figures[f"{who}_csv_rows_per_s"] = rows / seconds
        api_ms, answer = timed(lambda a=api: a.get("/v1/audit/sessions",
                                                   params={"limit": "5000"}), 1)  # fmt: skip
        figures[f"{who}_api_rows_per_s"] = len(answer.json()["sessions"]) / (api_ms / 1000)
        console.close()
        api.close()
    return figures


def report(figures: dict[str, Any], path: Path) -> None:
    f = figures
    lines = [
        "## Console",
        "",
        f"`python -m bench.console_bench` on {f['records']:,} session records, {f['at']} (SQLite, "
        "one server process, this 2-core machine shared with other work: load average "
        f"{f['load_average'][0]} at the start, {f['load_average'][1]} at the end); medians of "
        "repeated requests, "
        "wall time at the client on loopback. *All* is a reader with every scope (SQL paging); "
        "*scoped* one whose role covers finance and sales, half the records (the database "
        "reads each record's JSON list of groups, so the scope check and the paging are SQL's, "
        "the same query as the API's).",
        "",
        "| reader | sessions page 1 | page halfway down | API, first 50 | CSV export "
        "| API, 5000 a page |",
        "| --- | --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for who in ("all", "scoped"):
        lines.append(
            f"| {who} | {f[f'{who}_page_ms']:.0f} ms | {f[f'{who}_deep_page_ms']:.0f} ms | "
            f"{f[f'{who}_api_page_ms']:.0f} ms | {f[f'{who}_csv_rows']:,} rows, "
            f"{f[f'{who}_csv_rows_per_s']:,.0f} rows/s | {f[f'{who}_api_rows_per_s']:,.0f} rows/s |"
        )
    ratio = f["all_page_ms"] / f["all_api_page_ms"]
    deep = f["scoped_deep_page_ms"] / f["scoped_page_ms"]
    lines += ["", f"The console's first page costs {ratio:.1f} times the API's same query (the "
              "page renders names, roles and the table; both record the read). A scoped "
              f"reader's page halfway down costs {deep:.1f} times its first page."]  # fmt: skip
    write_section("## Console", "\n".join(lines), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 records, 2 repeats")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    records, repeats = (2000, 2) if args.quick else (args.records, 5)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="console-bench-") as scratch:
        data = Path(scratch) / "server"
        start_server(DEV_DIRECTORY, data).stop()  # makes the database at the schema's head
        fill(data / "helpline.db", records)
        server = start_server(DEV_DIRECTORY, data)
        try:
            figures = measure(server, records, repeats)
        finally:
            server.stop()
    figures["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    figures["at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report(figures, args.report)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
