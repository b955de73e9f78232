"""Load on the signaling server: idle connections held, and pairings per second with their
latency, against one process and against two replicas sharing Redis.

The load comes from separate processes (``--workers``) speaking the real protocol over
websockets, with development-identity tokens fetched once per user and reused. The
benchmark writes its own directory of users (helpers may hold only three codes each, so
1,000 concurrent sessions need hundreds of helpers). Server memory is its resident set size
read from /proc. A pairing is the whole flow: the helper asks for a code, the sharer redeems
it, the sharer consents, the helper ends, and the sharer is told; its latency runs from the
code request to the sharer's ``ended``.

    python -m bench.load_bench            # 5,000 idle; 300 concurrent sessions, 20 s each
    python -m bench.load_bench --quick    # a few of each, seconds; what the tests run
    python -m bench.load_bench --profile  # also py-spy on the one-process pairing run

Results go to the "Load" section of docs/benchmarks.md (``--report`` elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.report import REPORT, write_section
from devtools.redis_server import start_redis
from devtools.server import ServerProcess, start_server

HEADING = "## Load"
PY_SPY = str(Path(sys.executable).with_name("py-spy"))
DOMAIN = "contoso.example"
SERVER_LIMITS = {
    # All load comes from one address; the per-address guards are for the field.
    "HELPLINE_MAX_WEBSOCKETS_PER_ADDRESS": "100000",
    "HELPLINE_MAX_WEBSOCKETS_TOTAL": "100000",
    "HELPLINE_MAX_WAITING_PER_ADDRESS": "100000",
    "HELPLINE_MAX_WAITING_TOTAL": "100000",
    # Redeems are counted before they are compared: hundreds in flight from one address
    # would lock it out as if they were guesses.
    "HELPLINE_REDEEM_MAX_FAILURES_PER_ADDRESS": "100000",
    "HELPLINE_HELLO_TIMEOUT_SECONDS": "120",
}


@dataclass
class Scale:
    idle: int
    concurrent: int
    seconds: float
    workers: int


# 300 sessions at once: the concurrency the pairing target is set at (issue 23).
FULL = Scale(idle=5000, concurrent=300, seconds=20.0, workers=4)
QUICK = Scale(idle=200, concurrent=20, seconds=3.0, workers=2)


def write_directory(path: Path, helpers: int, sharers: int) -> None:
    lines = [
        f'tenant = "{DOMAIN}"',
        f'verified_domains = ["{DOMAIN}"]',
        "[roles.operator]",
        'permissions = ["view", "control", "chat"]',
        'scopes = ["finance"]',
    ]
    for n in range(helpers):
        lines += ["[[users]]", f'upn = "helper-{n}@{DOMAIN}"', f'name = "Helper {n}"']
        lines += ['roles = ["operator"]']
    for n in range(sharers):
        lines += ["[[users]]", f'upn = "sharer-{n}@{DOMAIN}"', f'name = "Sharer {n}"']
        lines += ['groups = ["finance"]']
    path.write_text("\n".join(lines) + "\n")


def tokens(server: ServerProcess, upns: list[str]) -> list[str]:
    """One token per user, fetched side by side (each answer waits on TCP's delayed ACK)."""
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(max_workers=32) as pool:

        def token(upn: str) -> str:
            answer = client.post(server.url + "/dev-idp/token", json={"upn": upn})
            return str(answer.json()["access_token"])

        return list(pool.map(token, upns))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# ---- the load generator's processes ------------------------------------------------


def _more_files() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _signed_in(url: str, token: str, role: str) -> Any:
    ws = await websockets.connect(url, max_size=2**20, open_timeout=120, ping_interval=None)
    await ws.send(json.dumps({"v": 1, "type": "hello", "token": token, "role": role}))
    welcome = json.loads(await ws.recv())
    if welcome["type"] != "welcome":
        raise RuntimeError(f"sign-in refused: {welcome}")
    return ws


async def _expect(ws: Any, kind: str) -> dict[str, Any]:
    message = json.loads(await ws.recv())
    while message["type"] == "resume_token" and kind != "resume_token":
        # Handed to both sides once a session is active, unasked: not an answer.
        message = json.loads(await ws.recv())
    if message["type"] != kind:
        raise RuntimeError(f"expected {kind}, got {message}")
    return message


def _idle_worker(url: str, tokens_: list[str], ready: Any, release: Any) -> None:
    _more_files()

    async def run() -> None:
        held = []
        for start in range(0, len(tokens_), 100):  # a hundred at a time, as a crowd arrives
            batch = tokens_[start : start + 100]
            held += await asyncio.gather(*(_signed_in(url, t, "helper") for t in batch))
        ready.put(len(held))
        await asyncio.get_running_loop().run_in_executor(None, release.wait)
        await asyncio.gather(*(ws.close() for ws in held))

    asyncio.run(run())


def _pairing_worker(
    helper_url: str, sharer_url: str, pairs: list[tuple[str, str]], seconds: float,
    ready: Any, go: Any, results: Any,
) -> None:  # fmt: skip
    _more_files()

    async def loop(helper: Any, sharer: Any, until: float, latencies: list[float]) -> None:
        while time.monotonic() < until:
            began = time.perf_counter()
            await helper.send('{"v":1,"type":"request_code","dtls_fingerprint":"sha-256 AA"}')
            code = (await _expect(helper, "code"))["code"]
            await sharer.send(json.dumps({"v": 1, "type": "redeem_code", "code": code}))
            await _expect(sharer, "helper_identity")
            await _expect(helper, "sharer_joined")
            await sharer.send('{"v":1,"type":"consent","level":"view"}')
            await _expect(helper, "consent_result")
            await helper.send('{"v":1,"type":"end","reason":"helper_ended"}')
            await _expect(sharer, "ended")
            latencies.append(time.perf_counter() - began)

    async def run() -> None:
        async def pair(helper_token: str, sharer_token: str) -> list[Any]:
            return await asyncio.gather(
                _signed_in(helper_url, helper_token, "helper"),
                _signed_in(sharer_url, sharer_token, "sharer"),
            )

        connections: list[list[Any]] = []
        for start in range(0, len(pairs), 50):  # fifty pairs at a time, as in the idle phase
            connections += await asyncio.gather(*(pair(h, s) for h, s in pairs[start : start + 50]))
        ready.put(len(connections))
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        latencies: list[float] = []
        until = time.monotonic() + seconds
        began = time.monotonic()
        outcome = await asyncio.gather(
            *(loop(h, s, until, latencies) for h, s in connections), return_exceptions=True
        )
        elapsed = time.monotonic() - began
        failures = [repr(o) for o in outcome if isinstance(o, BaseException)]
        results.put({"latencies": latencies, "elapsed": elapsed, "failures": failures[:3]})
        await asyncio.gather(*(ws.close() for pair in connections for ws in pair))

    asyncio.run(run())


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[n::parts] for n in range(parts)]


