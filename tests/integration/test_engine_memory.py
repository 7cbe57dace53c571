"""Closing the real embedded model gives its memory back: ``Engine.close`` calls
``return_freed_memory`` once (closing again does nothing). How much comes back is measured, not
asserted (it varies from run to run): ``benchmarks/bench_memory.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.core.generation import engine as engine_module
from ragtune.core.generation.engine import Engine


def test_closing_a_model_returns_its_memory(chat_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def spy() -> bool:
        calls.append(True)
        return True

    monkeypatch.setattr(engine_module, "return_freed_memory", spy)
    model = Engine(chat_model_path, n_ctx=256)
    assert model.count_chat_tokens([{"role": "user", "content": "Hello"}]) > 0
    assert calls == []
    model.close()
    assert calls == [True]
    model.close()
    assert calls == [True]
