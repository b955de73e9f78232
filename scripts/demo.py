"""Local demo: a signaling server with the development directory, a sharer and a helper.

Without a display it starts Xvfb and says how to watch. ``--auto`` runs a whole session
through the headless apps instead of the windows, and narrates it. Like a deployment, it
runs over TLS (a local CA made for the demo), the apps pin the server's key, and with
``--relay`` the media goes through a coturn started from ``packaging/coturn``. Ctrl+C stops
everything, quietly: every program runs in its own process group, so the interrupt reaches only this
script, which closes the apps first, then the server, then the display they were drawing on.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from devtools.certificates import issue_server_certificate, make_authority
from devtools.display import XvfbError, start_xvfb
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, PortBusy, ServerStartError, start_server
from devtools.turn_server import start_turn_server

ROOT = Path(__file__).resolve().parent.parent

HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"
DEMO_DEVICE = "DEMO-PC"
# Wide enough for both windows side by side, so screen.png shows the whole story.
SCREEN = (2240, 1000)
# Where each window opens (x, y, width, height): the helper on the left, the sharer right.
PLACES = {"helper_app": (0, 90, 1380, 900), "sharer_app": (1400, 150, 820, 780)}
SCREENSHOT_SECONDS = 2.0


class DemoError(Exception):
    """Something the person running the demo must know; shown as one line."""


def say(text: str) -> None:
    print(f"\033[1m[demo]\033[0m {text}", flush=True)


class Screenshots:
    """Refreshes a PNG of the virtual display, for people who cannot attach a VNC viewer."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import mss
        import mss.tools

        with mss.MSS() as screen:
            while not self._stop.is_set():
                shot = screen.grab(screen.monitors[1])
                mss.tools.to_png(shot.rgb, shot.size, output=str(self._path))
                self._stop.wait(SCREENSHOT_SECONDS)

    def stop(self) -> None:
        """Before the display goes: a grab on a vanished display would complain."""
        self._stop.set()
        self._thread.join(timeout=10)


def start_display(data: Path, *, watchers: bool) -> tuple[subprocess.Popen[bytes] | None, Any]:
    if os.environ.get("DISPLAY"):
        return None, None
    try:
        xvfb, display = start_xvfb(*SCREEN)
    except XvfbError as exc:
        raise DemoError(f"no DISPLAY, and {exc}; ./scripts/demo.sh installs it") from exc
    os.environ["DISPLAY"] = display
    say(f"No display here: started a virtual one, {display} ({SCREEN[0]}x{SCREEN[1]}).")
    if not watchers:
        return xvfb, None
    say(f"To watch it live: x11vnc -display {display} -localhost, then a VNC viewer on :5900.")
    say(f"Or look at {data / 'screen.png'}, refreshed every {SCREENSHOT_SECONDS:.0f} seconds.")
    return xvfb, Screenshots(data / "screen.png")


def make_certificate(data: Path) -> tuple[Path, list[str]]:
    """A local CA and a certificate for 127.0.0.1: the CA file and the server's TLS flags."""
    ca = make_authority(data / "pki", "Helpline Demo CA")
    chain, key = issue_server_certificate(ca, data / "pki")
    say(f"TLS: certificate from a local CA made for the demo ({ca.cert_file}).")
    return ca.cert_file, ["--tls-cert", str(chain), "--tls-key", str(key)]


def start_relay(data: Path) -> tuple[subprocess.Popen[bytes], list[str]]:
    turn = start_turn_server(data / "turn")
    say(f"TURN relay: coturn from packaging/coturn/turnserver.conf on {turn.url}.")
    return turn.proc, ["--turn-url", turn.url, "--turn-secret-file", str(turn.secret_file)]