# ---- phases ------------------------------------------------------------------------


def measure_idle(server: ServerProcess, helper_tokens: list[str], scale: Scale) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    ready, release = context.Queue(), context.Event()
    before = rss_mb(server.proc.pid)
    workers = [
        context.Process(target=_idle_worker, args=(server.ws_url, part, ready, release))
        for part in _split(helper_tokens[: scale.idle], scale.workers)
    ]
    for worker in workers:
        worker.start()
    held = sum(ready.get(timeout=600) for _ in workers)
    after = rss_mb(server.proc.pid)
    release.set()
    for worker in workers:
        worker.join(timeout=60)
    return {
        "held": held,
        "rss_before_mb": round(before, 1),
        "rss_mb": round(after, 1),
        "kb_per_connection": round((after - before) * 1024 / max(held, 1), 1),
    }


def measure_pairings(
    helper_server: ServerProcess,
    sharer_server: ServerProcess,
    pairs: list[tuple[str, str]],
    scale: Scale,
    servers: list[ServerProcess],
    profile: Path | None = None,
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    workers = [
        context.Process(
            target=_pairing_worker,
            args=(
                helper_server.ws_url,
                sharer_server.ws_url,
                part,
                scale.seconds,
                ready,
                go,
                results,
            ),
        )
        for part in _split(pairs[: scale.concurrent], scale.workers)
    ]
    for worker in workers:
        worker.start()
    sessions = sum(ready.get(timeout=600) for _ in workers)
    spy = None
    if profile is not None:
        spy = subprocess.Popen(
            [PY_SPY, "record", "--pid", str(helper_server.proc.pid), "--duration",
             str(int(scale.seconds)), "--format", "raw", "--output", str(profile)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    cpu_before = [_cpu_seconds(s.proc.pid) for s in servers]
    load = os.getloadavg()[0]
    go.set()
    collected = [results.get(timeout=scale.seconds + 600) for _ in workers]
    cpu = [round(_cpu_seconds(s.proc.pid) - b, 1) for s, b in zip(servers, cpu_before, strict=True)]
    for worker in workers:
        worker.join(timeout=60)
    if spy is not None:
        spy.wait(timeout=120)
    latencies = sorted(x for c in collected for x in c["latencies"])
    elapsed = max(c["elapsed"] for c in collected)
    failures = [f for c in collected for f in c["failures"]]
    return {
        "sessions": sessions,
        "pairings": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
        "server_cpu_seconds": cpu,
        "seconds": round(elapsed, 1),
        "load_average": round(load, 1),
        "failures": failures,
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


@contextlib.contextmanager
def servers(work: Path, directory: Path, replicas: int) -> Iterator[list[ServerProcess]]:
    env = dict(SERVER_LIMITS)
    redis = None
    if replicas > 1:
        redis = start_redis(work / "redis")
        env["HELPLINE_REDIS_URL"] = redis.url
    data = work / f"data-{replicas}"
    started: list[ServerProcess] = []
    try:
        for _ in range(replicas):
            started.append(start_server(directory, data, env))
        yield started
    finally:
        for server in started:
            server.stop()
        if redis is not None:
            redis.stop()


def run(scale: Scale, work: Path, profile: Path | None) -> dict[str, Any]:
    directory = work / "users.toml"
    helpers = max(scale.idle, scale.concurrent)
    write_directory(directory, helpers=helpers, sharers=scale.concurrent)
    helper_upns = [f"helper-{n}@{DOMAIN}" for n in range(helpers)]
    sharer_upns = [f"sharer-{n}@{DOMAIN}" for n in range(scale.concurrent)]
    results: dict[str, Any] = {"scale": asdict(scale)}
    with servers(work, directory, 1) as (one,):
        helper_tokens = tokens(one, helper_upns)
        results["idle"] = measure_idle(one, helper_tokens, scale)
        pairs = list(zip(helper_tokens, tokens(one, sharer_upns), strict=False))
        results["one"] = measure_pairings(one, one, pairs, scale, [one], profile)
    with servers(work, directory, 2) as (first, second):
        # Every pairing crosses: helpers on the first replica, sharers on the second.
        pairs = list(
            zip(
                tokens(first, helper_upns[: scale.concurrent]),
                tokens(second, sharer_upns),
                strict=True,
            )
        )
        results["two"] = measure_pairings(first, second, pairs, scale, [first, second])
    # Two replicas appended to one SQLite audit all along: the chain must still verify.
    verify = subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "verify", "--data-dir", str(first.data_dir)],
        capture_output=True,
    )
    results["two"]["chain_intact"] = verify.returncode == 0
    return results


def section(results: dict[str, Any], quick: bool) -> str:
    scale, idle, one, two = results["scale"], results["idle"], results["one"], results["two"]
    rows = [
        ("one process", one),
        ("two replicas + Redis (every pairing crosses)", two),
    ]
    table = "\n".join(
        f"| {name} | {r['pairings']} | {r['per_second']} | {r['p50_ms']} | {r['p99_ms']} | "
        f"{' + '.join(str(c) for c in r['server_cpu_seconds'])} |"
        for name, r in rows
    )
    return f"""{HEADING}

`python -m bench.load_bench{" --quick" if quick else ""}` on this 2-core machine (shared with
other work, so figures move by tens of percent between runs). The load generator is
{scale["workers"]} separate processes on the same cores, speaking the real protocol over
websockets with development-identity tokens; the audit is SQLite (WAL) in both setups.

**Idle connections.** {idle["held"]} signed-in helper websockets held by one process:
resident memory {idle["rss_before_mb"]} MB before, {idle["rss_mb"]} MB with them, about
{idle["kb_per_connection"]} KB each (target: 5,000 under 500 MB).

**Pairings** (code issued, redeemed, consented, ended; latency from the code request to the
sharer's `ended`), {scale["concurrent"]} concurrent sessions for {scale["seconds"]:.0f} s
(target: 300 a second with p99 under 100 ms for one process):

| setup | pairings | per second | p50 ms | p99 ms | server CPU s |
| --- | --- | --- | --- | --- | --- |
{table}

Load average during the runs: {one["load_average"]} and {two["load_average"]}. After the
two-replica run, `helpline-signaling audit verify` on their shared audit:
{"intact" if two["chain_intact"] else "BROKEN"}.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile", type=Path, help="py-spy's collapsed stacks of the one-process pairing run"
    )
    parser.add_argument("--idle", type=int, help="idle connections to hold")
    parser.add_argument("--concurrent", type=int, help="sessions paired at once")
    parser.add_argument("--seconds", type=float, help="how long pairings run, per setup")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    for name in ("idle", "concurrent", "seconds"):
        if getattr(args, name) is not None:
            setattr(scale, name, getattr(args, name))
    with tempfile.TemporaryDirectory(prefix="helpline-load-") as work:
        results = run(scale, Path(work), args.profile)
    text = section(results, args.quick)
    write_section(HEADING, text, args.report)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(text)
    failures = results["one"]["failures"] + results["two"]["failures"]
    if failures:
        print("failures:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
