"""Stopping llama.cpp's sampling loop from Python: ``Watch``, a stopping criterion that counts the
tokens sampled and stops on cancel (``engine.Engine`` checks cancel between tokens with it)."""

from __future__ import annotations

import threading
from typing import Any


class Watch:
    """Stopping criterion: counts sampled tokens and stops on cancel."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self.sampled = 0
        self.cancelled = False

    def __call__(self, _input_ids: Any, _logits: Any) -> bool:
        self.sampled += 1
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
            return True
        return False

    def criteria(self) -> Any:
        """This watch as llama-cpp-python's ``stopping_criteria`` argument."""
        from llama_cpp import StoppingCriteriaList

        return StoppingCriteriaList([self])
