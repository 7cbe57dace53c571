"""Ctrl+C while ``ragtune index`` works, as a terminal sends it (SIGINT to the whole foreground
process group, the parser child included): the run stops cleanly with the cancelled exit code, no
traceback from the parent or the child, and the library is consistent afterwards."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

from cli_support import ragtune

WORDS = [
    "harbour", "ferry", "keeper", "lantern", "island", "tide", "chart", "anchor", "rope",
    "gull", "signal", "pier", "beacon", "storm", "compass", "harbourmaster", "timetable",
    "cargo", "dock", "crane", "fog", "horn", "channel", "buoy", "current",
]


def _folder_of_documents(folder: Path, files: int = 200, words: int = 1500) -> None:
    """Enough distinct text that embedding it takes far longer than the test waits."""
    folder.mkdir()
    rng = random.Random(7)
    for i in range(files):
        text = " ".join(rng.choice(WORDS) for _ in range(words))
        (folder / f"log-{i:03d}.txt").write_text(f"Report {i}. {text}.\n")


def test_ctrl_c_while_indexing_cancels_cleanly(tmp_path: Path) -> None:
    _folder_of_documents(tmp_path / "reports")
    run = subprocess.Popen(
        [sys.executable, "-m", "ragtune", "index", str(tmp_path / "reports"), "-l", "reports"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert run.stderr is not None
    seen: list[str] = []
    for line in run.stderr:  # the progress lines (not a TTY: one every few seconds)
        seen.append(line)
        counted = re.search(r"\] (\d+)/\d+ files", line)
        if counted and int(counted[1]) > 0:  # documents are being written: the parser child runs
            break
    else:
        raise AssertionError(f"indexing never showed progress: {''.join(seen)}")
    os.killpg(run.pid, signal.SIGINT)  # Ctrl+C: the parent and the parser child get it
    out, err = run.communicate(timeout=120)
    err = "".join(seen) + err
    assert run.returncode == 130, out + err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert "Cancelled. The library is consistent" in out

    doctor = ragtune("doctor")
    assert "OK: the library database is consistent." in doctor.stdout
    listed = re.search(r"reports: (\d+) documents", ragtune("libraries").stdout)
    assert listed
    assert 0 < int(listed[1]) < 200
