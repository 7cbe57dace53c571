"""Build the bundled app on this system (Linux, macOS or Windows) and check its first start offline:
the same self-check as ``check_bundle.py`` (``RAGTUNE_SELF_CHECK``: window shown, sample library
indexed, a suggested question answered with a citation, judged by ``check_bundle.verdict``), run by
the CI workflow ``.github/workflows/bundles.yml`` on GitHub's macOS and Windows runners.

    python packaging/check_bundle_any.py [--skip-pyinstaller] [--out build/check] [--timeout 1800]

Differences from the Linux check, which needs Xvfb, xdotool and ``unshare``: the window is drawn
offscreen (``QT_QPA_PLATFORM=offscreen``: a CI runner may have no desktop session), the user's
folders are replaced by ``RAGTUNE_HOME`` (platformdirs asks Windows itself for AppData, ignoring the
environment), and the network is closed to Python only (``HF_HUB_OFFLINE=1`` and every proxy
pointing at a closed port: any HTTP request the app made would fail and show up in the report).
Writes ``check.json`` and the app's report, window picture and log to ``--out``, and a zip of the
app to ``dist/`` (the workflow's artifact); exits 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_bundle  # the sibling scripts
import check_bundle

CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # nothing listens on port 9 (discard)


def app_executable(dist: Path, platform: str) -> Path:
    """The windowed program PyInstaller made under ``dist`` for ``platform``."""
    if platform == "darwin":
        return dist / "Ragtune.app" / "Contents" / "MacOS" / "ragtune"
    return dist / "ragtune" / ("ragtune.exe" if platform == "win32" else "ragtune")


def archive_name(platform: str, machine: str) -> str:
    system = {"darwin": "macos", "win32": "windows"}.get(platform, "linux")
    return f"ragtune-{build_bundle.version()}-{system}-{(machine or 'unknown').lower()}"


def clean_env(home: Path, report: Path, timeout_s: float, platform: str) -> dict[str, str]:
    """The app's environment: its own empty home, offscreen, offline, told to check itself. On
    Windows the system's own variables stay (a program does not start without ``SystemRoot``)."""
    keep = ("SystemRoot", "SYSTEMROOT", "windir", "COMSPEC", "PATHEXT", "NUMBER_OF_PROCESSORS",
            "PROCESSOR_ARCHITECTURE") if platform == "win32" else ()
    env = {name: os.environ[name] for name in keep if name in os.environ}
    temp = home / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    env.update({
        "RAGTUNE_HOME": str(home / "ragtune"), "HOME": str(home), "USERPROFILE": str(home),
        "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp),
        "PATH": os.environ.get("SYSTEMROOT", r"C:\Windows") + r"\System32" if platform == "win32" else "/usr/bin:/bin",
        "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
        "HTTP_PROXY": CLOSED_PORT_PROXY, "HTTPS_PROXY": CLOSED_PORT_PROXY, "ALL_PROXY": CLOSED_PORT_PROXY,
        "http_proxy": CLOSED_PORT_PROXY, "https_proxy": CLOSED_PORT_PROXY, "NO_PROXY": "", "no_proxy": "",
        "RAGTUNE_SELF_CHECK": str(report), "RAGTUNE_SELF_CHECK_LINGER": "1",
        "RAGTUNE_SELF_CHECK_TIMEOUT": str(timeout_s),
    })
    return env


def run_app(program: Path, out: Path, timeout_s: float) -> dict[str, Any]:
    """Start the app once with an empty home and wait for it to exit (the self-check quits it)."""
    report = out / "report.json"
    report.unlink(missing_ok=True)  # never judge an earlier run's report
    # a space in the name, as in "Program Files"; a child still holding a file on Windows must not
    # stop the check from writing its verdict
    with tempfile.TemporaryDirectory(prefix="ragtune check ", ignore_cleanup_errors=True) as folder:
        env = clean_env(Path(folder), report, timeout_s, sys.platform)
        started = time.monotonic()
        with (out / "app-output.txt").open("wb") as output:
            app = subprocess.Popen([str(program)], env=env, stdout=output, stderr=subprocess.STDOUT, cwd=folder)
            try:
                code: int | None = app.wait(timeout=timeout_s + 60)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(timeout=60)
                code = None
        log = Path(env["RAGTUNE_HOME"])
        for found in log.rglob("ragtune.log"):
            shutil.copyfile(found, out / "ragtune.log")
        return {"exit_code": code, "seconds_to_exit": round(time.monotonic() - started, 2),
                "home_bytes_after_first_start": build_bundle.tree_size(Path(folder))}


def zip_app(top: Path, stem: Path) -> Path:
    """``top`` (the .app, or the app's folder) zipped as ``stem.zip``. On macOS with ``ditto``, which
    keeps the symbolic links of Qt's frameworks and PyInstaller's .app layout (a plain zip turns
    them into copies or empty folders, and the unzipped app no longer starts)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    target = stem.with_name(stem.name + ".zip")
    if sys.platform == "darwin":
        subprocess.run(["ditto", "-c", "-k", "--keepParent", str(top), str(target)], check=True)
        return target
    return Path(shutil.make_archive(str(stem), "zip", root_dir=top.parent, base_dir=top.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-pyinstaller", action="store_true", help="check the last PyInstaller output")
    parser.add_argument("--out", type=Path, default=build_bundle.ROOT / "build" / "check")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for the whole start")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not args.skip_pyinstaller:
        build_bundle.run_pyinstaller()
    build_s = round(time.monotonic() - started, 1)
    program = app_executable(build_bundle.ONEDIR_PARENT, sys.platform)
    if not program.is_file():
        raise SystemExit(f"no built app at {program}")
    result: dict[str, Any] = {"platform": sys.platform, "build_seconds": build_s, "program": str(program),
                              "network": "HF_HUB_OFFLINE=1 and proxies to a closed port (not cut at the OS)"}
    result.update(run_app(program, out, args.timeout))
    report = check_bundle.read_report(out / "report.json")
    result["report"] = report
    result["problems"] = check_bundle.verdict(report, result["exit_code"])
    result["ok"] = not result["problems"]
    top = program.parents[2] if sys.platform == "darwin" else program.parent
    result["archive"] = str(zip_app(top, build_bundle.ROOT / "dist" / archive_name(sys.platform, platform.machine())))
    (out / "check.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "report"}, indent=2, ensure_ascii=False))
    print("PASS" if result["ok"] else "FAIL: " + "; ".join(result["problems"]))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
