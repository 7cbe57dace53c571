"""Session fixtures for integration tests: one real chat Engine for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def engine(chat_model_path: Path) -> Iterator[Any]:
    """The embedded chat model loaded ONCE per session (n_ctx 2048). Tests that change adapters
    must set them back to none (``engine.set_adapters([])``) before they finish."""
    from ragtune.core.generation.engine import Engine

    eng = Engine(chat_model_path, n_ctx=2048)
    yield eng
    eng.close()
