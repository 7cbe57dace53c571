"""One size unit everywhere: decimal MB (1 MB = 1,000,000 bytes) from one core function, so the CLI's
``models`` listing and the window show the same text for the same file."""

from __future__ import annotations

import argparse
from typing import Any, cast

import pytest

from ragtune.cli_models import cmd_models
from ragtune.core.answer_types import ModelInfo
from ragtune.core.machine import Machine
from ragtune.core.units import format_size
from ragtune.gui.model_panel import model_details
from ragtune.settings import Settings

EMBEDDED_SIZE = 491_400_064  # the embedded chat model's file


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1536, "1.5 KB"),
        (999_960, "1.0 MB"),  # not "1000.0 KB"
        (EMBEDDED_SIZE, "491.4 MB"),  # not 468.6 (MiB) nor 491 (rounded away)
        (4_370_000_000, "4.4 GB"),
    ],
)
def test_decimal_units(n: int, text: str) -> None:
    assert format_size(n) == text


class _Models:
    def __init__(self, info: ModelInfo) -> None:
        self.info = info

    def list_models(self) -> list[ModelInfo]:
        return [self.info]

    def machine(self) -> Machine:
        return Machine(ram_bytes=8_000_000_000, cpu_threads=4)


class _Service:
    def __init__(self, info: ModelInfo) -> None:
        self.models = _Models(info)
        self.settings = Settings()


def test_cli_listing_and_window_show_the_same_size(capsys: pytest.CaptureFixture[str]) -> None:
    info = ModelInfo(
        name="qwen", path="/m/qwen.gguf", size=EMBEDDED_SIZE, architecture="qwen2",
        context_length=32768, quantization="Q8_0", embedded=True,
    )
    assert cmd_models(cast(Any, _Service(info)), argparse.Namespace(action="list", name=None)) == 0
    cli_line = capsys.readouterr().out.splitlines()[2]
    window_line = model_details(info)
    cli_size = cli_line.split(",")[0].strip()
    window_size = window_line.split(" · ")[1]
    assert cli_size == window_size == "491.4 MB"
