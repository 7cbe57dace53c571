"""A llama.cpp model parameter that ``llama_cpp.Llama`` does not expose: its extra weight buffers.

llama.cpp built on a CPU with AMX (Intel Sapphire Rapids and later; pip builds llama-cpp-python for
the CPU it runs on) repacks the weights into an AMX buffer, and its AMX matrix multiplication
crashes the process with a segmentation fault on the first prompt on such machines, virtual ones in
particular (ggml-org/llama.cpp#20824, the per-thread tile permission of #26954; seen here on a
Xeon VM: every chat answer crashed). Where the build reports ``AMX_INT8 = 1``, models are loaded
with ``use_extra_bufts`` off: the plain CPU kernels (AVX-512 / AVX2) run instead, slower only by
the repacking. ``RAGTUNE_LLAMA_EXTRA_BUFFERS=1`` turns them back on (a machine where AMX works).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
ENV = "RAGTUNE_LLAMA_EXTRA_BUFFERS"


@functools.cache
def amx_build() -> bool:
    """Whether this llama.cpp build uses AMX."""
    import llama_cpp

    return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()


def extra_buffers_off() -> bool:
    """Whether models are loaded without the extra (AMX, repacked) weight buffers."""
    return amx_build() and os.environ.get(ENV, "").strip() != "1"


@contextmanager
def safe_model_params() -> Iterator[None]:
    """Within this block, ``llama_cpp.Llama(...)`` loads its model with the extra weight buffers
    off where ``extra_buffers_off()``; otherwise unchanged."""
    if not extra_buffers_off():
        yield
        return
    import llama_cpp.llama_cpp as raw

    with _lock:
        original = raw.llama_model_default_params

        def params() -> Any:
            value = original()
            value.use_extra_bufts = False
            return value

        raw.llama_model_default_params = params
        try:
            log.info("llama.cpp has AMX: loading the model without extra weight buffers (%s=1 turns them on)", ENV)
            yield
        finally:
            raw.llama_model_default_params = original