def server_key(data_dir: Path) -> str:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "server-key", "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def enrol_device(url: str, trust: list[str], data: Path) -> subprocess.Popen[bytes]:
    """Bob's machine as an enrolled device (once), and its agent, in --dry-run: the console's
    actions reach a real agent, which records the command instead of locking this machine."""
    device = data / "device"
    ca = trust[:2]  # the device commands take the CA; the key comes with the enrolment
    if not (device / "enrolment.json").exists():
        subprocess.run(
            [sys.executable, "-m", "sharer_app", "enroll", "--server", url, *ca,
             "--user", SHARER, "--name", DEMO_DEVICE, "--data-dir", str(device)],
            check=True, capture_output=True,
        )  # fmt: skip
    log = (data / "agent.log").open("ab")
    agent = subprocess.Popen(
        [sys.executable, "-m", "sharer_app", "agent", "--server", url, *ca,
         "--data-dir", str(device), "--dry-run"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    say(f"Bob's machine is enrolled as {DEMO_DEVICE}; its agent runs with --dry-run (a lock")
    say(f"from the console is recorded, not done; log in {data / 'agent.log'}).")
    return agent


def run_windows(url: str, trust: list[str], data: Path) -> list[subprocess.Popen[bytes]]:
    device = ["--await-help", "--data-dir", str(data / "device")]
    apps = [
        subprocess.Popen(
            [sys.executable, "-m", module, "--server", url, *trust, "--user", user, *extra],
            start_new_session=True,
            env={
                **os.environ,
                "HELPLINE_WINDOW_GEOMETRY": ",".join(str(n) for n in PLACES[module]),
            },
        )
        for module, user, extra in (("sharer_app", SHARER, device), ("helper_app", HELPER, []))
    ]
    say("Two windows are opening: 'Helpline — Helper' (Alice, IT support) and")
    say(f"'Helpline — Get help' (Bob, who needs help, on {DEMO_DEVICE}).")
    say("1. The helper window shows a security code. Read it out (or copy it).")
    say("2. In the sharer window, type the code and press Connect.")
    say("3. Bob sees Alice's verified identity card: choose 'Allow view only' or full control.")
    say("4. Alice sees Bob's screen. Try Request control, Chat, and the red banner's buttons.")
    say("5. Stop sharing or End session at any time. Close both windows (or Ctrl+C) to quit.")
    say(f"Then in the console: sign in as Alice, open Devices > {DEMO_DEVICE} and press 'Start")
    say("help on this device': Alice's window asks, and Bob's shows her card without a code.")
    return apps


def _next(app: HeadlessApp, name: str, **match: Any) -> dict[str, Any]:
    try:
        return app.wait_for(name, **match)
    except AssertionError:
        errors = [e.get("message", "") for e in app.events if e.get("event") == "error"]
        detail = f": {errors[-1]}" if errors else ""
        raise DemoError(f"{app.proc.args[2]} stopped before '{name}'{detail}") from None


def run_auto(url: str, trust: list[str], apps: list[HeadlessApp]) -> None:
    say("Automatic session through the headless apps (JSON lines on stdin/stdout):")
    helper = HeadlessApp("helper_app", "--server", url, *trust, "--user", HELPER)
    apps.append(helper)
    code = _next(helper, "code")["code"]
    say(f"  helper (Alice) got the security code {code}")
    sharer = HeadlessApp(
        "sharer_app", "--server", url, *trust, "--user", SHARER, "--code", code,
        "--consent", "control",
    )  # fmt: skip
    apps.append(sharer)
    card = _next(sharer, "helper_identity")
    mark = "verified" if card["verified"] else "NOT verified"
    say(f"  sharer (Bob) sees: {card['name']}, {card['job_title']} at {card['company']} ({mark})")
    say(f"  helper is told: consent = {_next(helper, 'consent')['level']}")
    connected = _next(helper, "connected")
    _next(sharer, "connected")
    path = "relayed through the TURN server" if connected.get("relayed") else "direct"
    say(f"  peer-to-peer WebRTC connected ({path})")
    stats = _next(helper, "stats")
    while not stats["frames"]:
        stats = _next(helper, "stats")
    say(f"  helper receives Bob's screen: {stats['width']}x{stats['height']}")
    helper.send("chat", text="Hello Bob, Alice from IT here.")
    say(f"  sharer receives chat: {_next(sharer, 'chat')['text']!r}")
    helper.send("mouse_move", x=0.5, y=0.5)
    say("  helper moved Bob's pointer to the middle of his screen")
    sharer.send("revoke_control")
    _next(helper, "control", granted=False)
    helper.send("mouse_move", x=0.1, y=0.1)
    say(
        f"  after Bob revoked control, input is blocked: {_next(sharer, 'input_blocked')['reason']}"
    )
    sharer.send("end")
    say(f"  session ended: {_next(helper, 'ended')['reason']}")


def announce_console(url: str, ca_file: Path, *, real_display: bool) -> None:
    """Where the organisation's console is, and (on a real desktop) open it."""
    console = f"{url}/console/"
    say(f"The console: {console} (sign in as Dana Auditor for the sessions report, Erin or")
    say("Frank Admin for devices and actions, Alice to start help on a device). The browser")
    say(f"does not know the demo's CA: import {ca_file} or accept its warning once.")
    if real_display and os.environ.get("DISPLAY"):
        webbrowser.open(console)


def _stop(procs: list[subprocess.Popen[Any]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765, help="the server's port (8765)")
    parser.add_argument("--auto", action="store_true", help="run a session headless, narrated")
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / ".helpline-demo", help="logs, keys, audit"
    )
    parser.add_argument("--relay", action="store_true", help="media through a local coturn")
    args = parser.parse_args()
    # Stopped by a signal or by Ctrl+C: either way, take everything down with us. Python
    # leaves SIGINT ignored when it started ignored (a script's background job), so say so.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    data: Path = args.data_dir
    data.mkdir(parents=True, exist_ok=True)
    xvfb = screenshots = server = turn = agent = None
    windows: list[subprocess.Popen[bytes]] = []
    headless: list[HeadlessApp] = []
    status = 0
    try:
        xvfb, screenshots = start_display(data, watchers=not args.auto)
        ca_file, flags = make_certificate(data)
        if args.relay:
            turn, turn_flags = start_relay(data)
            flags += turn_flags
            os.environ["HELPLINE_ICE_POLICY"] = "relay"
        try:
            server = start_server(
                DEV_DIRECTORY,
                data / "server",
                args=flags,
                ca_file=ca_file,
                port=args.port,
                log_path=data / "server.log",
            )
        except PortBusy as exc:
            raise DemoError(
                f"port {args.port} is in use (another demo or server?): stop it, or pass --port"
            ) from exc
        except ServerStartError as exc:
            raise DemoError(f"the server did not start; see {data / 'server.log'}") from exc
        say(f"Signaling server on {server.url} (development identities from {DEV_DIRECTORY.name}).")
        trust = ["--ca-file", str(ca_file), "--server-key", server_key(data / "server")]
        say(f"The apps pin the server's card-signing key: {trust[-1]}.")
        announce_console(server.url, ca_file, real_display=xvfb is None and not args.auto)
        if args.auto:
            run_auto(server.url, trust, headless)
            say(f"Audit log: helpline-signaling audit list --data-dir {data / 'server'}")
        else:
            agent = enrol_device(server.url, trust, data)
            windows = run_windows(server.url, trust, data)
            while all(app.poll() is None for app in windows):
                time.sleep(0.5)
    except KeyboardInterrupt:
        say("Stopping.")
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        status = 1
    finally:
        # A second Ctrl+C must not cut the tidy-up short and leave programs behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop([*windows, *(app.proc for app in headless), *([agent] if agent else [])])
        if server is not None:
            server.stop()
        if turn is not None:
            _stop([turn])
        if screenshots is not None:
            screenshots.stop()
        if xvfb is not None:
            _stop([xvfb])
    return status


if __name__ == "__main__":
    sys.exit(main())
