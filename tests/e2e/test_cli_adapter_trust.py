"""``ragtune ask --adapter PATH:STRENGTH`` and ``ragtune adapters check`` as a user runs them: an
unusable strength (NaN, infinity, 1e308) or an adapter holding NaN or infinity exits non-zero with
a reason, before any answer is generated (no model is loaded for these)."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest

from adapter_factory import make_lora
from cli_support import ragtune as run_ragtune


def ragtune(*args: str) -> subprocess.CompletedProcess[str]:
    return run_ragtune(*args, check=False)


@pytest.fixture
def loras(tmp_path: Path, chat_model_path: Path) -> dict[str, Path]:
    return {
        "good": make_lora(tmp_path / "good.gguf", chat_model_path, seed=1, layers=[0]),
        "nan": make_lora(tmp_path / "nan.gguf", chat_model_path, seed=2, bad_value=math.nan),
        "inf": make_lora(tmp_path / "inf.gguf", chat_model_path, seed=2, bad_value=math.inf),
    }


@pytest.mark.parametrize("strength", ["nan", "inf", "1e308"])
def test_ask_refuses_an_unusable_strength(loras: dict[str, Path], strength: str) -> None:
    result = ragtune("ask", "What is 2+2?", "--no-rag", "--adapter", f"{loras['good']}:{strength}")
    assert result.returncode != 0
    assert result.stdout == ""  # nothing was generated
    assert "error: good.gguf:" in result.stderr
    assert "is not a usable strength; give a number from 0 to 2" in result.stderr


def test_check_and_ask_refuse_adapters_holding_nan_or_infinity(loras: dict[str, Path]) -> None:
    ok = ragtune("adapters", "check", str(loras["good"]))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK:"), ok.stdout + ok.stderr
    for name, word in (("nan", "NaN"), ("inf", "infinite")):
        check = ragtune("adapters", "check", str(loras[name]))
        assert check.returncode != 0
        assert "OK" not in check.stdout
        assert f"error: {name}.gguf: tensor blk.23.attn_v.weight.lora_b holds {word} values" in check.stderr
    ask = ragtune("ask", "What is 2+2?", "--no-rag", "--adapter", str(loras["nan"]))
    assert ask.returncode != 0
    assert ask.stdout == ""
    assert "holds NaN values" in ask.stderr
