"""``ragtune models add`` and ``ragtune adapters check`` on hostile files, as a user runs them: a
GGUF that claims 2^63 entries, chat templates that blow up or escape. Each ends with one plain
paragraph on stderr and a non-zero exit, never a traceback, and nothing is added."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import ragtune
from gguf_bombs import kv_bomb, tiny_chat_model


def _refused(*args: str) -> str:
    result = ragtune(*args, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    message = result.stderr.strip()
    assert message.startswith("error: ")
    assert "\n" not in message, message  # one paragraph
    return message


def test_models_add_refuses_a_file_claiming_2_63_entries(tmp_path: Path) -> None:
    bomb = kv_bomb(tmp_path / "bomb.gguf", general_type="model")
    message = _refused("models", "add", str(bomb))
    assert "bomb.gguf claims 9223372036854775807 metadata entries but the file is only 16 MB" in message
    assert "bomb" not in ragtune("models").stdout


def test_adapters_check_refuses_a_file_claiming_2_63_entries(tmp_path: Path, chat_model_path: Path) -> None:
    message = _refused("adapters", "check", str(kv_bomb(tmp_path / "bomb.gguf")))
    assert "bomb.gguf is not a usable adapter" in message
    assert "claims 9223372036854775807 metadata entries" in message


@pytest.mark.parametrize(("template", "reason"), [
    ("{{ 'A' * 20000000 }}", "it builds a string of 20,000,000 characters for a short chat"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "Jinja's sandbox stopped it"),
])
def test_models_add_refuses_a_hostile_chat_template(tmp_path: Path, template: str, reason: str) -> None:
    message = _refused("models", "add", str(tiny_chat_model(tmp_path / "chat.gguf", template)))
    assert "chat.gguf has a chat template that cannot be used" in message
    assert reason in message
    assert "chat.gguf" not in ragtune("models").stdout
