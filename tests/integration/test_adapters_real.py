"""Real LoRA adapter files (made with the gguf package) on the real embedded model, hot-swapped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapter_factory import make_lora
from ragtune.core.answer_types import AdapterSpec
from ragtune.core.generation.adapters import validate_adapter
from ragtune.errors import AdapterError

QUESTION = [{"role": "user", "content": "Name three colours."}]


@pytest.fixture(scope="module")
def loras(tmp_path_factory: pytest.TempPathFactory, chat_model_path: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("loras")
    return {
        "a": make_lora(folder / "a.gguf", chat_model_path, seed=1, targets=("attn_q", "attn_v")),
        "b": make_lora(folder / "b.gguf", chat_model_path, seed=3, targets=("attn_k", "ffn_up")),
        "llama": make_lora(folder / "llama.gguf", chat_model_path, seed=1, architecture="llama"),
        "shape": make_lora(folder / "shape.gguf", chat_model_path, seed=1, wrong_shape=True),
    }


@pytest.fixture
def eng(engine: Any) -> Iterator[Any]:
    """The session engine, with no adapters before and after each test."""
    engine.set_adapters([])
    yield engine
    engine.set_adapters([])


@pytest.fixture(scope="module")
def base_answer(engine: Any) -> str:
    engine.set_adapters([])
    return _ask(engine)


def _ask(engine: Any) -> str:
    return "".join(engine.stream_chat(QUESTION, max_tokens=16, temperature=0.0))


def test_adapter_changes_output_and_removing_it_restores_the_base(
    eng: Any, loras: dict[str, Path], base_answer: str
) -> None:
    eng.set_adapters([AdapterSpec(str(loras["a"]))])
    with_a = _ask(eng)
    assert with_a != base_answer
    assert eng.last_stats.prompt_tokens_cached == 0  # the set changed: nothing stale was reused
    assert _ask(eng) == with_a
    eng.set_adapters([])
    assert _ask(eng) == base_answer
    eng.set_adapters([AdapterSpec(str(loras["a"]))])
    eng.remove_adapter(loras["a"])
    assert eng.adapters == []
    assert eng.loaded_adapters == []
    assert _ask(eng) == base_answer


def test_two_adapters_stack(eng: Any, loras: dict[str, Path], base_answer: str) -> None:
    eng.set_adapters([AdapterSpec(str(loras["a"]))])
    only_a = _ask(eng)
    eng.set_adapters([AdapterSpec(str(loras["b"]))])
    only_b = _ask(eng)
    eng.set_adapters([AdapterSpec(str(loras["a"])), AdapterSpec(str(loras["b"]))])
    both = _ask(eng)
    assert len({base_answer, only_a, only_b, both}) == 4
    assert [Path(s.path).name for s in eng.adapters] == ["a.gguf", "b.gguf"]


def test_strength_zero_equals_no_adapter(eng: Any, loras: dict[str, Path], base_answer: str) -> None:
    eng.set_adapters([AdapterSpec(str(loras["a"]), 0.0)])
    assert eng.adapters == []
    assert _ask(eng) == base_answer


def test_switching_sets_and_strengths_never_reloads(eng: Any, loras: dict[str, Path]) -> None:
    llama, model_ptr = eng.llama, eng.llama.model
    outputs = []
    for specs in (
        [AdapterSpec(str(loras["a"]), 1.0)],
        [AdapterSpec(str(loras["a"]), 0.5)],
        [AdapterSpec(str(loras["a"]), 1.0), AdapterSpec(str(loras["b"]), 0.5)],
        [AdapterSpec(str(loras["a"]), 1.0)],
    ):
        eng.set_adapters(specs)
        outputs.append(_ask(eng))
    assert eng.llama is llama
    assert eng.llama.model == model_ptr
    assert outputs[0] == outputs[3]  # back to the same set and strength: the same answer
    assert len(eng.loaded_adapters) == 2  # each file loaded once, kept until removed


def test_wrong_architecture_is_refused_and_nothing_changes(
    eng: Any, loras: dict[str, Path]
) -> None:
    eng.set_adapters([AdapterSpec(str(loras["a"]))])
    with_a = _ask(eng)
    with pytest.raises(AdapterError, match="made for llama, the loaded model is qwen2"):
        eng.set_adapters([AdapterSpec(str(loras["a"])), AdapterSpec(str(loras["llama"]))])
    assert [Path(s.path).name for s in eng.adapters] == ["a.gguf"]
    assert _ask(eng) == with_a


def test_wrong_shape_is_refused_and_engine_answers_as_before(
    eng: Any, loras: dict[str, Path], base_answer: str
) -> None:
    with pytest.raises(AdapterError, match="adapter expects 897 columns, model has 896"):
        eng.set_adapters([AdapterSpec(str(loras["shape"]))])
    assert eng.adapters == []
    assert "shape.gguf" not in {Path(a.path).name for a in eng.loaded_adapters}
    assert _ask(eng) == base_answer


def test_validate_adapter_reports_what_it_is(loras: dict[str, Path], chat_model_path: Path) -> None:
    info = validate_adapter(loras["a"], chat_model_path)
    assert info.architecture == "qwen2"
    assert info.alpha == 8.0
    assert info.tensors == 48  # 24 blocks x (attn_q, attn_v)
    with pytest.raises(AdapterError, match="is a model file, not a LoRA adapter"):
        validate_adapter(chat_model_path, chat_model_path)
