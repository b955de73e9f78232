"""Build Helpline's Debian packages from the PyInstaller bundles in ``dist/``.

    python packaging/deb/build_debs.py [--dist dist] [--config packaging/helpline.toml]

Packages (``dpkg-deb``, no debhelper: the bundles are already built):

- ``helpline-config``: the organisation's ``helpline.toml`` in ``/etc/xdg/helpline/`` (a
  conffile), which both apps read without flags. Build with ``--config`` to bake in yours.
- ``helpline-helper``: the helper app, its menu entry and icon.
- ``helpline-sharer``: the sharer app, its menu entry and icon, and the device agent's system
  unit. The agent runs as the dedicated user ``helpline-agent``; polkit rules let that user,
  and no one else through it, reboot, lock the sessions and set the host name, which are all
  that restart, lock and rename need on Linux (wipe and fresh start are not offered there).
  Running it as root with sandboxing would also work, but a root agent that a flaw turned
  would own the machine; this one can only do the three things it exists for.
- ``helpline-signaling``: the server, its unit, its user and its data folder, from
  ``packaging/systemd/``.

Each bundle lives in ``/usr/lib/<name>/`` with ``/usr/bin/<name>`` pointing into it.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from email.utils import formatdate
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MAINTAINER = "Helpline developers <helpline@example.org>"
HOMEPAGE = "https://github.com/helpline/helpline"
PT_LOAD = 1  # an ELF program header's type for a segment mapped into memory


@dataclass
class Package:
    name: str
    summary: str
    description: str
    bundle: str | None = None
    depends: list[str] = field(default_factory=list)
    files: dict[str, Path | str] = field(default_factory=dict)  # target -> source or text
    conffiles: list[str] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)
    architecture: str = "amd64"
    gpl: bool = False


def _glibc() -> str:
    return subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "libc6"], check=True, capture_output=True, text=True
    ).stdout.split("-")[0]


def _architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _desktop_entry(name: str, title: str, comment: str) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={title}\n"
        f"Comment={comment}\n"
        f"Exec={name}\n"
        f"Icon={name}\n"
        "Terminal=false\n"
        "Categories=Network;RemoteAccess;\n"
        "Keywords=remote;help;support;screen;share;\n"
    )


def _copyright(gpl: bool) -> str:
    text = (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: helpline\n"
        f"Source: {HOMEPAGE}\n\n"
        "Files: *\n"
        "Copyright: 2026 Helpline developers\n"
        "License: Apache-2.0\n"
        " On Debian systems, the full text of the Apache License version 2.0 can be found\n"
        " in /usr/share/common-licenses/Apache-2.0.\n"
    )
    if gpl:
        text += (
            "\nFiles: usr/lib/*/_internal/av.libs/* usr/lib/*/_internal/av/*\n"
            "Copyright: FFmpeg developers, x264 developers\n"
            "License: GPL-2+\n"
            " PyAV's FFmpeg is built with libx264, so this package is distributed under the\n"
            " GPL version 2 or later. On Debian systems, the full text of the GPL version 2\n"
            " can be found in /usr/share/common-licenses/GPL-2. Every bundled component's\n"
            " notice is in /usr/share/doc/PACKAGE/THIRD-PARTY-NOTICES.txt.gz.\n"
        )
    return text


def _changelog(name: str, version: str) -> bytes:
    entry = (
        f"{name} ({version}) unstable; urgency=medium\n\n"
        "  * Release built from the Helpline source tree.\n\n"
        f" -- {MAINTAINER}  {formatdate(localtime=False, usegmt=False)}\n"
    )
    return gzip.compress(entry.encode(), compresslevel=9, mtime=0)


def _man_page(name: str, summary: str) -> bytes:
    page = (
        f'.TH {name.upper()} 1 "" "Helpline" "User Commands"\n'
        f".SH NAME\n{name} \\- {summary}\n"
        f".SH SYNOPSIS\n.B {name}\n[\\fIOPTIONS\\fR]\n"
        f".SH DESCRIPTION\nRun\n.B {name} --help\nfor the options. The README at "
        f"{HOMEPAGE} is the user guide.\n"
    )
    return gzip.compress(page.encode(), compresslevel=9, mtime=0)


def _prerm(unit: str) -> str:
    return (HERE / "service.prerm").read_text().replace("@UNIT@", unit)


def _packages(dist: Path, config: Path) -> list[Package]:
    systemd = ROOT / "packaging" / "systemd"
    icons = ROOT / "desktop_widgets" / "icons"
    server_unit = (systemd / "helpline-signaling.service").read_text()
    server_unit = server_unit.replace(
        "/opt/helpline/bin/helpline-signaling", "/usr/bin/helpline-signaling"
    )
    apps = []
    for app, title, comment in (
        (
            "helpline-helper",
            "Helpline Helper",
            "Help someone with their screen, with their consent",
        ),
        ("helpline-sharer", "Helpline", "Let a verified support agent see or control your screen"),
    ):
        apps.append(
            Package(
                name=app,
                summary=comment.lower(),
                description=(
                    "Helpline is open, self-hostable remote help with verified identity,\n"
                    "consent and an honest audit."
                ),
                bundle=app,
                depends=[
                    "helpline-config",
                    "libxcb-cursor0",
                    "libegl1",
                    "libgl1",
                    "libfontconfig1",
                    "sensible-utils",  # the bundled libmount names sensible-pager
                ],
                files={
                    f"usr/share/applications/{app}.desktop": _desktop_entry(app, title, comment),
                    f"usr/share/icons/hicolor/scalable/apps/{app}.svg": icons / f"{app}.svg",
                },
                gpl=True,
            )
        )
    sharer = apps[1]
    sharer.files["lib/systemd/system/helpline-agent.service"] = HERE / "helpline-agent.service"
    sharer.files["usr/share/polkit-1/rules.d/50-helpline-agent.rules"] = (
        HERE / "helpline-agent.rules"
    )
    sharer.files["usr/share/icons/hicolor/scalable/apps/helpline-tray.svg"] = (
        icons / "helpline-tray.svg"
    )
    sharer.depends += ["adduser", "polkitd | policykit-1"]
    sharer.scripts = {
        "postinst": (HERE / "sharer.postinst").read_text(),
        "prerm": _prerm("helpline-agent.service"),
        "postrm": (HERE / "agent.postrm").read_text(),
    }
    server = Package(
        name="helpline-signaling",
        summary="Helpline signaling server",
        description=(
            "Pairs Helpline's helper and sharer apps, verifies identity, relays WebRTC\n"
            "signaling and keeps the audit."
        ),
        bundle="helpline-signaling",
        depends=["adduser"],
        files={
            "lib/systemd/system/helpline-signaling.service": server_unit,
            "etc/helpline/signaling.env": systemd / "helpline-signaling.env",
        },
        conffiles=["/etc/helpline/signaling.env"],
        scripts={
            "postinst": (HERE / "signaling.postinst").read_text(),
            "prerm": _prerm("helpline-signaling.service"),
            "postrm": (HERE / "signaling.postrm").read_text(),
        },
    )
    config_package = Package(
        name="helpline-config",
        summary="organisation settings for the Helpline apps",
        description=(
            "The organisation's helpline.toml: its server, CA, pinned card-signing key\n"
            "and Entra ID settings, read by the apps without flags."
        ),
        files={"etc/xdg/helpline/helpline.toml": config},
        conffiles=["/etc/xdg/helpline/helpline.toml"],
        architecture="all",
    )
    return [config_package, *apps, server]


def _write(target: Path, source: Path | str, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copyfile(source, target)
    else:
        target.write_text(source)
    target.chmod(mode)


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _tidy_libraries(bundle: Path) -> list[Path]:
    """What Debian asks of shared libraries: stripped, not executable, no RUNPATH into the
    build machine (the interpreter's libraries were linked against /root/.pyenv/...). The
    bundle's own executable is left whole: PyInstaller appends its archive to it. Returns
    the libraries kept unstripped."""
    kept = []
    for path in bundle.rglob("*.so*"):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        if not _strip(path):
            kept.append(path)
        path.chmod(0o644)  # after strip: its output is a new, executable file
        runpath = subprocess.run(
            ["patchelf", "--print-rpath", str(path)], capture_output=True, text=True
        ).stdout.strip()
        if runpath.startswith("/"):
            subprocess.run(["patchelf", "--remove-rpath", str(path)], check=True)
    return kept


def _strip(path: Path) -> bool:
    """Strip a library unless that would break it. A library whose RPATH auditwheel set with
    patchelf (numpy's OpenBLAS) comes out of ``strip`` with segments the loader refuses ("ELF
    load command address/offset not page-aligned"): the installed sharer then died at its
    first ``import numpy``. Such a library is shipped as the wheel had it."""
    stripped = path.with_name(path.name + ".stripped")
    subprocess.run(["strip", "--strip-unneeded", str(path), "-o", str(stripped)], check=True)
    if _loadable(stripped):
        stripped.replace(path)
        return True
    stripped.unlink()
    print(f"kept unstripped (strip would misalign its segments): {path.name}")
    return False


def _loadable(path: Path) -> bool:
    """Every loadable segment of a 64-bit ELF file sits at a file offset congruent to its
    address modulo its alignment, as the dynamic loader requires."""
    data = path.read_bytes()
    if data[4] != 2 or data[5] != 1:  # not ELFCLASS64 little-endian: nothing to check here
        return True
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, offset, vaddr, _, _, _, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD and align > 1 and offset % align != vaddr % align:
            return False
    return True


def _overrides(name: str, unstripped: list[str]) -> str:
    """What lintian reports of any self-contained bundle, and why it stays."""
    kept = "".join(f"{name}: unstripped-binary-or-object [{path}]\n" for path in unstripped)
    return (
        "# Stripping these would misalign their segments (see _strip): kept as the wheel had\n"
        "# them.\n"
        f"{kept}"
        "# The bundle carries its own Python and libraries (PyInstaller), so that the app\n"
        "# runs the versions it was tested with; the Python extension modules link what\n"
        "# they need statically or through the interpreter.\n"
        f"{name}: embedded-library\n"
        f"{name}: library-not-linked-against-libc\n"
        f"{name}: shared-library-lacks-prerequisites\n"
        "# The bootloader is PyInstaller's prebuilt one.\n"
        f"{name}: hardening-no-pie\n"
    )


def _installed_size(tree: Path) -> int:
    total = sum(p.lstat().st_size for p in tree.rglob("*") if not p.is_symlink() and p.is_file())
    return max(1, total // 1024)


def build(package: Package, dist: Path, version: str, out: Path, notices: Path) -> Path:
    tree = out / "deb-trees" / package.name
    if tree.exists():
        shutil.rmtree(tree)
    if package.bundle:
        shutil.copytree(dist / package.bundle, tree / "usr" / "lib" / package.name, symlinks=True)
        kept = _tidy_libraries(tree / "usr" / "lib" / package.name)
        overrides = tree / "usr" / "share" / "lintian" / "overrides" / package.name
        _write(overrides, _overrides(package.name, [str(p.relative_to(tree)) for p in kept]))
        (tree / "usr" / "bin").mkdir(parents=True)
        os.symlink(f"../lib/{package.name}/{package.bundle}", tree / "usr" / "bin" / package.name)
        man = tree / "usr" / "share" / "man" / "man1" / f"{package.name}.1.gz"
        man.parent.mkdir(parents=True)
        man.write_bytes(_man_page(package.name, package.summary))
    for target, source in package.files.items():
        _write(tree / target, source)
    doc = tree / "usr" / "share" / "doc" / package.name
    if package.bundle:
        # The interpreter in the bundle was linked against the build machine's glibc.
        package.depends = [f"libc6 (>= {_glibc()})", *package.depends]
    _write(doc / "copyright", _copyright(package.gpl))
    (doc / "changelog.gz").write_bytes(_changelog(package.name, version))
    if package.bundle and notices.exists():
        (doc / "THIRD-PARTY-NOTICES.txt.gz").write_bytes(
            gzip.compress(notices.read_bytes(), compresslevel=9, mtime=0)
        )
    control_dir = tree / "DEBIAN"
    control_dir.mkdir()
    arch = package.architecture if package.architecture == "all" else _architecture()
    control = [
        f"Package: {package.name}",
        f"Version: {version}",
        f"Architecture: {arch}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {_installed_size(tree)}",
        *([f"Depends: {', '.join(package.depends)}"] if package.depends else []),
        "Section: net",
        "Priority: optional",
        f"Homepage: {HOMEPAGE}",
        f"Description: {package.summary}",
        *(f" {line}" if line else " ." for line in package.description.splitlines()),
    ]
    _write(control_dir / "control", "\n".join(control) + "\n")
    if package.conffiles:
        _write(control_dir / "conffiles", "\n".join(package.conffiles) + "\n")
    for script, text in package.scripts.items():
        _write(control_dir / script, text, 0o755)
    deb = out / f"{package.name}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "-z1", "--build", str(tree), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return deb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--config", type=Path, default=ROOT / "packaging" / "helpline.toml")
    parser.add_argument("--notices", type=Path, default=ROOT / "build" / "THIRD-PARTY-NOTICES.txt")
    args = parser.parse_args(argv)
    version = metadata.version("helpline")
    for package in _packages(args.dist, args.config):
        if package.bundle and not (args.dist / package.bundle).is_dir():
            print(
                f"build_debs: no bundle {args.dist / package.bundle}; run scripts/build.sh",
                file=sys.stderr,
            )
            return 1
        print(build(package, args.dist, version, args.dist, args.notices))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
