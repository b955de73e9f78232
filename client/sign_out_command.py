"""``helpline-helper sign-out`` and ``helpline-sharer sign-out``: forget the remembered sign-in.

A shared machine, a departing employee or a wrong account: the remembered Entra ID sign-in
must be easy to end, and the next start must ask again.
"""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from client.cli_args import program_version
from client.session.outcome import ExitStatus
from client.settings import AppSettings
from client.signin import SignInError, sign_out


def main(prog: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{prog} sign-out",
        description="Forget the Entra ID sign-in this app remembers for you on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"{prog} {program_version()}")
    parser.parse_args(argv)
    try:
        forgotten = sign_out(AppSettings())
    except (SignInError, ValidationError) as exc:
        print(f"{prog} sign-out: {exc}")
        return ExitStatus.FAILED
    if forgotten:
        print(f"{prog}: signed out ({forgotten} account{'s' if forgotten > 1 else ''} forgotten)")
    else:
        print(f"{prog}: nobody was signed in")
    return ExitStatus.ENDED
