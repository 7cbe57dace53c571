"""Giving memory that was freed back to the operating system.

glibc's ``malloc`` keeps what a program frees in its arenas for later reuse, so after a model is
closed 70-180 MB stay resident although nothing uses them (issue 17; ``benchmarks/bench_memory.py``
measures it). ``malloc_trim(0)`` hands those pages back. It is called once a model is closed and once
training has finished. Elsewhere (macOS, Windows, a C library without ``malloc_trim``) this does
nothing: those allocators return memory on their own terms.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
from collections.abc import Callable
from functools import lru_cache

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process already uses
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def return_freed_memory() -> bool:
    """Collect garbage, then give freed heap memory back to the system (glibc's ``malloc_trim(0)``).
    True when memory was returned; False when none was, or where the platform has no such call."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    released = bool(trim(0))
    log.debug("malloc_trim(0): %s", "memory returned" if released else "nothing to return")
    return released
