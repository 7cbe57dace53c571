"""Broken adapters and unusable strengths on the real embedded model: an adapter holding NaN or
infinity, or a strength of NaN, infinity or 1e308, is refused with a reason, and the engine keeps
the adapter set (and the answers) it had."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from adapter_factory import make_lora
from ragtune.core.answer_types import AdapterSpec
from ragtune.core.generation.adapters import validate_adapter
from ragtune.errors import AdapterError

QUESTION = [{"role": "user", "content": "What is 2+2?"}]


@pytest.fixture(scope="module")
def loras(tmp_path_factory: pytest.TempPathFactory, chat_model_path: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("broken-loras")
    return {
        "good": make_lora(folder / "good.gguf", chat_model_path, seed=1),
        "nan": make_lora(folder / "nan.gguf", chat_model_path, seed=2, bad_value=math.nan),
        "inf": make_lora(folder / "inf.gguf", chat_model_path, seed=2, bad_value=math.inf),
        "f16inf": make_lora(
            folder / "f16inf.gguf", chat_model_path, seed=2, bad_value=-math.inf, dtype=np.float16
        ),
    }


@pytest.fixture
def eng(engine: Any) -> Iterator[Any]:
    """The session engine, with no adapters applied before and after each test, and the files this
    test loaded freed again (other tests count the loaded ones)."""
    engine.set_adapters([])
    before = {a.path for a in engine.loaded_adapters}
    yield engine
    engine.set_adapters([])
    for adapter in engine.loaded_adapters:
        if adapter.path not in before:
            engine.remove_adapter(adapter.path)


def _ask(engine: Any) -> str:
    return "".join(engine.stream_chat(QUESTION, max_tokens=12, temperature=0.0))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("nan", r"nan\.gguf: tensor blk\.23\.attn_v\.weight\.lora_b holds NaN values"),
        ("inf", r"inf\.gguf: tensor blk\.23\.attn_v\.weight\.lora_b holds infinite values"),
        ("f16inf", r"f16inf\.gguf: tensor blk\.23\.attn_v\.weight\.lora_b holds infinite values"),
    ],
)
def test_check_refuses_nan_and_infinite_tensors(
    loras: dict[str, Path], chat_model_path: Path, name: str, reason: str
) -> None:
    with pytest.raises(AdapterError, match=reason):
        validate_adapter(loras[name], chat_model_path)


def test_broken_file_or_strength_leaves_the_engine_as_it_was(eng: Any, loras: dict[str, Path]) -> None:
    good = str(loras["good"])
    eng.set_adapters([AdapterSpec(good, 0.5)])
    before = _ask(eng)
    attempts = [
        [AdapterSpec(good, 0.5), AdapterSpec(str(loras["nan"]))],
        [AdapterSpec(str(loras["inf"]))],
        [AdapterSpec(good, math.nan)],
        [AdapterSpec(good, math.inf)],
        [AdapterSpec(good, 1e308)],
        [AdapterSpec(good, 0.5), AdapterSpec(str(loras["nan"]), 0.0)],  # off, but still a bad entry
    ]
    for specs in attempts[:-1]:
        with pytest.raises(AdapterError, match=r"(holds (NaN|infinite) values|not a usable strength)"):
            eng.set_adapters(specs)
        assert eng.adapters == [AdapterSpec(good, 0.5)]
    loaded = {Path(a.path).name for a in eng.loaded_adapters}  # other tests may have loaded theirs
    assert "good.gguf" in loaded
    assert not loaded & {"nan.gguf", "inf.gguf"}
    assert _ask(eng) == before
    eng.set_adapters(attempts[-1])  # strength 0 leaves a file out: it is never read
    assert eng.adapters == [AdapterSpec(good, 0.5)]


def test_values_check_reads_a_real_sized_adapter(tmp_path: Path, chat_model_path: Path) -> None:
    """A 20+ MB adapter (several 16 MB slices) passes the value check; its speed is a benchmark
    figure (about 0.1 s), not a test assertion."""
    big = make_lora(
        tmp_path / "big.gguf", chat_model_path, rank=16, targets=("attn_q", "attn_v", "ffn_up", "ffn_down")
    )
    assert big.stat().st_size > 20_000_000
    assert validate_adapter(big, chat_model_path).tensors > 0
