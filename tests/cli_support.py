"""Running the ``ragtune`` command as a user does: a real process, this test's environment, no stdin."""

from __future__ import annotations

import os
import subprocess
import sys


def ragtune(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m ragtune ARGS``; with ``check`` the exit code must be 0 (its output is the message)."""
    result = subprocess.run(
        [sys.executable, "-m", "ragtune", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result
