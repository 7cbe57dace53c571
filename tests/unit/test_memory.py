"""Returning freed memory to the system: the helper runs here and says whether memory went back; on
Linux with glibc it reaches the real ``malloc_trim``."""

from __future__ import annotations

import platform
import sys

from ragtune.core import memory


def test_return_freed_memory_runs_and_answers_with_a_bool() -> None:
    junk = [bytearray(4096) for _ in range(20_000)]  # ~80 MB of small blocks, then freed
    del junk
    assert isinstance(memory.return_freed_memory(), bool)
    assert isinstance(memory.return_freed_memory(), bool)  # again: nothing left is fine too


def test_glibc_malloc_trim_is_found_on_linux() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert (memory._malloc_trim() is not None) == glibc
