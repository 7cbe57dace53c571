"""``core.sandbox.run_isolated``: a function on untrusted input runs in a child process; its result
or its own error comes back, and a memory blow-up, a hang or a crash becomes one plain sentence."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from ragtune.core import sandbox
from ragtune.core.sandbox import run_isolated
from ragtune.errors import AdapterError, ModelError


def pid_and_sum(values: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def hog_memory() -> int:
    blocks = [bytearray(64 << 20) for _ in range(64)]  # 4 GB, a page written in each block
    for block in blocks:
        block[0] = 1
    return len(blocks)


def spin() -> None:
    while True:
        pass


def hang_in_native_code() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as if stuck in C: no handler runs
    time.sleep(600)


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def refuse() -> None:
    raise AdapterError("evil.gguf is not a usable adapter: it says so")


def test_result_comes_back_from_a_child() -> None:
    pid, total = run_isolated(pid_and_sum, [1, 2, 3], what="adding")
    assert total == 6
    assert pid != os.getpid()


def test_memory_blow_up_is_stopped_in_the_child() -> None:
    before = psutil.Process().memory_info().rss
    with pytest.raises(ModelError) as caught:
        run_isolated(hog_memory, what="checking big.gguf", error=ModelError, hint="corrupt?", memory_mb=512)
    assert str(caught.value) == "checking big.gguf needed more than 512 MB of memory and was stopped: corrupt?"
    assert psutil.Process().memory_info().rss - before < 64 << 20


def test_python_loop_is_stopped_at_the_time_limit() -> None:
    with pytest.raises(ModelError, match=r"^checking slow.gguf took longer than 1 s and was stopped$"):
        run_isolated(spin, what="checking slow.gguf", error=ModelError, timeout_s=1)


def test_hang_in_native_code_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "STARTUP_S", 2.0)
    with pytest.raises(ModelError, match="took longer than 1 s and was stopped"):
        run_isolated(hang_in_native_code, what="checking stuck.gguf", error=ModelError, timeout_s=1)


def test_crash_is_reported_with_its_signal() -> None:
    with pytest.raises(AdapterError, match=r"checking x.gguf crashed \(the checker was killed by SIGSEGV\)"):
        run_isolated(segfault, what="checking x.gguf", error=AdapterError)


def test_the_childs_own_error_comes_back_as_raised() -> None:
    with pytest.raises(AdapterError, match=r"^evil.gguf is not a usable adapter: it says so$"):
        run_isolated(refuse, what="checking evil.gguf", error=ModelError)


def sigint_is_ignored() -> bool:
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_child_ignores_ctrl_c_and_the_parent_keeps_its_handler() -> None:
    # Ctrl+C reaches the whole process group; only the parent acts on it
    parent_handler = signal.getsignal(signal.SIGINT)
    assert run_isolated(sigint_is_ignored, what="checking") is True
    assert signal.getsignal(signal.SIGINT) is parent_handler
