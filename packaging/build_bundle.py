"""Build the bundled Linux app from the working tree: PyInstaller (``packaging/ragtune.spec``), then
a tarball ``dist/ragtune-<version>-linux-x86_64.tar.gz`` holding the one-folder app (``app/``), a
launcher script ``ragtune``, the desktop entry and the icon. Extract it anywhere and run
``./ragtune``; ``./ragtune --install-desktop-entry`` adds it to the desktop's application menu.

    .venv/bin/pip install -r packaging/requirements-bundle.txt   # PyInstaller, build-time only
    .venv/bin/python packaging/build_bundle.py [--skip-pyinstaller] [--dist dist]

Prints the tarball's size and the unpacked size. On macOS and Windows run
``pyinstaller packaging/ragtune.spec`` instead (no tarball; see packaging/README.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "ragtune.spec"
WORK = ROOT / "build" / "pyinstaller"
ONEDIR_PARENT = ROOT / "build" / "bundle"
STAGE_PARENT = ROOT / "build" / "stage"

LAUNCHER = """#!/bin/sh
# Ragtune launcher: runs the bundled app next to this script (arguments go to ragtune: none opens
# the window, a command runs the CLI). --install-desktop-entry adds Ragtune to the application menu.
HERE="$(dirname "$(readlink -f "$0")")"
if [ "$1" = "--install-desktop-entry" ]; then
    apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
    icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
    mkdir -p "$apps" "$icons"
    cp "$HERE/ragtune.svg" "$icons/ragtune.svg"
    sed "s|^Exec=.*|Exec=\\"$HERE/ragtune\\"|" "$HERE/ragtune.desktop" > "$apps/ragtune.desktop"
    echo "Added $apps/ragtune.desktop (it starts $HERE/ragtune)."
    exit 0
fi
exec "$HERE/app/ragtune" "$@"
"""


def version() -> str:
    text = (ROOT / "desktop" / "ragtune" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__ = "([^"]+)"', text)
    if match is None:
        raise SystemExit("no __version__ in desktop/ragtune/__init__.py")
    return match[1]


def bundle_name() -> str:
    return f"ragtune-{version()}-linux-x86_64"


def tree_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links not followed)."""
    return sum(
        p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
    )


def run_pyinstaller() -> Path:
    """Run PyInstaller on the spec; returns the one-folder app (``build/bundle/ragtune``)."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit(
            "PyInstaller is not installed: .venv/bin/pip install -r packaging/requirements-bundle.txt"
        )
    command = [
        sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
        "--workpath", str(WORK), "--distpath", str(ONEDIR_PARENT),
    ]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    return ONEDIR_PARENT / "ragtune"


def stage(onedir: Path, parent: Path = STAGE_PARENT) -> Path:
    """The tarball's top folder: ``app/`` (the one-folder app), launcher, desktop entry, icon."""
    top = parent / bundle_name()
    if top.exists():
        shutil.rmtree(top)
    top.mkdir(parents=True)
    shutil.copytree(onedir, top / "app", symlinks=True)
    launcher = top / "ragtune"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    launcher.chmod(0o755)
    shutil.copyfile(ROOT / "packaging" / "ragtune.desktop", top / "ragtune.desktop")
    shutil.copyfile(ROOT / "resources" / "icons" / "ragtune.svg", top / "ragtune.svg")
    return top


def make_tarball(top: Path, dist: Path) -> Path:
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"{top.name}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(top, arcname=top.name)
    os.replace(partial, target)
    return target


def build(dist: Path, skip_pyinstaller: bool = False) -> Path:
    """Build (or, with ``skip_pyinstaller``, re-package the last build) and return the tarball."""
    if not sys.platform.startswith("linux"):
        raise SystemExit("The tarball is for Linux; elsewhere run: pyinstaller packaging/ragtune.spec")
    started = time.monotonic()
    onedir = ONEDIR_PARENT / "ragtune" if skip_pyinstaller else run_pyinstaller()
    if not (onedir / "ragtune").is_file():
        raise SystemExit(f"no built app in {onedir}: run without --skip-pyinstaller")
    top = stage(onedir)
    tarball = make_tarball(top, dist)
    mib = 1024 * 1024
    print(
        f"{tarball}: {tarball.stat().st_size / mib:.0f} MiB "
        f"({tree_size(top) / mib:.0f} MiB unpacked), built in {time.monotonic() - started:.0f} s"
    )
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the tarball goes")
    parser.add_argument(
        "--skip-pyinstaller", action="store_true", help="re-package the last PyInstaller output"
    )
    args = parser.parse_args(argv)
    build(args.dist, args.skip_pyinstaller)
    return 0


if __name__ == "__main__":
    sys.exit(main())
