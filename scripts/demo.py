"""Local demo: a signaling server with the development directory, a sharer and a helper.

Without a display it starts Xvfb and says how to watch. ``--auto`` runs a whole session
through the headless apps instead of the windows, and narrates it. Like a deployment, it
runs over TLS (a local CA made for the demo), the apps pin the server's key, and with
``--relay`` the media goes through a coturn started from ``packaging/coturn``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / "packaging" / "dev-identity.toml"
DATA = ROOT / ".helpline-demo"
HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"


def say(text: str) -> None:
    print(f"\033[1m[demo]\033[0m {text}", flush=True)


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def start_display() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("demo: no DISPLAY and no Xvfb; run ./scripts/demo.sh, which installs it")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x900x24", "-noreset"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = f":{pipe.readline().strip()}"
    os.environ["DISPLAY"] = display
    say(f"No display here: started a virtual one, {display} (1600x900).")
    say(f"To watch it live: x11vnc -display {display} -localhost, then a VNC viewer on :5900.")
    say(f"Or look at {DATA / 'screen.png'}, refreshed every 2 seconds.")
    threading.Thread(target=_screenshots, daemon=True).start()
    return xvfb


def _screenshots() -> None:
    import mss
    import mss.tools

    with mss.MSS() as screen:
        while True:
            shot = screen.grab(screen.monitors[1])
            mss.tools.to_png(shot.rgb, shot.size, output=str(DATA / "screen.png"))
            time.sleep(2)


def make_certificate() -> tuple[Path, list[str]]:
    """A local CA and a certificate for 127.0.0.1: the CA file and the server's TLS flags."""
    from signaling.dev_tls import issue_server_certificate, make_authority

    ca = make_authority(DATA / "pki", "Helpline Demo CA")
    chain, key = issue_server_certificate(ca, DATA / "pki")
    say(f"TLS: certificate from a local CA made for the demo ({ca.cert_file}).")
    return ca.cert_file, ["--tls-cert", str(chain), "--tls-key", str(key)]


def start_relay() -> tuple[subprocess.Popen[bytes], list[str]]:
    from signaling.dev_turn import start_turn_server

    turn = start_turn_server(DATA / "turn")
    say(f"TURN relay: coturn from packaging/coturn/turnserver.conf on {turn.url}.")
    return turn.proc, ["--turn-url", turn.url, "--turn-secret-file", str(turn.secret_file)]


def server_key() -> str:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "server-key", "--data-dir", str(DATA / "server")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def start_server(port: int, flags: list[str], ca_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    url = f"https://127.0.0.1:{port}"
    trust = ssl.create_default_context(cafile=str(ca_file))
    log = (DATA / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "signaling",
            "--port",
            str(port),
            "--data-dir",
            str(DATA / "server"),
            "--dev-identity",
            str(DIRECTORY),
            *flags,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        if server.poll() is not None:
            sys.exit(f"demo: the server did not start; see {DATA / 'server.log'}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1, context=trust):  # noqa: S310
                break
        except OSError:
            time.sleep(0.2)
    say(f"Signaling server on {url} (development identities from {DIRECTORY.name}).")
    return server, url


def run_windows(url: str, trust: list[str]) -> list[subprocess.Popen[bytes]]:
    common = ["--server", url, *trust]
    apps = [
        subprocess.Popen([sys.executable, "-m", "sharer_app", *common, "--user", SHARER]),
        subprocess.Popen([sys.executable, "-m", "helper_app", *common, "--user", HELPER]),
    ]
    say("Two windows are opening: 'Helpline — Helper' (Alice, IT support) and")
    say("'Helpline — Get help' (Bob, who needs help).")
    say("1. The helper window shows a security code. Read it out (or copy it).")
    say("2. In the sharer window, type the code and press Connect.")
    say("3. Bob sees Alice's verified identity card: choose 'Allow view only' or full control.")
    say("4. Alice sees Bob's screen. Try Request control, Chat, and the red banner's buttons.")
    say("5. Stop sharing or End session at any time. Close both windows (or Ctrl+C) to quit.")
    return apps


class Headless:
    def __init__(self, module: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "--headless", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def send(self, **command: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def until(self, name: str) -> dict[str, object]:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            if event["event"] == name:
                return event
            if event["event"] == "error":
                say(f"  ({self.proc.args[2]} error: {event['message']})")
        raise SystemExit(f"demo: {self.proc.args[2]} stopped before {name}")


def run_auto(url: str, trust: list[str]) -> None:
    say("Automatic session through the headless apps (JSON lines on stdin/stdout):")
    helper = Headless("helper_app", "--server", url, *trust, "--user", HELPER)
    code = helper.until("code")["code"]
    say(f"  helper (Alice) got the security code {code}")
    sharer = Headless("sharer_app", "--server", url, *trust, "--user", SHARER,
                      "--code", str(code), "--consent", "control")  # fmt: skip
    card = sharer.until("helper_identity")
    mark = "verified" if card["verified"] else "NOT verified"
    say(f"  sharer (Bob) sees: {card['name']}, {card['job_title']} at {card['company']} ({mark})")
    say(f"  helper is told: consent = {helper.until('consent')['level']}")
    connected = helper.until("connected")
    sharer.until("connected")
    path = "relayed through the TURN server" if connected.get("relayed") else "direct"
    say(f"  peer-to-peer WebRTC connected ({path})")
    stats = helper.until("stats")
    while not stats["frames"]:
        stats = helper.until("stats")
    say(f"  helper receives Bob's screen: {stats['width']}x{stats['height']}")
    helper.send(cmd="chat", text="Hello Bob, Alice from IT here.")
    say(f"  sharer receives chat: {sharer.until('chat')['text']!r}")
    helper.send(cmd="mouse_move", x=0.5, y=0.5)
    say("  helper moved Bob's pointer to the middle of his screen")
    sharer.send(cmd="revoke_control")
    helper.until("control")
    helper.send(cmd="mouse_move", x=0.1, y=0.1)
    say(f"  after Bob revoked control, input is blocked: {sharer.until('input_blocked')['reason']}")
    sharer.send(cmd="end")
    say(f"  session ended: {helper.until('ended')['reason']}")
    for app in (helper, sharer):
        app.proc.wait(timeout=15)
    say(f"Audit log: {sys.executable} -m signaling audit list --data-dir {DATA / 'server'}")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--auto", action="store_true", help="run a session headless, narrated")
    parser.add_argument("--relay", action="store_true", help="media through a local coturn")
    args = parser.parse_args()
    # Stopped by a signal or by Ctrl+C: either way, take everything down with us.
    signal.signal(signal.SIGTERM, _interrupt)
    DATA.mkdir(exist_ok=True)
    xvfb = start_display()
    ca_file, flags = make_certificate()
    helpers: list[subprocess.Popen[bytes]] = []
    if args.relay:
        turn, turn_flags = start_relay()
        helpers.append(turn)
        flags += turn_flags
        os.environ["HELPLINE_ICE_POLICY"] = "relay"
    server, url = start_server(free_port(args.port), flags, ca_file)
    trust = ["--ca-file", str(ca_file), "--server-key", server_key()]
    say(f"The apps pin the server's card-signing key: {trust[-1]}.")
    apps: list[subprocess.Popen[bytes]] = []
    try:
        if args.auto:
            run_auto(url, trust)
        else:
            apps = run_windows(url, trust)
            while all(app.poll() is None for app in apps):
                time.sleep(0.5)
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        for proc in [*apps, server, *helpers, *([xvfb] if xvfb else [])]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
