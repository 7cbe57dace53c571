"""Bad input to training, refused with a clear message before any model is loaded (issue 10)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from ragtune.core.finetune import train_types
from ragtune.core.finetune.train_process import train_adapter
from ragtune.core.finetune.train_types import TrainError, TrainOptions, train_extra_missing
from ragtune.core.finetune.trainer import batch_order, encode_examples, read_base

GOOD = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy!"}]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "base.gguf"
    path.write_bytes(b"not read: the examples are refused first")
    return path


@pytest.mark.parametrize(
    ("examples", "message"),
    [
        ([], "empty"),
        ([GOOD], "only 1 example"),
        ([GOOD, [{"role": "user", "content": "Hi"}]], "example 2 does not end with the assistant"),
        ([GOOD, [{"role": "assistant", "content": "  "}]], "example 2 does not end with the assistant"),
        ([GOOD, [{"text": "Hi"}]], "example 2 is not a list of chat messages"),
    ],
)
def test_bad_training_sets_are_refused(
    base: Path, tmp_path: Path, examples: list[list[dict[str, str]]], message: str
) -> None:
    with pytest.raises(TrainError, match=message):
        train_adapter(base, examples, tmp_path / "a.gguf", TrainOptions(), tmp_path / "work")


def test_a_missing_base_is_named(tmp_path: Path) -> None:
    with pytest.raises(TrainError, match="base model file was not found"):
        train_adapter(tmp_path / "gone.gguf", [GOOD, GOOD], tmp_path / "a.gguf", TrainOptions(), tmp_path)


def test_the_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    assert train_extra_missing() is None
    real = importlib.util.find_spec
    monkeypatch.setattr(train_types.importlib.util, "find_spec",
                        lambda name: None if name in ("torch", "peft") else real(name))
    message = train_extra_missing()
    assert message is not None
    assert 'pip install "ragtune[train]"' in message
    assert "about 3 GB on Linux" in message
    assert "torch, peft" in message


def test_options_are_checked() -> None:
    with pytest.raises(TrainError, match="rank"):
        TrainOptions(rank=0)
    with pytest.raises(TrainError, match="learning rate"):
        TrainOptions(learning_rate=0)
    with pytest.raises(TrainError, match="max minutes"):
        TrainOptions(max_minutes=0)


class _LengthEncoder:
    """Stands for ChatEncoder: an example's length is its answer's length."""

    def encode(self, messages: list[dict[str, str]]) -> tuple[list[int], list[int]]:
        ids = list(range(len(messages[-1]["content"])))
        return ids, ids


def test_too_long_examples_are_dropped_and_counted() -> None:
    short, long = [{"role": "assistant", "content": "x" * 10}], [{"role": "assistant", "content": "x" * 50}]
    encoded, dropped = encode_examples(_LengthEncoder(), [short, long, short], 20)  # type: ignore[arg-type]
    assert (len(encoded), dropped) == (2, 1)
    with pytest.raises(TrainError, match=r"every example \(2\) is longer than 20 tokens"):
        encode_examples(_LengthEncoder(), [long, long], 20)  # type: ignore[arg-type]
    with pytest.raises(TrainError, match="only one example is short enough"):
        encode_examples(_LengthEncoder(), [short, long], 20)  # type: ignore[arg-type]


def test_an_architecture_transformers_cannot_load_is_named(tmp_path: Path) -> None:
    import gguf

    path = tmp_path / "odd.gguf"
    writer = gguf.GGUFWriter(str(path), "rwkv7")
    writer.add_tensor("token_embd.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(TrainError, match="architecture 'rwkv7' cannot be trained"):
        read_base(path)


def test_each_epoch_sees_every_example_once_in_a_seeded_order() -> None:
    steps = [batch_order(10, 4, seed=3, step=s) for s in range(3)]
    assert sorted(i for b in steps for i in b) == list(range(10))
    assert batch_order(10, 4, seed=3, step=4) == batch_order(10, 4, seed=3, step=4)
    assert steps != [batch_order(10, 4, seed=4, step=s) for s in range(3)]


def test_the_missing_extra_is_said_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ragtune train`` and the window check the extra before building a training set."""
    from ragtune.core.finetune import service

    monkeypatch.setattr(service, "train_extra_missing", lambda: "Training needs the optional packages torch")
    finetune = service.FineTune(library=None, answers=None, evaluation=None)  # type: ignore[arg-type]  # not reached
    with pytest.raises(TrainError, match="optional packages torch"):
        finetune.check_new_adapter("anything")


def test_adapter_names_are_plain_file_names() -> None:
    from ragtune.core.finetune.service import adapter_path

    assert adapter_path("cite sources.gguf").name == "cite sources.gguf"
    for bad in ("", "  ", "../up", "a/b", ".hidden", "x" * 65, "ends."):
        with pytest.raises(TrainError):
            adapter_path(bad)
    for device in ("con", "NUL.gguf", "com1"):  # Windows cannot make these files
        with pytest.raises(TrainError, match="device name on Windows"):
            adapter_path(device)
