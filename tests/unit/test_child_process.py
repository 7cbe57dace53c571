"""``core.child_process``: the one way Ragtune starts a child process (the parser pool, the checks
of untrusted files and the trainer use it): spawned, Ctrl+C ignored, memory capped, stopped and
killed after a grace period."""

from __future__ import annotations

import os
import signal
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from ragtune.core.child_process import ChildProcess

PACKAGE = Path(__file__).resolve().parents[2] / "desktop" / "ragtune"


def _report(conn: Connection) -> None:
    """Child: say how SIGINT is handled and the address-space cap, then wait to be told to end."""
    limit = -1
    if sys.platform != "win32":
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    conn.send((signal.getsignal(signal.SIGINT) == signal.SIG_IGN, limit, os.getpid()))
    conn.recv()


def _hang(conn: Connection) -> None:
    """Child: ignores everything it is asked and never ends by itself."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn.send("ready")
    while True:
        time.sleep(3600)


@pytest.mark.skipif(sys.platform == "win32", reason="rlimits and SIGINT as on POSIX")
def test_the_child_ignores_ctrl_c_and_is_memory_capped() -> None:
    child = ChildProcess(_report, name="ragtune-test", memory_mb=512, duplex=True)
    conn = child.start()
    ignores_sigint, limit, pid = conn.recv()
    assert ignores_sigint
    assert limit == 512 << 20
    os.kill(pid, signal.SIGINT)  # a terminal's Ctrl+C: the child goes on
    conn.send("end")
    child.stop(10.0)
    assert child.exitcode == 0


def test_a_child_that_will_not_end_is_killed_after_the_grace_period() -> None:
    child = ChildProcess(_hang, name="ragtune-test")
    conn = child.start()
    assert conn.recv() == "ready"
    child.stop(0.5)  # closed pipe and SIGTERM ignored: killed
    assert not child.is_alive()
    assert child.exitcode == -signal.SIGKILL


def test_no_other_module_starts_processes_by_hand() -> None:
    """The parser pool, the file checks and the trainer go through ``ChildProcess``."""
    starters = ("get_context(", ".Process(", "subprocess.Popen(", "os.fork(")
    found = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "child_process.py" and any(s in path.read_text(encoding="utf-8") for s in starters)
    )
    assert found == []
