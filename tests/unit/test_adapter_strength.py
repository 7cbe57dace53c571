"""Adapter strengths: ``PATH[:STRENGTH]`` parsing and the one range the CLI, the GUI and the engine's
adapter set all accept (NaN, infinity and huge numbers made the model answer "!!!!")."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ragtune.core.answer_types import (
    ADAPTER_STRENGTH_MAX,
    ADAPTER_STRENGTH_MIN,
    AdapterSpec,
    check_strength,
)
from ragtune.core.generation.adapters import AdapterSet
from ragtune.core.generation.gguf_info import GGUFInfo
from ragtune.errors import AdapterError


@pytest.mark.parametrize(
    ("text", "path", "scale"),
    [
        ("a.gguf", "a.gguf", 1.0),
        ("a.gguf:0.5", "a.gguf", 0.5),
        ("/x/a.gguf:0", "/x/a.gguf", 0.0),
        ("/x/a.gguf:2", "/x/a.gguf", 2.0),
        (r"C:\loras\a.gguf", r"C:\loras\a.gguf", 1.0),
        (r"C:\loras\a.gguf:1.5", r"C:\loras\a.gguf", 1.5),
        ("/dir:with/colon/a.gguf", "/dir:with/colon/a.gguf", 1.0),
    ],
)
def test_parse_path_and_strength(text: str, path: str, scale: float) -> None:
    assert AdapterSpec.parse(text) == AdapterSpec(path, scale)


@pytest.mark.parametrize("strength", ["nan", "NaN", "inf", "-inf", "infinity", "1e308", "2.01", "-0.5", "100"])
def test_parse_refuses_unusable_strengths(strength: str) -> None:
    with pytest.raises(AdapterError, match=r"a\.gguf: .* not a usable strength; give a number from 0 to 2"):
        AdapterSpec.parse(f"/x/a.gguf:{strength}")


@pytest.mark.parametrize("strength", ["abc", "", "1,5", "0.5x"])
def test_parse_refuses_a_strength_that_is_not_a_number(strength: str) -> None:
    with pytest.raises(AdapterError, match=f"must be a number from 0 to 2, not '{strength}'"):
        AdapterSpec.parse(f"/x/a.gguf:{strength}")


def test_parse_keeps_an_existing_file_whose_name_has_a_colon(tmp_path: Path) -> None:
    odd = tmp_path / "lora:v2.gguf"
    odd.write_bytes(b"GGUF")
    assert AdapterSpec.parse(str(odd)) == AdapterSpec(str(odd), 1.0)
    assert AdapterSpec.parse(f"{odd}:0.5") == AdapterSpec(str(odd), 0.5)


def test_the_range_is_checked_at_its_ends() -> None:
    assert (ADAPTER_STRENGTH_MIN, ADAPTER_STRENGTH_MAX) == (0.0, 2.0)
    assert check_strength(ADAPTER_STRENGTH_MIN) == 0.0
    assert check_strength(ADAPTER_STRENGTH_MAX) == 2.0
    assert check_strength(1) == 1.0
    for bad in (math.nan, math.inf, -math.inf, 1e308, -1e-9, ADAPTER_STRENGTH_MAX + 1e-9):
        with pytest.raises(AdapterError, match=r"lora.gguf: .* not a usable strength"):
            check_strength(bad, "lora.gguf")


@pytest.mark.parametrize("scale", [math.nan, math.inf, 1e308, -1.0, 3.0])
def test_adapter_set_refuses_bad_strengths_before_touching_anything(scale: float) -> None:
    """No file is read and no native call is made: the applied set stays as it was."""
    info = GGUFInfo(
        path="m.gguf", size=0, version=3, general_type="model", architecture="qwen2", name="m",
        context_length=0, file_type=None, quantization="F32",
    )
    adapters = AdapterSet(None, None, info)
    adapters.active = [("/kept.gguf", 1.0)]
    with pytest.raises(AdapterError, match=r"missing.gguf: .* not a usable strength"):
        adapters.set([AdapterSpec("/nowhere/missing.gguf", scale)])
    assert adapters.active == [("/kept.gguf", 1.0)]


def test_the_shipped_adapter_without_a_strength_gets_its_measured_one() -> None:
    """``ragtune ask --adapter .../cite-and-decline.gguf`` and the window's list use one default:
    the strength the shipped adapter was measured best at; any other adapter is used as trained."""
    from ragtune.core.answer_types import (
        SHIPPED_ADAPTER_STRENGTH,
        default_strength,
        shipped_adapter_path,
    )

    shipped = str(shipped_adapter_path())
    assert AdapterSpec.parse(shipped).scale == SHIPPED_ADAPTER_STRENGTH
    assert AdapterSpec.parse(f"{shipped}:0.8").scale == 0.8
    assert AdapterSpec.parse("/elsewhere/cite-and-decline.gguf").scale == 1.0
    assert default_strength(shipped) == SHIPPED_ADAPTER_STRENGTH
